from django import forms

from audits.events import EventType


class EventFilterForm(forms.Form):
    event_type = forms.ChoiceField(
        required=False,
        choices=[("", "any")]
        + sorted({(c.split(".")[0], c.split(".")[0] + ".*") for c in EventType.values})
        + list(EventType.choices),
    )
    case_ref = forms.CharField(required=False, max_length=64, label="Case reference")
    actor = forms.CharField(required=False, max_length=150, label="Actor (username)")
    since = forms.DateTimeField(required=False, help_text="e.g. 2026-11-28 08:00")
    until = forms.DateTimeField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            self.add_error("until", "must be later than 'since'")
        return data


class ExportForm(EventFilterForm):
    # R17: a disclosure records its justification and its recipients.
    justification = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    recipients = forms.CharField(max_length=300, help_text="Who receives this export")
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("json", "JSON lines")], initial="csv")
