"""What the public register shows, and when: a rule applied to the office's deployment records, never a choice made
per page view (R23).

- A use appears only once it has ended (`office.reports.records`: not ongoing, not planned) and only if no
  withholding by its deciding authority is in force that day.
- Its figures are the deployment records' own (`deployment_records`, `usage_for_cases`): nothing is recomputed here,
  so a correction of the records shows in the register at once.
- Published: the period, the deployments and locations by name (never a camera, an address or coordinates), the
  objective, who decided (the kind of authority), the counts and the two false-alert rates. Never a person's name,
  a photo, a case reference or any free text.
- Small counts are banded: a count from 1 to BAND_BELOW - 1 is shown as "fewer than BAND_BELOW" (`BANDED` in the
  files); 0 and counts of BAND_BELOW or more exactly. A rate is shown only when its numerator is 0 or at least
  BAND_BELOW and its denominator at least BAND_BELOW (else it would reveal a banded count). Where only one member
  of a sum (the total or a part; within a row, a month and its uses, a year and its months) is hidden, the smallest
  other non-zero part is not shown either (None), so that no subtraction or addition undoes the band.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from audits.events import EventType
from audits.models import AuditEvent
from office.reports.figures import OUTCOME_FIGURES, add_usage, rate
from office.reports.records import activated_cases, deployment_records
from oversight import selectors as oversight_selectors
from oversight.models import Case, Deployment
from transparency.models import Withholding

BAND_BELOW = 5
BANDED = f"<{BAND_BELOW}"

# The published counts: (key in the register and the files, key in the deployment record, label).
COUNT_FIELDS = (
    ("watchlist_size", "watchlist_size", _("Persons sought")),
    ("faces_processed", "faces_processed", _("Faces processed")),
    ("sightings", "alerts", _("Sightings (alerts)")),
    ("confirmed", "alerts_verified", _("Confirmed by two verifiers")),
    ("rejected", "alerts_false", _("Rejected (false alerts)")),
    ("awaiting_verification", "alerts_pending", _("Never verified")),
    *((key, key, label) for key, label in OUTCOME_FIGURES),
)
COUNT_KEYS = tuple(key for key, _source, _label in COUNT_FIELDS)
# Counts that add up: (total, its parts). Alerts are confirmed, rejected or never verified; confirmed alerts have
# one outcome each.
SUMS = (
    ("confirmed", tuple(key for key, _label in OUTCOME_FIGURES)),
    ("sightings", ("confirmed", "rejected", "awaiting_verification")),
)
# (key, numerator, denominator, label): false alerts per face processed and per alert.
RATE_FIELDS = (
    ("false_alert_rate_per_face", "rejected", "faces_processed", _("False alerts per face processed")),
    ("false_alert_rate_per_alert", "rejected", "sightings", _("False alerts per alert")),
)

# Events after which what the register shows may differ (a use ends, its figures or its deployment change, a
# withholding starts or is lifted). The register's cache is keyed by the last of them; the other change, a use
# reaching its scheduled end or a withholding its end date, is kept as the cached register's `valid_until`.
REGISTER_EVENTS = (
    EventType.CASE_APPROVED,
    EventType.CASE_DENIED,
    EventType.CASE_URGENCY_LAPSED,
    EventType.CASE_EXPIRED,
    EventType.CASE_REVOKED,
    EventType.CASE_WITHDRAWN,
    EventType.CASE_CLOSED,
    EventType.CASE_DATA_PURGED,
    EventType.ALERT_VERIFIED,
    EventType.ALERT_REJECTED,
    EventType.ALERT_OUTCOME_RECORDED,
    EventType.RETENTION_APPLIED,
    EventType.CAMERA_UPDATED,
    EventType.OBJECTIVE_CHANGED,
    EventType.DEPLOYMENT_CREATED,
    EventType.DEPLOYMENT_UPDATED,
    EventType.DEPLOYMENT_OPINION_RECORDED,
    EventType.TRANSPARENCY_WITHHELD,
    EventType.TRANSPARENCY_WITHHOLDING_LIFTED,
)
CACHE_SECONDS = 7 * 24 * 3600  # old versions leave the cache on their own
# A use's last figures may arrive just after its end with no event of their own (the scan's last batch, committed
# within a second or two of a revocation): a register built this soon after a use's end is built once more then.
SETTLE = timedelta(minutes=2)
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def band(value: int) -> int | str:
    """A count as published: 0 and counts of BAND_BELOW or more exactly, anything between as BANDED."""
    return BANDED if 0 < value < BAND_BELOW else value


def _hidden(value) -> bool:
    return value is None or value == BANDED


# A cell of a published table: (its counts, its exact figures, the key). An equation: a total cell and its parts.
Cell = tuple[dict, dict, str]


def _within(counts: dict, exact: dict) -> list[list[Cell]]:
    """The equations inside one row: sightings and confirmed alerts with their parts (SUMS)."""
    return [[(counts, exact, total), *((counts, exact, part) for part in parts)] for total, parts in SUMS]


def _secondary_suppression(equations: list[list[Cell]]) -> None:
    """A total and its parts are one equation: if exactly one member is hidden (banded or not shown), it can be
    worked out from the others, so hide the smallest other part that is not 0 too (None: "not shown"). Repeated until
    nothing changes, since hiding a cell of one equation may leave a single hidden member in another (a use's
    sightings are a part of its month's, and the total of its own confirmed, rejected and never verified)."""
    changed = True
    while changed:
        changed = False
        for equation in equations:
            if sum(1 for counts, _exact, key in equation if _hidden(counts[key])) != 1:
                continue
            shown = [cell for cell in equation[1:] if not _hidden(cell[0][cell[2]]) and cell[1][cell[2]] > 0]
            if shown:
                counts, _exact, key = min(shown, key=lambda cell: cell[1][cell[2]])
                counts[key] = None
                changed = True


def published_rate(numerator: str, denominator: str, exact: dict[str, int], counts: dict) -> float | None:
    """numerator / denominator, or None when there is no denominator or either count is not shown exactly."""
    if _hidden(counts[numerator]) or _hidden(counts[denominator]) or exact[denominator] < BAND_BELOW:
        return None
    return rate(exact[numerator], exact[denominator])


def _rates(exact: dict[str, int], counts: dict) -> dict:
    return {key: published_rate(num, den, exact, counts) for key, num, den, _label in RATE_FIELDS}


def _published_figures(exact: dict[str, int]) -> tuple[dict, dict]:
    """One row on its own: banded, suppressed within its sums, and its rates."""
    counts = {key: band(exact[key]) for key in COUNT_KEYS}
    _secondary_suppression(_within(counts, exact))
    return counts, _rates(exact, counts)


def use_identifier(case: Case) -> str:
    """A stable public identifier of a use that does not reveal its case (a one-way digest of internal values)."""
    return hashlib.sha256(f"oversight-use:{case.pk}:{case.created_at.isoformat()}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class PublishedDeployment:
    name: str
    locations: tuple[str, ...]
    opinion: str  # Deployment.Opinion value or "" (not given yet)
    opinion_given_on: object  # date or None
    deployment: Deployment  # for the enforced conditions in the reader's language; never shown otherwise


@dataclass(frozen=True)
class PublishedUse:
    identifier: str
    start: datetime
    end: datetime
    duration_hours: float
    deployments: tuple[str, ...]
    locations: tuple[str, ...]
    objective: str
    objective_label: str  # as stored: translated when shown
    authority: str  # Case.Authority value
    urgent_start: bool
    counts: dict
    rates: dict


@dataclass
class Period:
    """Totals of the uses that started in a year or a month (local time), banded like every other count."""

    key: str  # "2026" or "2026-03"
    start: datetime
    uses: int = 0
    hours: float = 0.0
    exact: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    members: list = field(default_factory=list)  # while building: a month's uses, a year's months


@dataclass
class Register:
    produced_at: datetime
    valid_until: datetime | None
    deployments: list[PublishedDeployment]
    uses: list[PublishedUse]
    years: list[Period]
    months: list[Period]


def withheld_case_ids(*, now: datetime) -> set[int]:
    """Cases a withholding keeps out of the register today (local date): not lifted, end date not passed."""
    today = timezone.localdate(now)
    return set(
        Withholding.objects.filter(lifted_at__isnull=True, withheld_until__gte=today).values_list("case_id", flat=True)
    )


def _next_change(*, now: datetime, ongoing_cases: Iterable[Case], ended_at: Iterable[datetime]) -> datetime | None:
    """The next instant the rule publishes something new with no event: a running or planned use reaching its
    scheduled end (case_ended_at asked about a far future: THE answer, not a copy of it), a withholding's end, or a
    use that ended less than SETTLE ago settling."""
    moments = [end + SETTLE for end in ended_at if end + SETTLE > now]
    for case in ongoing_cases:
        end = oversight_selectors.case_ended_at(case=case, now=_FAR_FUTURE)
        if end is not None and end > now:
            moments.append(end)
    last_day = (
        Withholding.objects.filter(lifted_at__isnull=True, withheld_until__gte=timezone.localdate(now))
        .order_by("withheld_until")
        .values_list("withheld_until", flat=True)
        .first()
    )
    if last_day is not None:
        moments.append(timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time())))
    return min(moments) if moments else None


