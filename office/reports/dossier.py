"""A case's dossier for the office (R16, R17, R23): a SUMMARY first (who asked, who decided, the scope granted
against the scope asked, the use, one operating period per camera, sightings with their verification and outcomes,
consultations by person and purpose, deletions), then the details: the request and its reasons, decisions and
votes, scope changes, operating periods, sightings per person and camera, deletions, and consultations per person
and day. Every part grows with what happened, not with time: a 72-hour case on six cameras reads like a 1-hour one
with more sightings (STYLE habit 14).

recognition's sections (office.reports.sections) are listed in SECTION_BUILDERS, ordered by their `order`; the
figures at the top come from recognition's usage figures (office.reports.figures). Persons appear by number and
category only: a dossier may travel, names stay on the case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from audits.events import EventType
from audits.models import AuditEvent
from audits.wording import actor_words
from office.reports.figures import (
    USAGE_FIGURES,
    DossierSection,
    false_rates,
    grouped,
    local_number,
    local_timestamp,
    plain,
    usage_for_cases,
)
from office.reports.sections import (
    period_summary,
    periods_section,
    recordings_section,
    sightings_groups_section,
    sightings_section,
)
from oversight import selectors
from oversight.models import Case, Person
from oversight.models.cases import case_field_label
from oversight.wording import access_basis, case_use_words, consulted_part
from recognition.reports import operating_periods

SUMMARY_ORDER, REQUEST_ORDER, DECISIONS_ORDER, SCOPE_ORDER, DELETIONS_ORDER, CONSULTATIONS_ORDER = 5, 10, 20, 30, 60, 70

# Events that change a case's state or scope, shown under "scope changes".
SCOPE_EVENTS = (
    EventType.CASE_CREATED,
    EventType.CASE_UPDATED,
    EventType.PERSON_ADDED,
    EventType.PERSON_REMOVED,
    EventType.CASE_SUBMITTED,
    EventType.CASE_URGENT_STARTED,
    EventType.CASE_APPROVED,
    EventType.CASE_DENIED,
    EventType.CASE_REVOKED,
    EventType.CASE_WITHDRAWN,
    EventType.CASE_EXPIRED,
    EventType.CASE_URGENCY_LAPSED,
    EventType.CASE_CLOSED,
)
# Consultations and disclosures (R17): every *.viewed event and every export.
CONSULTATION_SUFFIXES = (".viewed", ".exported", ".dossier_viewed")
# Deletions: due, done, destroyed or erased; event types added later with these words count too.
DELETION_WORDS = ("delet", "destroy", "erase")


@dataclass(frozen=True)
class Dossier:
    case: Case
    status: str
    figures: dict
    sections: tuple[DossierSection, ...]

    @property
    def figures_shown(self) -> dict:
        """The figures as people read them: thousands grouped in the active language."""
        return {label: grouped(value) for label, value in self.figures.items()}


def _request_section(case: Case) -> DossierSection:
    rows = []
    for row in selectors.case_request_rows(case=case):
        if row["document"]:
            rows.append((row["label"], _("attached") if row["value"] else _("missing")))
        elif row["datetime"]:
            rows.append((row["label"], local_timestamp(row["value"])))
        else:
            rows.append((row["label"], "" if row["value"] is None else str(local_number(row["value"]))))
    rows.append((_("Case reference"), case.reference))
    rows.append((_("Requesting unit"), case.unit))
    rows.append((_("Submitted"), local_timestamp(case.submitted_at)))
    if case.urgent_started_at:
        rows.append((_("Urgent start"), local_timestamp(case.urgent_started_at)))
        rows.append((_("Urgency reason"), case.urgency_reason))
    for person in case.persons.order_by("id"):
        rows.append(
            (_("Person sought %(number)s") % {"number": person.pk}, f"{person.get_category_display()}: {person.reason}")
        )
    for link in case.case_cameras.select_related("camera").order_by("id"):
        rows.append((_("Camera %(name)s") % {"name": link.camera.name}, f"{link.camera.location_label}: {link.reason}"))
    return DossierSection(
        "request", _("The request and its reasons"), REQUEST_ORDER, (_("Item"), _("Value")), tuple(rows)
    )


class _Names:
    """How the dossier names a case's cameras (by name) and persons (by number, never by name) in its rows."""

    def __init__(self, case: Case):
        self.cameras = {link.camera_id: link.camera.name for link in case.case_cameras.select_related("camera")}

    def cameras_text(self, ids) -> str:
        return ", ".join(self.cameras.get(pk, _("camera %(number)s") % {"number": pk}) for pk in ids or ())

    @staticmethod
    def persons_text(ids) -> str:
        return ", ".join(_("person sought %(number)s") % {"number": pk} for pk in ids or ())


