"""Plain words for people: requirement codes stay in the code, field keys become names.

Services speak to two audiences: the API (field keys such as ``persons[0].full_name``) and people reading a page.
Their messages cite requirements (``(R7)``) so that a reader of the code knows why a rule exists; officers and
judges reading a page need the rule, not its number. These helpers turn a service's message into what a page
shows, without changing what the API answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_CODE = r"R\d{1,2}(?:\([a-z]\))?"
# "(R5)", "(R3, R20)", " (R1(c))"
_PARENTHESISED = re.compile(rf"\s*\(\s*{_CODE}(?:\s*[,;/]\s*{_CODE})*\s*\)")
# "(R12: the most recent suitable image)" -> "(the most recent suitable image)"
_LEADING_IN_PARENS = re.compile(rf"\(\s*{_CODE}(?:\s*,\s*{_CODE})*\s*:\s*")
# "R3: one named person" -> "one named person"
_LEADING = re.compile(rf"\b{_CODE}(?:\s*,\s*{_CODE})*\s*:\s*")
# A code left on its own, e.g. "retention, R9, erasure"
_BARE_AFTER_COMMA = re.compile(rf",\s*\b{_CODE}\b")
_BARE = re.compile(rf"\b{_CODE}\b,?\s*")

REQUIREMENT_CODE = re.compile(r"\bR\d{1,2}\b")

_KEY = re.compile(r"^(?P<list>persons|cameras)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$")

# Keys whose message already says everything (a transition refused, the whole form).
_SILENT_KEYS = frozenset({"status", "__all__", "non_field_errors"})
_FIELD_WORDS = {
    "full_name": gettext_lazy("name"),
    "camera_id": gettext_lazy("camera"),
    "camera": gettext_lazy("camera"),
    "camera_ids": gettext_lazy("cameras"),
    "person_ids": gettext_lazy("persons"),
    "persons": gettext_lazy("persons sought"),
    # The other keys a service may name (the case's own fields come with their labels).
    "cameras": gettext_lazy("cameras"),
    "person": gettext_lazy("person"),
    "reason": gettext_lazy("reason"),
    "category": gettext_lazy("category"),
    "urgency_reason": gettext_lazy("urgency reason"),
    "granted": gettext_lazy("decision"),
    "reasons": gettext_lazy("reasons"),
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "threshold": gettext_lazy("threshold"),
    "objective": gettext_lazy("objective"),
    "name": gettext_lazy("camera name"),
    "location_label": gettext_lazy("location label"),
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "source": gettext_lazy("source"),
    "enabled": gettext_lazy("enabled"),
}


def without_requirement_codes(text: str) -> str:
    """The text with requirement codes (R1–R24, R1(c)) taken out; the sentence otherwise unchanged."""
    text = _PARENTHESISED.sub("", str(text))
    text = _LEADING_IN_PARENS.sub("(", text)
    text = _LEADING.sub("", text)
    text = _BARE_AFTER_COMMA.sub("", text)
    text = _BARE.sub("", text)
    text = re.sub(r"\s+([.,;:)])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:] if text else text


def field_words(key: str, *, labels: dict[str, str] | None = None) -> str:
    """A field key as words ("offence_max_sentence_years" -> its label, else "offence max sentence years")."""
    if labels and key in labels:
        return str(labels[key])
    return str(_FIELD_WORDS.get(key, key.replace("_", " ")))


def subject_words(
    key: str,
    *,
    person_names: Sequence[str] = (),
    camera_names: Sequence[str] = (),
    labels: dict[str, str] | None = None,
) -> str | None:
    """Who or what a service's error key is about, in words; None when the message needs no subject.

    ``persons[1].full_name`` -> 'Person 2 ("Jana Nová"), name'; ``cameras[0].camera_id`` -> 'Camera "Main square"'.
    """
    if key in _SILENT_KEYS:
        return None
    match = _KEY.match(key)
    if match is None:
        return field_words(key, labels=labels)
    index = int(match["index"])
    persons = match["list"] == "persons"
    names = person_names if persons else camera_names
    name = names[index] if index < len(names) and names[index] else ""
    if name:
        subject = (_('Person "%(name)s"') if persons else _('Camera "%(name)s"')) % {"name": name}
    else:
        subject = (_("Person %(number)s") if persons else _("Camera %(number)s")) % {"number": index + 1}
    field = match["field"]
    if field and field not in ("camera_id", "camera"):
        subject += f", {field_words(field, labels=labels)}"
    return subject


def error_messages(
    exc: ValidationError,
    *,
    person_names: Sequence[str] = (),
    camera_names: Sequence[str] = (),
    labels: dict[str, str] | None = None,
) -> list[str]:
    """A service's ValidationError as sentences a person can act on: no field keys, no requirement codes."""
    if not hasattr(exc, "error_dict"):
        return [without_requirement_codes(m) for m in exc.messages]
    out = []
    for key, messages in exc.message_dict.items():
        subject = subject_words(key, person_names=person_names, camera_names=camera_names, labels=labels)
        for message in messages:
            message = without_requirement_codes(message)
            out.append(f"{subject[:1].upper()}{subject[1:]}: {message}" if subject else message)
    return out