def _deployments() -> list[PublishedDeployment]:
    out = []
    for deployment in Deployment.objects.prefetch_related("cameras").order_by("name"):
        out.append(
            PublishedDeployment(
                name=deployment.name,
                locations=tuple(sorted({camera.location_label for camera in deployment.cameras.all()})),
                opinion=deployment.opinion,
                opinion_given_on=deployment.opinion_given_on,
                deployment=deployment,
            )
        )
    return out


def _suppress_everywhere(uses: list[PublishedUse], exacts: dict, periods: list[Period]) -> None:
    """Band every period, then hide what subtraction would reveal across the whole register: within each row, and
    between a month and its uses and a year and its months, key by key."""
    for period in periods:
        period.counts = {key: band(value) for key, value in period.exact.items()}
    equations = [eq for use in uses for eq in _within(use.counts, exacts[use.identifier])]
    equations += [eq for period in periods for eq in _within(period.counts, period.exact)]
    for period in periods:
        for key in COUNT_KEYS:
            equations.append(
                [
                    (period.counts, period.exact, key),
                    *(
                        (member.counts, member.exact if isinstance(member, Period) else exacts[member.identifier], key)
                        for member in period.members
                    ),
                ]
            )
    _secondary_suppression(equations)


def _period(periods: dict[str, Period], key: str, start: datetime) -> Period:
    if key not in periods:
        periods[key] = Period(key=key, start=start, exact=dict.fromkeys(COUNT_KEYS, 0))
    return periods[key]


