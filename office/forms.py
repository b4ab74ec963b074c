"""Forms of the office's pages: deployments, the office's opinion, report exports, data-subject requests."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oversight.models import Camera, Opinion, Person, SubjectRequestDecision, SubjectRequestKind
from oversight.models.text import FREE_TEXT_MAX_LENGTH


class DeploymentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    locations = forms.CharField(
        label=_("Locations"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("The named locations covered.")
    )
    consultation_request = forms.CharField(
        label=_("Request to the office"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the office was asked."),
    )
    consultation_requested_on = forms.DateField(label=_("Requested on"), help_text=_("e.g. 2026-03-01"))
    camera_ids = forms.ModelMultipleChoiceField(
        label=_("Cameras"),
        queryset=Camera.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class DeploymentCamerasForm(forms.Form):
    camera_ids = forms.ModelMultipleChoiceField(
        label=_("Cameras"),
        queryset=Camera.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(label=_("Opinion"), choices=Opinion.choices)
    given_on = forms.DateField(label=_("Opinion given on"), help_text=_("e.g. 2026-03-01"))
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One condition per line; the judge confirms each one before granting."),
    )
    # The conditions the platform enforces itself (oversight.conditions).
    hours_from = forms.TimeField(
        label=_("Processing from (time of day)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    hours_until = forms.TimeField(
        label=_("Processing until (time of day)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Until 06:00 after a start at 22:00 means nights only."),
    )
    weekdays = forms.CharField(
        label=_("Days of the week allowed"),
        required=False,
        max_length=20,
        help_text=_("Day numbers, 1 for Monday to 7 for Sunday, e.g. 12345 for working days; blank for every day."),
    )
    max_duration_hours = forms.IntegerField(label=_("Longest use allowed (hours)"), required=False, min_value=1)
    max_threshold = forms.FloatField(
        label=_("Laxest match threshold allowed"), required=False, min_value=0.01, max_value=1
    )
    document = forms.FileField(label=_("Document"), required=False, help_text=_("The opinion, PDF or plain text."))


class ReportExportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", _("PDF with charts")), ("csv", _("CSV"))], initial="pdf"
    )
    # R17: a disclosure records its justification and its recipients.
    justification = forms.CharField(label=_("Justification"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    recipients = forms.CharField(label=_("Recipients"), max_length=300, help_text=_("Who receives this report"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class SubjectRequestForm(forms.Form):
    """R21: a request recorded by the data protection office."""

    kind = forms.ChoiceField(choices=SubjectRequestKind.choices, label=_("Kind"))
    subject_name = forms.CharField(max_length=200, label=_("Full name of the person"))
    details = forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea,
        required=False,
        label=_("What the person asks (in their words)"),
    )
    photo = forms.FileField(required=False, label=_("Photo of the person (optional: searched against active cases)"))
    language = forms.ChoiceField(
        required=False,
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        label=_("Language of the answer"),
        help_text=_("The answer to the person (what is held about them) is written in this language."),
    )


class SubjectItemDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[c for c in SubjectRequestDecision.choices if c[0] != "pending"], label=_("Decision")
    )
    reasons = forms.CharField(required=False, max_length=2000, label=_("Reasons"))
    # A rectification of a person's entry: the corrected values (blank: unchanged).
    full_name = forms.CharField(required=False, max_length=200, label=_("Corrected full name"))
    category = forms.ChoiceField(
        required=False, choices=[("", "—"), *Person.Category.choices], label=_("Corrected category")
    )


class SubjectGroupDecisionForm(forms.Form):
    """One decision for a group of findings (one kind in one case) or for all of them ("all")."""

    group = forms.CharField(max_length=120)
    decision = forms.ChoiceField(
        choices=[c for c in SubjectRequestDecision.choices if c[0] not in ("pending", "rectify")], label=_("Decision")
    )
    reasons = forms.CharField(required=False, max_length=2000, label=_("Reasons"))
