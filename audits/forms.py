from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.events import EVENT_GROUPS, EventType

# What people type: ISO dates and times, the browsers' date and
# datetime-local pickers, and the day-first forms used in Czech and European offices.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d. %m. %Y", "%d/%m/%Y", "%d.%m.%y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")
EXAMPLES = "2026-11-29, 29.11.2026, 2026-11-29 14:05 or 29.11.2026 14:05"


# Moments outside these years are refused in words: 0001-01-01 or 9999-12-31 would overflow on the way to the
# database (one day later, or converted to UTC) and answer with a server error.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def parse_when(value: str, *, end_of_day: bool = False) -> datetime:
    """A moment from text people type; naive values are in the display time zone.

    A date alone means the start of that day, or with end_of_day the start of the
    next one (so "until 29.11.2026" includes the 29th). Raises ValueError in plain words,
    also for a year outside EARLIEST_YEAR..LATEST_YEAR.
    """
    try:
        moment = _parse_when(value, end_of_day=end_of_day)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(
            _("“%(value)s” is outside the years %(earliest)s to %(latest)s")
            % {"value": value.strip(), "earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
        )
    return moment


def _parse_when(value: str, *, end_of_day: bool) -> datetime:
    text = " ".join((value or "").strip().replace("T", " ").split())
    if not text:
        raise ValueError(_("enter a date, for example %(examples)s") % {"examples": EXAMPLES})
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            return parsed  # refused by parse_when before any arithmetic can overflow
        if len(text) > 10 or not end_of_day:
            return parsed if parsed.tzinfo else timezone.make_aware(parsed)
        return timezone.make_aware(parsed + timedelta(days=1))
    except ValueError:
        pass
    for date_format in DATE_FORMATS:
        try:
            day = datetime.strptime(text, date_format).date()
        except ValueError:
            day = None
        if day is not None:
            start = datetime.combine(day, time.min)
            if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                return start
            return timezone.make_aware(start + timedelta(days=1) if end_of_day else start)
        for time_format in TIME_FORMATS:
            try:
                return timezone.make_aware(datetime.strptime(text, f"{date_format} {time_format}"))
            except ValueError:
                continue
    raise ValueError(
        _("“%(value)s” is not a date we can read; write it like %(examples)s")
        % {"value": value.strip(), "examples": EXAMPLES}
    )


class WhenField(forms.Field):
    """A date or date-time field that accepts the formats people type and the browser's date pickers."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", format_lazy(gettext_lazy("e.g. {examples}"), examples=EXAMPLES))
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "2026-11-29 14:05"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError(
                _("That is too long for a date; write it like %(examples)s.") % {"examples": EXAMPLES}
            )
        try:
            return parse_when(text, end_of_day=self.end_of_day)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)[0].upper() + str(exc)[1:] + ".") from None


class EventFilterForm(forms.Form):
    event_type = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Event type"),
        choices=[("", gettext_lazy("any"))]
        + [
            (kind, format_lazy(gettext_lazy("{kind}: every event"), kind=EVENT_GROUPS.get(kind, kind)))
            for kind in sorted({c.split(".")[0] for c in EventType.values})
        ]
        + list(EventType.choices),
    )
    case_ref = forms.CharField(required=False, max_length=64, label=gettext_lazy("Case reference"))
    actor = forms.CharField(required=False, max_length=150, label=gettext_lazy("Actor (username)"))
    since = WhenField(label=gettext_lazy("From"))
    until = WhenField(
        label=gettext_lazy("Until"), end_of_day=True, help_text=gettext_lazy("a date alone includes that whole day")
    )

    FILTERS = ("event_type", "case_ref", "actor", "since", "until")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            self.add_error("until", _("“Until” must be later than “From”."))
        return data

    def filters(self) -> dict:
        """The valid filters (call after is_valid()); a field with an error is left out and shown with its message."""
        return {k: self.cleaned_data.get(k) or None for k in self.FILTERS if k in self.cleaned_data}


class ExportForm(EventFilterForm):
    # R17: a disclosure records its justification and its recipients.
    justification = forms.CharField(
        max_length=500, label=gettext_lazy("Justification"), widget=forms.Textarea(attrs={"rows": 2})
    )
    recipients = forms.CharField(
        max_length=300, label=gettext_lazy("Recipients"), help_text=gettext_lazy("Who receives this export")
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            (
                "verifiable",
                gettext_lazy("Verifiable (hashes, signed checkpoint, offline verifier; made in the background)"),
            ),
            ("csv", "CSV"),
            ("json", gettext_lazy("JSON lines")),
        ],
        initial="verifiable",
    )
