"""Deployment records (R23): one row per use of a case, in the columns police forces publish.

A use begins when processing may begin (oversight.selectors.case_use_start): the urgent start, or the later of the
granted start and the grant itself (a window granted at 19:37 "from 19:00" is shown as backdated, and its use
begins at 19:37); an urgent start followed by an authorisation is one continuous use. It ends at the case's real
end (case_ended_at: revocation, expiry, closure, refusal), or runs up to now. A case authorised for a window that
has not begun is PLANNED: listed apart (planned_cases), never counted as a use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.events import EventType
from audits.models import AuditEvent
from office.reports.figures import OUTCOME_FIGURES, false_rates, local_number, usage_for_cases
from oversight import selectors
from oversight.models import Case, CaseCamera, Person

RECORD_COLUMNS = (
    ("date", gettext_lazy("Date")),
    ("reference", gettext_lazy("Case")),
    ("deployments", gettext_lazy("Deployment")),
    ("locations", gettext_lazy("Locations")),
    ("cameras", gettext_lazy("Cameras")),
    ("start", gettext_lazy("Start")),
    ("end", gettext_lazy("End")),
    ("window", gettext_lazy("Window authorised")),
    ("duration_hours", gettext_lazy("Duration (hours)")),
    ("objective", gettext_lazy("Objective")),
    ("authority", gettext_lazy("Authorised by")),
    ("urgent", gettext_lazy("Urgent start")),
    ("watchlist_size", gettext_lazy("Watchlist size")),
    ("threshold", gettext_lazy("Threshold")),
    ("faces_processed", gettext_lazy("Faces processed")),
    ("alerts", gettext_lazy("Alerts")),
    ("alerts_verified", gettext_lazy("Verified alerts")),
    ("alerts_false", gettext_lazy("False alerts")),
    ("alerts_pending", gettext_lazy("Awaiting verification")),
    ("false_rate_per_face", gettext_lazy("False alert rate per face processed")),
    ("false_rate_per_alert", gettext_lazy("False alert rate per alert")),
    *OUTCOME_FIGURES,
    # R24: post-event searches of recorded footage are uses of their own kind, with the footage they searched.
    ("kind", gettext_lazy("Kind of use")),
    ("footage", gettext_lazy("Footage searched (capture time)")),
)


@dataclass
class DeploymentRecord:
    case: Case
    start: datetime
    end: datetime
    ongoing: bool
    values: dict = field(default_factory=dict)
    usage: dict = field(default_factory=dict)
    camera_links: list = field(default_factory=list)

    def as_row(self) -> list:
        """The row as people read it: numbers in the active language's format."""
        return [local_number(self.values[key]) for key, _label in RECORD_COLUMNS]


def activated_cases() -> QuerySet[Case]:
    """Cases that were ever in use (an urgent start or an authorisation)."""
    return (
        Case.objects.filter(Q(urgent_started_at__isnull=False) | Q(approved_start__isnull=False))
        .select_related("objective")
        .prefetch_related(
            Prefetch(
                "case_cameras",
                queryset=CaseCamera.objects.filter(in_scope=True)
                .select_related("camera")
                .prefetch_related("camera__deployments")
                .order_by("camera__name"),
                to_attr="scope_cameras",
            ),
            Prefetch("persons", queryset=Person.objects.filter(in_scope=True), to_attr="scope_persons"),
        )
        .order_by("id")
    )


def _watchlist_sizes(cases: list[Case]) -> dict[str, int]:
    """Persons in the authorised scope, as the authorisation recorded them (erasure later cannot change it)."""
    sizes = {}
    events = AuditEvent.objects.filter(
        event_type=EventType.CASE_APPROVED, case_ref__in=[c.reference for c in cases]
    ).only("case_ref", "data")
    for event in events:
        sizes[event.case_ref] = len(event.data_dict.get("person_ids") or [])
    return sizes