def register_build(*, now: datetime | None = None) -> Register:
    """The register as the rule gives it at `now`. Reads the office's deployment records; writes nothing."""
    now = now or timezone.now()
    withheld = withheld_case_ids(now=now)
    records = deployment_records(cases=list(activated_cases()), now=now)
    uses, ongoing = [], []
    exacts: dict[str, dict[str, int]] = {}
    years: dict[str, Period] = {}
    months: dict[str, Period] = {}
    for record in records:
        if record.ongoing or getattr(record, "planned", False) or record.end > now:
            ongoing.append(record.case)
            continue
        if record.case.pk in withheld:
            continue
        exact = {key: int({**record.usage, **record.values}[source]) for key, source, _label in COUNT_FIELDS}
        counts = {key: band(value) for key, value in exact.items()}
        start, end = timezone.localtime(record.start), timezone.localtime(record.end)
        hours = (record.end - record.start).total_seconds() / 3600
        uses.append(
            PublishedUse(
                identifier=use_identifier(record.case),
                start=start,
                end=end,
                duration_hours=round(hours, 2),
                deployments=tuple(
                    sorted({d.name for link in record.camera_links for d in link.camera.deployments.all()})
                ),
                locations=tuple(sorted({link.camera.location_label for link in record.camera_links})),
                objective=record.case.objective_id,
                objective_label=record.case.objective.label,
                authority=record.case.authority,
                urgent_start=record.case.urgent_started_at is not None,
                counts=counts,
                rates={},
            )
        )
        exacts[uses[-1].identifier] = exact
        year_start = start.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        month = _period(months, f"{start.year}-{start.month:02d}", year_start.replace(month=start.month))
        month.members.append(uses[-1])
        year = _period(years, f"{start.year}", year_start)
        if not any(member is month for member in year.members):
            year.members.append(month)
        for period in (year, month):
            period.uses += 1
            period.hours += hours
            add_usage(period.exact, exact)
    _suppress_everywhere(uses, exacts, [*years.values(), *months.values()])
    for use in uses:
        use.rates.update(_rates(exacts[use.identifier], use.counts))
    for period in (*years.values(), *months.values()):
        period.hours = round(period.hours, 1)
        period.rates = _rates(period.exact, period.counts)
    for period in (*years.values(), *months.values()):
        period.exact, period.members = {}, []  # exact small counts never leave this function
    return Register(
        produced_at=now,
        valid_until=_next_change(now=now, ongoing_cases=ongoing, ended_at=[r.end for r in records if not r.ongoing]),
        deployments=_deployments(),
        uses=sorted(uses, key=lambda u: (u.start, u.identifier), reverse=True),
        years=sorted(years.values(), key=lambda p: p.key, reverse=True),
        months=sorted(months.values(), key=lambda p: p.key),
    )