# Why someone could see a case or an alert (recorded with each consultation as a code, R17), as people read it.
ACCESS_BASIS_LABELS = {
    "requester": gettext_lazy("requester"),
    "judge": gettext_lazy("judge"),
    "commission_member": gettext_lazy("commission member"),
    "object_permission": gettext_lazy("holder of a permission on this case"),
    "data_protection_review": gettext_lazy("data protection review"),
    "unit": gettext_lazy("member of the requesting unit"),
    "alert_verifier": gettext_lazy("alert verifier"),
}

# What a consultation showed (the recorded `part` or `format` code), as people read it; unknown codes as recorded.
CONSULTED_PART_LABELS = {
    "details": gettext_lazy("details"),
    "page": gettext_lazy("page"),
    "edit_form": gettext_lazy("the draft's form"),
    "remove_form": gettext_lazy("removal confirmation"),
    "decide_form": gettext_lazy("the decision form"),
    "vote_form": gettext_lazy("the vote form"),
    "impact_assessment": gettext_lazy("impact assessment"),
    "recordings": gettext_lazy("recordings of a post-event search"),
    "crop": gettext_lazy("crop"),
    "details and crop": gettext_lazy("details and crop"),
    "details and crop, reference photos": gettext_lazy("details and crop, reference photos"),
    "pdf": "PDF",
    "csv": "CSV",
}


def consulted_part(code) -> str:
    return str(CONSULTED_PART_LABELS.get(code, code or ""))


def access_basis(code) -> str:
    return str(ACCESS_BASIS_LABELS.get(code, code or ""))


# The camera errors recognition workers report (recognition.engine.VideoSource, stored in English as data), each
# with the words that translate it; shown in the reader's language at display time. Unknown wording is shown as is.
_SOURCE_ERROR = re.compile(r"^Video source (?P<source>.*?): (?P<reason>.*)\.$", re.DOTALL)
_OPEN_TIMEOUT = re.compile(
    r"^cannot open: unreachable, refused, no answer within (?P<seconds>[\d.]+) s, or not a video stream$"
)
_STOPPED_AFTER = re.compile(r"^stopped delivering frames after (?P<frames>\d+) frames$")
_INTERNAL = re.compile(r"^Analysis stopped on an internal error: (?P<detail>.*)$", re.DOTALL)


def _source_reason(reason: str) -> str:
    fixed = {
        "cannot open: the file does not exist": _("cannot open: the file does not exist"),
        "cannot open: not a file": _("cannot open: not a file"),
        "cannot open: not a readable video (corrupt, truncated or unsupported format)": _(
            "cannot open: not a readable video (corrupt, truncated or unsupported format)"
        ),
        "opened but delivered no frames (empty, corrupt or no signal)": _(
            "opened but delivered no frames (empty, corrupt or no signal)"
        ),
    }
    if reason in fixed:
        return fixed[reason]
    match = _OPEN_TIMEOUT.match(reason)
    if match:
        return _("cannot open: unreachable, refused, no answer within %(seconds)s s, or not a video stream") % {
            "seconds": match["seconds"]
        }
    match = _STOPPED_AFTER.match(reason)
    if match:
        return _("stopped delivering frames after %(frames)s frames") % {"frames": match["frames"]}
    return reason


def camera_error_text(message: str) -> str:
    """A camera error stored by a worker (English), in the active language."""
    if not message:
        return message
    match = _SOURCE_ERROR.match(message)
    if match:
        return _("Video source %(source)s: %(reason)s.") % {
            "source": match["source"],
            "reason": _source_reason(match["reason"]),
        }
    match = _INTERNAL.match(message)
    if match:
        return _("Analysis stopped on an internal error: %(detail)s") % {"detail": match["detail"]}
    return message


def case_use_words(case, *, now) -> str:
    """When the case is (or was) a use, in words (R16, R23), with a backdated grant shown as such:
    "from 12. 3. 2026 19:37 (running); window granted from 19:00 at 19:37: use from 19:37", "planned from …",
    "never in use"."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from oversight import selectors

    def moment(value) -> str:
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")

    start = selectors.case_use_start(case=case)
    period = selectors.case_active_period(case=case, now=now)
    if period is None:
        if selectors.case_is_planned(case=case, now=now):
            words = _("planned from %(start)s, not begun") % {"start": moment(start)}
        else:
            return _("never in use")
    elif selectors.case_ended_at(case=case, now=now) is None:
        words = _("from %(start)s (running)") % {"start": moment(period[0])}
    else:
        words = _("%(start)s to %(end)s") % {"start": moment(period[0]), "end": moment(period[1])}
    if selectors.case_is_backdated(case=case):
        words += "; " + _("window granted from %(window)s at %(granted)s: use from %(granted)s") % {
            "window": moment(case.approved_start),
            "granted": moment(case.decided_at),
        }
    return words


def time_left_at_pace(total: float, done: float, spent: float) -> float | None:
    """What is left of total at the pace so far (spent for done), in spent's unit; None before any progress."""
    if not done or not spent:
        return None
    return max(0.0, total - done) * spent / done


def footage_progress(figures: dict) -> dict:
    """R24: how far the analysis of a post-event case's recordings has come (from the case's usage figures), and the
    time left at its pace so far, as the case page shows it."""
    total, done, spent = (figures.get(k, 0) for k in ("footage_ms", "footage_analysed_ms", "footage_analysis_ms"))
    left_ms = time_left_at_pace(total, done, spent) if done < total else None
    return {
        "recordings": figures.get("recordings", 0),
        "percent": int(100 * done / total) if total else 0,
        "seconds_left": None if left_ms is None else round(left_ms / 1000),
    }
