"""Forms for the case pages: they parse types; the rules live in the services.

A service's ValidationError names fields; `apply_service_errors` puts each
message next to its field (or at the top when the form has no such field).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import fields_for_model, model_to_dict
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from oversight.models import (
    CASE_DRAFT_FIELDS,
    Case,
    Objective,
    Person,
    case_field_label,
)
from oversight.models.text import FREE_TEXT_MAX_LENGTH
from oversight.roles import Role
from oversight.selectors import camera_enabled_list
from oversight.wording import error_messages, without_requirement_codes

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 80})

# Service field names that a form shows under another name.
FIELD_ALIASES = {"person_ids": "persons", "camera_ids": "cameras", "camera_id": "camera"}


def apply_service_errors(form: forms.Form, exc: ValidationError, *, person_names=(), camera_names=()) -> None:
    """Each service message next to its field, in plain words: no requirement codes, and an error about a
    person or camera of a list names that person or camera instead of a key such as ``persons[0].full_name``."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, [without_requirement_codes(m) for m in exc.messages])
        return
    labels = {name: field.label or name.replace("_", " ") for name, field in form.fields.items()}
    for field, errors in exc.message_dict.items():
        name = FIELD_ALIASES.get(field, field)
        if name in form.fields:
            form.add_error(name, [without_requirement_codes(m) for m in errors])
        else:
            form.add_error(
                None,
                error_messages(
                    ValidationError({field: errors}),
                    person_names=person_names,
                    camera_names=camera_names,
                    labels=labels,
                ),
            )


def _draft_formfield(model_field, **kwargs):
    """Form fields of a draft come from the model's fields; only the widgets are chosen here."""
    if isinstance(model_field, models.DateTimeField):
        kwargs["widget"] = DATETIME_WIDGET
    elif isinstance(model_field, models.TextField):
        kwargs["widget"] = TEXTAREA
    return model_field.formfield(**kwargs)


class CaseForm(forms.Form):
    """The draft's fields, derived from CASE_DRAFT_FIELDS and the model (labels, help texts, types)."""

    def __init__(self, *args, requester=None, **kwargs):
        super().__init__(*args, **kwargs)
        objective = self.fields["objective"]
        objective.label_from_instance = (
            lambda o: o.display_label if o.enabled else _("%(label)s (disabled)") % {"label": o.display_label}
        )
        judge = self.fields["assigned_judge"]
        judge.queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.JUDGE, is_active=True)
            .exclude(pk=getattr(requester, "pk", None))
            .order_by("username")
        )
        judge.label_from_instance = lambda j: f"{j.get_username()} ({j.unit})" if j.unit else j.get_username()
        # R24: a live search unless the requester chooses a post-event one (a form without the choice drafts live).
        self.fields["kind"].required = False
        self.fields["match_threshold"].initial = settings.MATCH_THRESHOLD_DEFAULT
        threshold, end = self.fields["match_threshold"], self.fields["requested_end"]
        limit = _("At most %(max)s.") % {"max": number_format(settings.MATCH_THRESHOLD_MAX)}
        threshold.help_text = f"{threshold.help_text} {limit}"
        hours = settings.CASE_MAX_DURATION_HOURS
        limit = ngettext(
            "At most %(hours)d hour after the start.", "At most %(hours)d hours after the start.", hours
        ) % {"hours": hours}
        end.help_text = f"{end.help_text} {limit}"

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        return model_to_dict(case, fields=[name for name in CASE_DRAFT_FIELDS if name != "impact_assessment"])


CaseForm.base_fields = fields_for_model(
    Case,
    fields=CASE_DRAFT_FIELDS,
    formfield_callback=_draft_formfield,
    labels={name: capfirst(case_field_label(name)) for name in CASE_DRAFT_FIELDS},
)


class PersonForm(forms.Form):
    """Shown on the case page beside the camera form: its own element ids, so each label names its own field."""

    full_name = forms.CharField(
        max_length=200,
        label=gettext_lazy("Full name"),
        help_text=gettext_lazy("One named, specific person: given name and family name."),
    )
    # No category is chosen for the officer: an empty first choice, so a forgotten choice is an error, not "Suspect".
    category = forms.ChoiceField(
        choices=[("", gettext_lazy("Choose…")), *Person.Category.choices], label=gettext_lazy("Category")
    )
    reason = forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Why this person."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "person_%s")
        super().__init__(*args, **kwargs)


class CaseCameraForm(forms.Form):
    camera = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Camera"))
    reason = forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Why the persons are expected there."),
    )

    def __init__(self, *args, case=None, **kwargs):
        kwargs.setdefault("auto_id", "camera_%s")
        super().__init__(*args, **kwargs)
        # Cameras already on the case are not offered again.
        linked = set(case.case_cameras.values_list("camera_id", flat=True)) if case is not None else set()
        self.fields["camera"].choices = [
            ("", gettext_lazy("Choose…")),
            *((c.pk, f"{c.name} — {c.location_label}") for c in camera_enabled_list() if c.pk not in linked),
        ]


class UrgentStartForm(forms.Form):
    urgency_reason = forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=TEXTAREA,
        label=gettext_lazy("Urgency reason"),
        help_text=gettext_lazy("The written justification of the urgency."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        label=gettext_lazy("Reason"),
    )