def register_version() -> int:
    """The sequence number of the last event after which the register may differ (0 before any).

    One query: per event type, the newest events by the (event_type, occurred_at, seq) index, read backwards (a few
    index entries each, however long the trail), the largest sequence number of them taken here. Five, not one:
    two appends racing may store their times in the opposite order of their sequence numbers."""
    newest = [
        AuditEvent.objects.filter(event_type=event_type).order_by("-occurred_at", "-seq").values_list("seq")[:5]
        for event_type in REGISTER_EVENTS
    ]
    return max(newest[0].union(*newest[1:], all=True).values_list("seq", flat=True), default=0)


def register_current(*, now: datetime | None = None) -> tuple[str, Register]:
    """(cache tag, register): built once per version and kept until the next event or its `valid_until`."""
    now = now or timezone.now()
    key = f"transparency:register:{register_version()}"
    register = cache.get(key)
    if register is None or (register.valid_until is not None and now >= register.valid_until):
        register = register_build(now=now)
        cache.set(key, register, CACHE_SECONDS)
    return f"{key}:{register.produced_at.timestamp()}", register


# ---------------------------------------------------------------- withholdings (not public)


def case_deciding_authority(*, user, case: Case) -> bool:
    """Whether `user` decided this case: its judge (decide_case), or a commission member who voted on it (R6)."""
    if not getattr(user, "is_authenticated", False) or user.pk == case.requester_id:
        return False
    perms = oversight_selectors.case_object_perms(user=user, case=case)
    if "decide_case" in perms:
        return True
    return "vote_case" in perms and case.votes.filter(member=user).exists()


def case_withholdable_get_for_user(*, user, case_id: int) -> Case:
    """The activated case whose deciding authority `user` is; the same 404 for missing and forbidden."""
    case = activated_cases().filter(pk=case_id).first()
    if case is None or not case_deciding_authority(user=user, case=case):
        raise Http404
    return case


def cases_withholdable_for_user(*, user) -> list[Case]:
    """Activated cases the user decided (to withhold from the register), newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    held = get_objects_for_user(
        user, ["oversight.decide_case", "oversight.vote_case"], klass=Case, any_perm=True, accept_global_perms=False
    )
    candidates = activated_cases().filter(pk__in=held.values("pk"))
    return sorted(
        (c for c in candidates if case_deciding_authority(user=user, case=c)), key=lambda c: c.pk, reverse=True
    )


def withholdings_for_user(*, user):
    """Every withholding for the office (R17, R23: it reads all of them); a deciding authority sees its own cases'."""
    rows = Withholding.objects.select_related("case", "decided_by", "lifted_by").order_by("-created_at", "-id")
    if user.has_perm("oversight.view_office_reports"):
        return list(rows)
    return [w for w in rows.filter(case__in=[c.pk for c in cases_withholdable_for_user(user=user)])]