def _scope_text(p, names: _Names) -> str:
    if not p.granted:
        return ""
    return _("%(start)s to %(end)s, threshold %(threshold)s, persons %(persons)s, cameras %(cameras)s") % {
        "start": local_timestamp(p.scope_start),
        "end": local_timestamp(p.scope_end),
        "threshold": localize(p.scope_threshold),
        "persons": names.persons_text(p.scope_person_ids),
        "cameras": names.cameras_text(p.scope_camera_ids),
    }


def _decisions_section(case: Case, names: _Names) -> DossierSection:
    rows = []
    decision = getattr(case, "decision", None)  # the reverse one-to-one raises AttributeError when absent
    if decision is not None:
        verdict = _("granted") if decision.granted else _("refused")
        rows.append(
            (
                _("Decision"),
                decision.decided_by.get_username(),
                local_timestamp(decision.created_at),
                verdict,
                decision.reasons,
            )
        )
        if decision.granted:
            rows.append((_("Scope allowed"), "", "", "", _scope_text(decision, names)))
    for vote in case.votes.select_related("member").order_by("id"):
        rows.append(
            (
                _("Vote"),
                vote.member.get_username(),
                local_timestamp(vote.created_at),
                pgettext("vote", "for") if vote.granted else pgettext("vote", "against"),
                vote.reasons + (f" [{_scope_text(vote, names)}]" if vote.granted else ""),
            )
        )
    return DossierSection(
        "decisions",
        _("Decisions and votes"),
        DECISIONS_ORDER,
        (_("Kind"), _("By"), _("When"), _("Verdict"), _("Reasons")),
        tuple(rows),
    )


# The audit payload's keys as people read them; the payload itself is stored data and stays as recorded.
_DETAIL_LABELS = {
    "changed": gettext_lazy("fields changed"),
    "cameras_added": gettext_lazy("cameras added"),
    "cameras_removed": gettext_lazy("cameras removed"),
    "category": gettext_lazy("category"),
    "urgency_ends_at": gettext_lazy("urgency ends"),
    "approved_start": gettext_lazy("authorised from"),
    "approved_end": gettext_lazy("authorised until"),
    "approved_threshold": gettext_lazy("threshold"),
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "threshold": gettext_lazy("threshold"),
    "persons_excluded": gettext_lazy("persons left out"),
    "cameras_excluded": gettext_lazy("cameras left out"),
    # R24: a post-event search's footage, as requested and as allowed.
    "capture_start": gettext_lazy("footage from"),
    "capture_end": gettext_lazy("footage until"),
    "approved_capture_start": gettext_lazy("footage authorised from"),
    "approved_capture_end": gettext_lazy("footage authorised until"),
}


def _detail_value(key: str, value, names: _Names) -> str:
    if key.startswith("cameras"):
        return names.cameras_text(value)
    if key.startswith("persons"):
        return names.persons_text(value)
    if key == "changed":
        return ", ".join(_field_label(name) for name in value)
    if key == "category":
        return str(dict(Person.Category.choices).get(value, value))
    if isinstance(value, dict) and "requested" in value:
        return _("%(requested)s requested, %(allowed)s allowed") % {
            "requested": _detail_value(key, value["requested"], names),
            "allowed": _detail_value(key, value["allowed"], names),
        }
    if isinstance(value, str) and (moment := parse_datetime(value)) is not None:
        return local_timestamp(moment)
    if isinstance(value, float):
        return localize(value)
    if "threshold" in key and isinstance(value, str):
        try:  # thresholds recorded as text ("0.5") read like every other number
            return localize(float(value))
        except ValueError:
            return value
    return str(value)