class ScopeForm(forms.Form):
    """A decision or a vote; the scope fields may only narrow the request (R5, R6)."""

    granted = forms.TypedChoiceField(
        choices=[("yes", gettext_lazy("Grant")), ("no", gettext_lazy("Refuse"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision"),
    )
    reasons = forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=TEXTAREA,
        label=gettext_lazy("Reasons"),
        help_text=gettext_lazy("The reasons for the decision, for a grant as for a refusal."),
    )
    start = forms.DateTimeField(
        widget=DATETIME_WIDGET, label=gettext_lazy("Start"), help_text=gettext_lazy("Not earlier than requested.")
    )
    end = forms.DateTimeField(
        widget=DATETIME_WIDGET, label=gettext_lazy("End"), help_text=gettext_lazy("Not later than requested.")
    )
    threshold = forms.FloatField(
        label=gettext_lazy("Threshold"), help_text=gettext_lazy("Not higher (laxer) than requested: lower is stricter.")
    )
    # R24: only on a post-event search's form.
    capture_start = forms.DateTimeField(
        widget=DATETIME_WIDGET,
        label=gettext_lazy("Footage recorded from"),
        help_text=gettext_lazy("Not earlier than requested."),
    )
    capture_end = forms.DateTimeField(
        widget=DATETIME_WIDGET,
        label=gettext_lazy("Footage recorded until"),
        help_text=gettext_lazy("Not later than requested."),
    )
    persons = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("Persons"),
        help_text=gettext_lazy("All requested persons are ticked: untick one to leave that person out of the grant."),
    )
    cameras = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("Cameras"),
        help_text=gettext_lazy("All requested cameras are ticked: untick one to leave that camera out of the grant."),
    )

    conditions = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("The office's conditions"),
        help_text=gettext_lazy("Tick each condition of the office's opinion once you have checked that it is met."),
    )

    def __init__(self, *args, case: Case, conditions: list[str] = (), **kwargs):
        persons = [p for p in case.persons.all() if p.in_scope]
        links = [link for link in case.case_cameras.all() if link.in_scope]
        kwargs.setdefault(
            "initial",
            {
                "start": case.requested_start,
                "end": case.requested_end,
                "threshold": case.match_threshold,
                "capture_start": case.capture_start,
                "capture_end": case.capture_end,
                "persons": [p.pk for p in persons],
                "cameras": [link.camera_id for link in links],
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = [(p.pk, f"{p.full_name} ({p.get_category_display()})") for p in persons]
        self.fields["cameras"].choices = [(link.camera_id, link.camera.name) for link in links]
        # The office's free-text conditions are the judge's to check: each one ticked before a grant.
        self.fields["conditions"].choices = [(str(n), text) for n, text in enumerate(conditions)]
        if not conditions:
            del self.fields["conditions"]
        if not case.is_post_event:
            del self.fields["capture_start"], self.fields["capture_end"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "granted": data["granted"],
            "reasons": data.get("reasons", ""),
            "start": data.get("start"),
            "end": data.get("end"),
            "threshold": data.get("threshold"),
            "person_ids": data.get("persons") or [],
            "camera_ids": data.get("cameras") or [],
            "capture_start": data.get("capture_start"),
            "capture_end": data.get("capture_end"),
        }

    def clean(self):
        data = super().clean()
        if data.get("granted") is False:
            # A refusal has no scope: do not let empty scope fields hide the real message.
            for name in ("start", "end", "threshold", "capture_start", "capture_end"):
                self.errors.pop(name, None)
        elif "conditions" in self.fields and len(data.get("conditions") or ()) < len(self.fields["conditions"].choices):
            self.add_error("conditions", _("Confirm each of the office's conditions before granting."))
        return data


class CaseListFilterForm(forms.Form):
    """The case list's filters and order; every field optional, each checked on its own."""

    ORDER_CHOICES = [
        ("newest", gettext_lazy("Newest first")),
        ("oldest", gettext_lazy("Oldest first")),
        ("start", gettext_lazy("Requested start")),
        ("reference", gettext_lazy("Reference")),
        ("status", gettext_lazy("Status")),
    ]

    status = forms.ChoiceField(required=False, label=gettext_lazy("Status"))
    objective = forms.ChoiceField(required=False, label=gettext_lazy("Objective"))
    awaiting_me = forms.BooleanField(required=False, label=gettext_lazy("Only what awaits me"))
    mine = forms.BooleanField(required=False, label=gettext_lazy("Only requested by me"))
    order = forms.ChoiceField(required=False, choices=ORDER_CHOICES, label=gettext_lazy("Sort by"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status"))] + [
            (value, without_requirement_codes(label)) for value, label in Case.Status.choices
        ]
        self.fields["objective"].choices = [("", _("Any objective"))] + [
            (o.code, o.display_label) for o in Objective.objects.order_by("label")
        ]

    def valid_values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class CameraForm(forms.Form):
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    location_label = forms.CharField(max_length=200, label=gettext_lazy("Location label"))
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, label=gettext_lazy("Latitude"))
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, label=gettext_lazy("Longitude"))
    source = forms.CharField(
        max_length=500,
        label=gettext_lazy("Source"),
        help_text=gettext_lazy("A file path, or an rtsp://, http:// or https:// URL."),
    )
    enabled = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Enabled"),
        help_text=gettext_lazy("A disabled camera is never analysed, whatever case names it."),
    )