def _moment(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def window_words(case: Case) -> str:
    """The window the use ran in, as authorised: "19:00 to 23:00, granted at 19:37 (backdated)", or the urgent
    window (R9) while no authorisation came."""
    if case.approved_start is not None:
        words = _("%(start)s to %(end)s") % {"start": _moment(case.approved_start), "end": _moment(case.approved_end)}
        if selectors.case_is_backdated(case=case):
            words += " " + _("(granted at %(granted)s: backdated, the use began then)") % {
                "granted": _moment(case.decided_at)
            }
        return words
    if case.urgent_started_at is not None:
        return _("urgent: %(start)s to %(end)s at the latest") % {
            "start": _moment(max(case.urgent_started_at, case.requested_start)),
            "end": _moment(min(case.urgency_ends_at, case.requested_end)),
        }
    return ""


@dataclass
class PlannedUse:
    """An authorised case whose window has not begun: not a use yet (R23)."""

    case: Case
    start: datetime
    end: datetime | None


def planned_cases(*, now=None) -> list[PlannedUse]:
    """Cases authorised (or started urgently) whose use has not begun at `now`, soonest first."""
    now = now or timezone.now()
    planned = []
    for case in (
        Case.objects.filter(approved_start__isnull=False, urgent_started_at__isnull=True)
        .filter(Q(approved_end__gt=now))
        .select_related("objective")
    ):
        if selectors.case_is_planned(case=case, now=now):
            planned.append(PlannedUse(case=case, start=selectors.case_use_start(case=case), end=case.approved_end))
    return sorted(planned, key=lambda p: (p.start, p.case.pk))


def deployment_records(*, year: int | None = None, cases: list[Case] | None = None, now=None) -> list[DeploymentRecord]:
    """The records of activations starting in `year` (local time), or of the given cases; oldest first."""
    now = now or timezone.now()
    cases = list(activated_cases() if cases is None else cases)
    periods = {}
    for case in cases:
        period = selectors.case_active_period(case=case, now=now)
        if period is not None and (year is None or timezone.localtime(period[0]).year == year):
            periods[case.pk] = period
    cases = [c for c in cases if c.pk in periods]
    usage = usage_for_cases(cases)
    sizes = _watchlist_sizes(cases)
    records = []
    for case in sorted(cases, key=lambda c: (periods[c.pk][0], c.pk)):
        start, end = periods[case.pk]
        links = getattr(case, "scope_cameras", None)
        if links is None:
            links = list(case.case_cameras.filter(in_scope=True).select_related("camera").order_by("camera__name"))
        persons = getattr(case, "scope_persons", None)
        watchlist = sizes.get(case.reference, len(persons) if persons is not None else case.persons.count())
        figures = usage[case.pk]
        ongoing = selectors.case_ended_at(case=case, now=now) is None
        deployments = sorted({d.name for link in links for d in link.camera.deployments.all()})
        values = {
            "date": date_format(timezone.localtime(start), "SHORT_DATE_FORMAT"),
            "reference": case.reference,
            "deployments": "; ".join(deployments),
            "locations": "; ".join(sorted({link.camera.location_label for link in links})),
            "cameras": "; ".join(link.camera.name for link in links),
            "start": date_format(timezone.localtime(start), "SHORT_DATETIME_FORMAT"),
            "end": _("%(end)s (running)") % {"end": date_format(timezone.localtime(end), "SHORT_DATETIME_FORMAT")}
            if ongoing
            else date_format(timezone.localtime(end), "SHORT_DATETIME_FORMAT"),
            "window": window_words(case),
            "duration_hours": round((end - start).total_seconds() / 3600, 2),
            "objective": case.objective.display_label,
            "authority": case.get_authority_display(),
            "urgent": _("yes") if case.urgent_started_at else _("no"),
            "watchlist_size": watchlist,
            "threshold": case.effective_threshold,
            **{key: figures[key] for key in ("faces_processed", "alerts", "alerts_verified", "alerts_false")},
            "alerts_pending": figures["alerts_pending"],
            **false_rates(figures),
            **{key: figures[key] for key, _label in OUTCOME_FIGURES},
            "kind": case.get_kind_display(),
            "footage": _footage(case),
        }
        records.append(
            DeploymentRecord(
                case=case, start=start, end=end, ongoing=ongoing, values=values, usage=figures, camera_links=links
            )
        )
    return records


def _footage(case: Case) -> str:
    if not case.is_post_event or case.effective_capture_range[0] is None:
        return ""
    start, end = case.effective_capture_range
    first = date_format(timezone.localtime(start), "SHORT_DATETIME_FORMAT")
    return f"{first} – {date_format(timezone.localtime(end), 'SHORT_DATETIME_FORMAT')}"
