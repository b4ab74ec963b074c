"""A case's dossier for the office: in order, the request and its reasons, decisions and votes, scope changes,
the scans, alerts (and, once added, sightings) with their verifications and outcomes, deletions, and every
consultation (R16, R17, R23).

Sections from higher layers come through oversight.registry (dossier_section_register), ordered by their `order`;
the figures at the top come from the registered usage providers. Persons appear by number and category only: a
dossier may travel, names stay on the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from audits.events import EventType
from audits.models import AuditEvent
from oversight import selectors
from oversight.models import Case
from oversight.registry import DossierSection, dossier_section_builders
from oversight.reports.figures import USAGE_FIGURES, false_rates, plain, usage_for_cases

REQUEST_ORDER, DECISIONS_ORDER, SCOPE_ORDER, DELETIONS_ORDER, CONSULTATIONS_ORDER = 10, 20, 30, 60, 70

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


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _request_section(case: Case) -> DossierSection:
    rows = []
    for row in selectors.case_request_rows(case=case):
        if row["document"]:
            rows.append((row["label"], "attached" if row["value"] else "missing"))
        else:
            rows.append((row["label"], "" if row["value"] is None else str(row["value"])))
    rows.append(("Reference", case.reference))
    rows.append(("Requesting unit", case.unit))
    rows.append(("Submitted", _fmt(case.submitted_at)))
    if case.urgent_started_at:
        rows.append(("Urgent start", _fmt(case.urgent_started_at)))
        rows.append(("Urgency reason", case.urgency_reason))
    for person in case.persons.order_by("id"):
        rows.append((f"Person sought {person.pk}", f"{person.get_category_display()}: {person.reason}"))
    for link in case.case_cameras.select_related("camera").order_by("id"):
        rows.append((f"Camera {link.camera.name}", f"{link.camera.location_label}: {link.reason}"))
    return DossierSection("request", "The request and its reasons", REQUEST_ORDER, ("Item", "Value"), tuple(rows))


def _scope_text(p) -> str:
    if not p.granted:
        return ""
    return (
        f"{_fmt(p.scope_start)} to {_fmt(p.scope_end)}, threshold {p.scope_threshold}, "
        f"persons {p.scope_person_ids}, cameras {p.scope_camera_ids}"
    )


def _decisions_section(case: Case) -> DossierSection:
    rows = []
    decision = getattr(case, "decision", None)  # the reverse one-to-one raises AttributeError when absent
    if decision is not None:
        verdict = "granted" if decision.granted else "refused"
        rows.append(
            ("Decision", decision.decided_by.get_username(), _fmt(decision.created_at), verdict, decision.reasons)
        )
        if decision.granted:
            rows.append(("Scope allowed", "", "", "", _scope_text(decision)))
    for vote in case.votes.select_related("member").order_by("id"):
        rows.append(
            (
                "Vote",
                vote.member.get_username(),
                _fmt(vote.created_at),
                "for" if vote.granted else "against",
                vote.reasons + (f" [{_scope_text(vote)}]" if vote.granted else ""),
            )
        )
    return DossierSection(
        "decisions", "Decisions and votes", DECISIONS_ORDER, ("Kind", "By", "When", "Verdict", "Reasons"), tuple(rows)
    )


def _summary(event: AuditEvent) -> str:
    data = event.data_dict
    parts = []
    if "from" in data and "to" in data:
        parts.append(f"{data['from'] or 'none'} -> {data['to']}")
    for key in ("changed", "cameras_added", "cameras_removed", "narrowed", "category", "urgency_ends_at"):
        if data.get(key):
            parts.append(f"{key}: {data[key]}")
    for key in ("approved_start", "approved_end", "approved_threshold"):
        if data.get(key) is not None:
            parts.append(f"{key}: {data[key]}")
    return "; ".join(str(p) for p in parts)


def _event_rows(events) -> tuple[tuple, ...]:
    return tuple(
        (event.seq, _fmt(event.occurred_at), event.actor_label, plain(event.get_event_type_display()), _summary(event))
        for event in events
    )


def _events_section(key: str, title: str, order: int, events) -> DossierSection:
    return DossierSection(key, title, order, ("Event", "When", "Who", "What", "Details"), _event_rows(events))


def _consultation_rows(events) -> tuple[tuple, ...]:
    rows = []
    for event in events:
        data = event.data_dict
        what = data.get("part") or data.get("format") or ""
        basis = data.get("access") or data.get("access_basis") or data.get("justification") or ""
        rows.append(
            (event.seq, _fmt(event.occurred_at), event.actor_label, plain(event.get_event_type_display()), what, basis)
        )
    return tuple(rows)


def case_dossier(*, case: Case) -> Dossier:
    """Everything the office needs about one case, in order; reads only."""
    case = selectors.case_detail(case=case)
    events = list(AuditEvent.objects.filter(case_ref=case.reference).order_by("seq"))
    scope_events = [e for e in events if e.event_type in SCOPE_EVENTS]
    deletions = [e for e in events if any(word in e.event_type for word in DELETION_WORDS)]
    consultations = [e for e in events if e.event_type.endswith(CONSULTATION_SUFFIXES)]
    sections = [
        _request_section(case),
        _decisions_section(case),
        _events_section("scope", "Scope changes and states", SCOPE_ORDER, scope_events),
        _events_section("deletions", "Deletions", DELETIONS_ORDER, deletions),
        DossierSection(
            "consultations",
            "Consultations and disclosures",
            CONSULTATIONS_ORDER,
            ("Event", "When", "Who", "What", "Part or format", "Basis or justification"),
            _consultation_rows(consultations),
        ),
    ]
    sections.extend(builder(case) for builder in dossier_section_builders())
    figures = usage_for_cases([case])[case.pk]
    period = selectors.case_active_period(case=case, now=timezone.now())
    summary = {label: figures[key] for key, label in USAGE_FIGURES}
    rates = false_rates(figures)
    summary["False alert rate per face processed"] = rates["false_rate_per_face"]
    summary["False alert rate per alert"] = rates["false_rate_per_alert"]
    summary["In use"] = f"{_fmt(period[0])} to {_fmt(period[1])}" if period else "never activated"
    return Dossier(
        case=case,
        status=plain(case.get_status_display()),
        figures=summary,
        sections=tuple(sorted(sections, key=lambda s: s.order)),
    )
