"""Forms for the case pages: they parse types; the rules live in the services.

A service's ValidationError names fields; `apply_service_errors` puts each
message next to its field (or at the top when the form has no such field).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from oversight.models import Case
from oversight.roles import Role
from oversight.selectors import camera_enabled_list, objective_list
from watchlists.models import Person

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 80})

# Service field names that a form shows under another name.
FIELD_ALIASES = {"person_ids": "persons", "camera_ids": "cameras", "camera_id": "camera"}


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = FIELD_ALIASES.get(field, field)
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, [f"{field}: {message}" for message in errors])


class CaseForm(forms.Form):
    objective = forms.ChoiceField(help_text="R1: the legal objective of the search.")
    offence = forms.CharField(required=False, max_length=300, help_text="R1(c): required for a suspect search.")
    offence_max_sentence_years = forms.IntegerField(
        required=False,
        min_value=0,
        label="Maximum sentence (years)",
        help_text="R1(c): at least 4 for a suspect search.",
    )
    legal_basis = forms.CharField(
        required=False, widget=TEXTAREA, help_text="R2: the provision of national law (required to submit)."
    )
    evidence = forms.CharField(
        required=False, widget=TEXTAREA, help_text="R4: the objective evidence or clear indications relied on."
    )
    harm_assessment = forms.CharField(
        required=False,
        widget=TEXTAREA,
        help_text="R4: seriousness, probability and scale of the harm if the system is not used.",
    )
    rights_impact = forms.CharField(
        required=False, widget=TEXTAREA, help_text="R4: consequences for the rights of everyone affected."
    )
    authority = forms.ChoiceField(choices=Case.Authority.choices, help_text="R6: who decides.")
    assigned_judge = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    requested_start = forms.DateTimeField(widget=DATETIME_WIDGET)
    requested_end = forms.DateTimeField(widget=DATETIME_WIDGET)
    match_threshold = forms.FloatField(min_value=0.0)
    impact_assessment = forms.FileField(
        required=False, help_text="R8: the impact assessment, a PDF or plain-text document (required to submit)."
    )

    def __init__(self, *args, requester=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].choices = [
            (o.code, o.label if o.enabled else f"{o.label} (disabled)") for o in objective_list()
        ]
        judges = (
            get_user_model()
            .objects.filter(groups__name=Role.JUDGE, is_active=True)
            .exclude(pk=getattr(requester, "pk", None))
            .order_by("username")
        )
        self.fields["assigned_judge"].choices = [("", "—")] + [
            (j.pk, f"{j.get_username()} ({j.unit})" if j.unit else j.get_username()) for j in judges
        ]
        self.fields[
            "match_threshold"
        ].help_text = f"R13: a face distance; lower is stricter. At most {settings.MATCH_THRESHOLD_MAX}."
        self.fields["match_threshold"].initial = settings.MATCH_THRESHOLD_DEFAULT
        self.fields[
            "requested_end"
        ].help_text = f"R5: at most {settings.CASE_MAX_DURATION_HOURS} hours after the start."

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        return {
            "objective": case.objective_id,
            "offence": case.offence,
            "offence_max_sentence_years": case.offence_max_sentence_years,
            "legal_basis": case.legal_basis,
            "evidence": case.evidence,
            "harm_assessment": case.harm_assessment,
            "rights_impact": case.rights_impact,
            "authority": case.authority,
            "assigned_judge": case.assigned_judge_id,
            "requested_start": case.requested_start,
            "requested_end": case.requested_end,
            "match_threshold": case.match_threshold,
        }


class PersonForm(forms.Form):
    full_name = forms.CharField(max_length=200, help_text="R3: one named, specific person.")
    category = forms.ChoiceField(choices=Person.Category.choices, help_text="R20")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), help_text="Why this person.")


class CaseCameraForm(forms.Form):
    camera = forms.TypedChoiceField(coerce=int)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), help_text="R5: why the persons are expected there."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["camera"].choices = [(c.pk, f"{c.name} — {c.location_label}") for c in camera_enabled_list()]


class UrgentStartForm(forms.Form):
    urgency_reason = forms.CharField(widget=TEXTAREA, help_text="R9: the written justification of the urgency.")


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class ScopeForm(forms.Form):
    """A decision or a vote; the scope fields may only narrow the request (R5, R6)."""

    granted = forms.TypedChoiceField(
        choices=[("yes", "Grant"), ("no", "Refuse")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Decision",
    )
    reasons = forms.CharField(required=False, widget=TEXTAREA, help_text="Required for a refusal.")
    start = forms.DateTimeField(widget=DATETIME_WIDGET, help_text="Not earlier than requested.")
    end = forms.DateTimeField(widget=DATETIME_WIDGET, help_text="Not later than requested.")
    threshold = forms.FloatField(help_text="Not higher (laxer) than requested: lower is stricter.")
    persons = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple, required=False)
    cameras = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, case: Case, **kwargs):
        persons = [p for p in case.persons.all() if p.in_scope]
        links = [link for link in case.case_cameras.all() if link.in_scope]
        kwargs.setdefault(
            "initial",
            {
                "start": case.requested_start,
                "end": case.requested_end,
                "threshold": case.match_threshold,
                "persons": [p.pk for p in persons],
                "cameras": [link.camera_id for link in links],
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = [(p.pk, f"{p.full_name} ({p.get_category_display()})") for p in persons]
        self.fields["cameras"].choices = [(link.camera_id, link.camera.name) for link in links]

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
        }

    def clean(self):
        data = super().clean()
        if data.get("granted") is False:
            # A refusal has no scope: do not let empty scope fields hide the real message.
            for name in ("start", "end", "threshold"):
                self.errors.pop(name, None)
        return data


class CameraForm(forms.Form):
    name = forms.CharField(max_length=100)
    location_label = forms.CharField(max_length=200)
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False)
    source = forms.CharField(max_length=500, help_text="A file path, or an rtsp://, http:// or https:// URL.")
    enabled = forms.BooleanField(required=False, initial=True)