_RELATED_LABELS = {"persons": gettext_lazy("persons"), "cameras": gettext_lazy("cameras")}


def _field_label(name: str) -> str:
    if name in _RELATED_LABELS:
        return str(_RELATED_LABELS[name])
    try:
        return str(case_field_label(name))
    except Exception:  # noqa: BLE001 - a field renamed since the event was recorded keeps its recorded name
        return name


def _status_label(code) -> str:
    return str(dict(Case.Status.choices).get(code, code)) if code else "—"


def _summary(event: AuditEvent, names: _Names) -> str:
    data = event.data_dict
    parts = []
    if "from" in data and "to" in data:
        parts.append(f"{_status_label(data['from'])} → {_status_label(data['to'])}")
    for key in ("changed", "cameras_added", "cameras_removed", "category", "urgency_ends_at"):
        if data.get(key):
            parts.append(f"{_DETAIL_LABELS[key]}: {_detail_value(key, data[key], names)}")
    for key, value in (data.get("narrowed") or {}).items():
        parts.append(f"{_DETAIL_LABELS.get(key, key)}: {_detail_value(key, value, names)}")
    for key in ("approved_start", "approved_end", "approved_threshold"):
        if data.get(key) is not None:
            parts.append(f"{_DETAIL_LABELS[key]}: {_detail_value(key, data[key], names)}")
    return "; ".join(parts)


def _event_rows(events, names: _Names) -> tuple[tuple, ...]:
    return tuple(
        (
            event.seq,
            local_timestamp(event.occurred_at),
            actor_words(event),
            plain(event.get_event_type_display()),
            _summary(event, names),
        )
        for event in events
    )


def _events_section(key: str, title: str, order: int, events, names: _Names) -> DossierSection:
    return DossierSection(
        key, title, order, (_("Event"), _("When"), _("Who"), _("What"), _("Details")), _event_rows(events, names)
    )


def _disclosure_justification(reference) -> str:
    """A disclosure's justification, from the row the event references (events copy no typed text, R17)."""
    if not isinstance(reference, str) or not reference.startswith("audits.AuditDisclosure:"):
        return ""
    from audits.models import AuditDisclosure

    pk = reference.rsplit(":", 1)[1]
    return AuditDisclosure.objects.filter(pk=int(pk)).values_list("justification", flat=True).first() or ""


def _consultation_basis(data: dict) -> str:
    code = data.get("access") or data.get("access_basis")
    return access_basis(code) if code else _disclosure_justification(data.get("disclosure"))


def consultation_groups(events) -> list[dict]:
    """Consultations and disclosures (R17) per person and day (display time zone), with what they consulted and on
    what basis: the details grow with the people and days, not with every page they opened."""
    groups: dict[tuple, dict] = {}
    # Looked up once per type, as plain text (the details list thousands of events).
    labels = {code: plain(label) for code, label in EventType.choices}
    for event in events:
        data = event.data_dict
        day = timezone.localtime(event.occurred_at).date()
        who = actor_words(event)
        group = groups.setdefault(
            (day, who),
            {"day": day, "who": who, "count": 0, "what": Counter(), "bases": Counter(), "first": None, "last": None},
        )
        group["count"] += 1
        what = labels.get(event.event_type, event.event_type)
        part = consulted_part(data.get("part") or data.get("format"))
        group["what"][f"{what} ({part})" if part else what] += 1
        if basis := _consultation_basis(data):
            group["bases"][basis] += 1
        group["first"] = group["first"] or event.occurred_at
        group["last"] = event.occurred_at
    return sorted(groups.values(), key=lambda g: (g["day"], g["who"]))


def _counted(counter: Counter) -> str:
    return "; ".join(f"{name} × {grouped(n)}" for name, n in counter.most_common())


