"""A case's dossier for the office: in order, the request and its reasons, decisions and votes, scope changes,
the scans, alerts (and, once added, sightings) with their verifications and outcomes, deletions, and every
consultation (R16, R17, R23).

recognition's sections (office.reports.sections) are listed in SECTION_BUILDERS, ordered by their `order`; the
figures at the top come from recognition's usage figures (office.reports.figures). Persons appear by number and
category only: a dossier may travel, names stay on the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audits.events import EventType
from audits.models import AuditEvent
from audits.wording import actor_words
from office.reports.figures import (
    USAGE_FIGURES,
    DossierSection,
    false_rates,
    local_number,
    local_timestamp,
    plain,
    usage_for_cases,
)
from office.reports.sections import alerts_section, recordings_section, scans_section
from oversight import selectors
from oversight.models import Case, Person
from oversight.models.cases import case_field_label
from oversight.wording import access_basis, consulted_part

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


def _consultation_rows(events) -> tuple[tuple, ...]:
    rows = []
    for event in events:
        data = event.data_dict
        what = consulted_part(data.get("part") or data.get("format"))
        code = data.get("access") or data.get("access_basis")
        basis = access_basis(code) if code else data.get("justification") or ""
        rows.append(
            (
                event.seq,
                local_timestamp(event.occurred_at),
                actor_words(event),
                plain(event.get_event_type_display()),
                what,
                basis,
            )
        )
    return tuple(rows)


# What recognition did for the case (office.reports.sections); further kinds of results add their builder here.
SECTION_BUILDERS = (scans_section, recordings_section, alerts_section)


def case_dossier(*, case: Case) -> Dossier:
    """Everything the office needs about one case, in order; reads only."""
    case = selectors.case_detail(case=case)
    events = list(AuditEvent.objects.filter(case_ref=case.reference).order_by("seq"))
    scope_events = [e for e in events if e.event_type in SCOPE_EVENTS]
    deletions = [e for e in events if any(word in e.event_type for word in DELETION_WORDS)]
    consultations = [e for e in events if e.event_type.endswith(CONSULTATION_SUFFIXES)]
    names = _Names(case)
    sections = [
        _request_section(case),
        _decisions_section(case, names),
        _events_section("scope", _("Scope changes and states"), SCOPE_ORDER, scope_events, names),
        _events_section("deletions", _("Deletions"), DELETIONS_ORDER, deletions, names),
        DossierSection(
            "consultations",
            _("Consultations and disclosures"),
            CONSULTATIONS_ORDER,
            (_("Event"), _("When"), _("Who"), _("What"), _("Part or format"), _("Basis or justification")),
            _consultation_rows(consultations),
        ),
    ]
    # A builder answers None when its section does not apply (recordings: post-event searches only, R24).
    sections.extend(section for builder in SECTION_BUILDERS if (section := builder(case)) is not None)
    figures = usage_for_cases([case])[case.pk]
    period = selectors.case_active_period(case=case, now=timezone.now())
    summary = {str(label): figures[key] for key, label in USAGE_FIGURES}
    rates = false_rates(figures)
    summary[_("False alert rate per face processed")] = rates["false_rate_per_face"]
    summary[_("False alert rate per alert")] = rates["false_rate_per_alert"]
    summary[_("In use")] = (
        _("%(start)s to %(end)s") % {"start": local_timestamp(period[0]), "end": local_timestamp(period[1])}
        if period
        else _("never activated")
    )
    return Dossier(
        case=case,
        status=plain(case.get_status_display()),
        figures=summary,
        sections=tuple(sorted(sections, key=lambda s: s.order)),
    )
