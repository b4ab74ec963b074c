"""Forms of the office's pages: deployments, the office's opinion, report exports."""

from django import forms
from django.utils import timezone

from oversight.models import Camera, Opinion


class DeploymentForm(forms.Form):
    name = forms.CharField(max_length=150)
    locations = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="The named locations covered.")
    consultation_request = forms.CharField(
        label="Request to the office", widget=forms.Textarea(attrs={"rows": 3}), help_text="What the office was asked."
    )
    consultation_requested_on = forms.DateField(label="Requested on", help_text="e.g. 2026-03-01")
    camera_ids = forms.ModelMultipleChoiceField(
        label="Cameras", queryset=Camera.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


class DeploymentCamerasForm(forms.Form):
    camera_ids = forms.ModelMultipleChoiceField(
        label="Cameras", queryset=Camera.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(choices=Opinion.choices)
    given_on = forms.DateField(label="Opinion given on", help_text="e.g. 2026-03-01")
    conditions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(required=False, help_text="The opinion, PDF or plain text.")


class ReportExportForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=9999)
    format = forms.ChoiceField(choices=[("pdf", "PDF with charts"), ("csv", "CSV")], initial="pdf")
    # R17: a disclosure records its justification and its recipients.
    justification = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    recipients = forms.CharField(max_length=300, help_text="Who receives this report")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