def _consultation_rows(groups: list[dict]) -> tuple[tuple, ...]:
    return tuple(
        (
            date_format(g["day"], "SHORT_DATE_FORMAT"),
            g["who"],
            grouped(g["count"]),
            _("%(first)s to %(last)s")
            % {
                "first": date_format(timezone.localtime(g["first"]), "TIME_FORMAT"),
                "last": date_format(timezone.localtime(g["last"]), "TIME_FORMAT"),
            },
            _counted(g["what"]),
            _counted(g["bases"]),
        )
        for g in groups
    )


def _moment(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def _span(start, end) -> str:
    return _("%(start)s to %(end)s") % {"start": _moment(start), "end": _moment(end)}


def _who_decided(case: Case) -> str:
    decision = getattr(case, "decision", None)
    votes = list(case.votes.select_related("member").order_by("id"))
    verdict = ""
    if case.decided_at is not None:
        verdict = _("granted") if case.approved_start is not None else _("refused")
    if votes:
        tally = ", ".join(
            f"{vote.member.get_username()} ({pgettext('vote', 'for') if vote.granted else pgettext('vote', 'against')})"
            for vote in votes
        )
        text = _("the commission: %(votes)s") % {"votes": tally}
    elif decision is not None:
        text = decision.decided_by.get_username()
    else:
        return _("not decided")
    return f"{text}; {verdict} {_moment(case.decided_at)}" if verdict else text


def _asked_and_granted(asked: int, granted: int, granted_names: str, left_out: str) -> str:
    text = _("%(asked)s asked, %(granted)s granted: %(names)s") % {
        "asked": asked,
        "granted": granted,
        "names": granted_names or "—",
    }
    return text + ("; " + _("left out: %(names)s") % {"names": left_out} if left_out else "")


_OUTCOME_WORDS = (
    ("outcome_no_action", pgettext_lazy("outcomes", "no action")),
    ("outcome_engaged", pgettext_lazy("outcomes", "engaged")),
    ("outcome_arrested", pgettext_lazy("outcomes", "arrested")),
    ("outcome_other", pgettext_lazy("outcomes", "other")),
    ("outcome_not_recorded", pgettext_lazy("outcomes", "not recorded")),
)


def summary_section(case: Case, *, names, periods, figures, consultations, deletions, now) -> DossierSection:
    """The dossier's first page: the whole case in a few lines."""
    granted = case.approved_start is not None
    rows = [
        (
            _("Requested by"),
            f"{case.requester.get_username()}"
            + (f" ({case.unit})" if case.unit else "")
            + (", " + _("submitted %(when)s") % {"when": _moment(case.submitted_at)} if case.submitted_at else ""),
        ),
    ]
    if case.urgent_started_at:
        rows.append((_("Urgent start"), f"{_moment(case.urgent_started_at)}: {case.urgency_reason}"))
    rows.append((_("Decided by"), _who_decided(case)))
    rows.append((_("Window asked"), _span(case.requested_start, case.requested_end)))
    if granted:
        rows.append((_("Window granted"), _span(case.approved_start, case.approved_end)))
    rows.append((_("In use"), case_use_words(case, now=now)))
    links = list(case.case_cameras.all())
    in_scope = [link.camera.name for link in links if link.in_scope]
    left_out = [link.camera.name for link in links if not link.in_scope]
    rows.append((_("Cameras"), _asked_and_granted(len(links), len(in_scope), ", ".join(in_scope), ", ".join(left_out))))
    persons = list(case.persons.all())
    rows.append(
        (
            _("Persons sought"),
            _asked_and_granted(
                len(persons),
                sum(1 for p in persons if p.in_scope),
                names.persons_text([p.pk for p in persons if p.in_scope]),
                names.persons_text([p.pk for p in persons if not p.in_scope]),
            ),
        )
    )
    threshold = _("asked %(asked)s") % {"asked": localize(case.match_threshold)}
    if case.approved_threshold is not None:
        threshold += ", " + _("granted %(granted)s") % {"granted": localize(case.approved_threshold)}
    rows.append((_("Threshold"), threshold))
    for period in periods:
        rows.append((_("Camera %(name)s") % {"name": period.camera.name}, period_summary(period)))
    outcomes = [f"{label} {grouped(figures[key])}" for key, label in _OUTCOME_WORDS if figures.get(key)]
    rows.append(
        (
            _("Sightings"),
            _("%(total)s: %(verified)s verified by two people, %(false)s false, %(pending)s awaiting verification")
            % {
                "total": grouped(figures["alerts"]),
                "verified": grouped(figures["alerts_verified"]),
                "false": grouped(figures["alerts_false"]),
                "pending": grouped(figures["alerts_pending"]),
            }
            + ("; " + _("outcomes: %(list)s") % {"list": ", ".join(outcomes)} if outcomes else ""),
        )
    )
    by_person: dict[str, Counter] = {}
    for group in consultations:
        counter = by_person.setdefault(group["who"], Counter())
        for basis, n in (group["bases"] or Counter({_("no basis recorded"): group["count"]})).items():
            counter[basis] += n
    for who, bases in sorted(by_person.items()):
        rows.append((_("Consultations by %(who)s") % {"who": who}, _counted(bases)))
    if not by_person:
        rows.append((_("Consultations"), _("none")))
    rows.append(
        (
            _("Deletions"),
            _counted(Counter(plain(e.get_event_type_display()) for e in deletions)) or _("none"),
        )
    )
    return DossierSection("summary", _("Summary"), SUMMARY_ORDER, (_("Item"), _("Value")), tuple(rows))


# What recognition did for the case (office.reports.sections); further kinds of results add their builder here.
SECTION_BUILDERS = (periods_section, recordings_section, sightings_groups_section, sightings_section)

# The audit events the dossier reads, by type: the trail of a long case holds millions of frame batches, so the
# query names the types it needs instead of reading the case's whole trail.
CONSULTATION_TYPES = tuple(t for t in EventType.values if t.endswith(CONSULTATION_SUFFIXES))
DELETION_TYPES = tuple(t for t in EventType.values if any(word in t for word in DELETION_WORDS))


def case_dossier(*, case: Case, now=None) -> Dossier:
    """Everything the office needs about one case: a summary first, then details that grow with what happened."""
    now = now or timezone.now()
    case = selectors.case_detail(case=case)
    events = list(
        AuditEvent.objects.filter(
            case_ref=case.reference, event_type__in={*SCOPE_EVENTS, *CONSULTATION_TYPES, *DELETION_TYPES}
        ).order_by("seq")
    )
    scope_events = [e for e in events if e.event_type in SCOPE_EVENTS]
    deletions = [e for e in events if e.event_type in DELETION_TYPES]
    consultations = consultation_groups(e for e in events if e.event_type in CONSULTATION_TYPES)
    names = _Names(case)
    periods = operating_periods(case, now=now)
    figures = usage_for_cases([case])[case.pk]
    sections = [
        summary_section(
            case,
            names=names,
            periods=periods,
            figures=figures,
            consultations=consultations,
            deletions=deletions,
            now=now,
        ),
        _request_section(case),
        _decisions_section(case, names),
        _events_section("scope", _("Scope changes and states"), SCOPE_ORDER, scope_events, names),
        _events_section("deletions", _("Deletions"), DELETIONS_ORDER, deletions, names),
        DossierSection(
            "consultations",
            _("Consultations and disclosures per person and day"),
            CONSULTATIONS_ORDER,
            (_("Day"), _("Who"), _("How many"), _("Between"), _("What"), _("Basis or justification")),
            _consultation_rows(consultations),
        ),
    ]
    # A builder answers None when its section does not apply (recordings: post-event searches only, R24).
    sections.extend(section for builder in SECTION_BUILDERS if (section := builder(case)) is not None)
    summary = {str(label): figures[key] for key, label in USAGE_FIGURES}
    rates = false_rates(figures)
    summary[_("False alert rate per face processed")] = rates["false_rate_per_face"]
    summary[_("False alert rate per alert")] = rates["false_rate_per_alert"]
    summary[_("In use")] = case_use_words(case, now=now)
    return Dossier(
        case=case,
        status=plain(case.get_status_display()),
        figures=summary,
        sections=tuple(sorted(sections, key=lambda s: s.order)),
    )
