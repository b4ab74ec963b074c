"""The annual report (R23): requests, decisions, urgent uses, durations, cameras and locations, faces processed,
alerts, verified and false alerts and outcomes, for one year, in total, by month and by objective.

Which year a figure belongs to (local time, settings.TIME_ZONE):
- requests: the case was submitted for a decision that year (an urgent case counts once it is filed);
- approvals and refusals: the decision was taken that year (a refusal is a decision that granted nothing);
- urgent uses: the urgent start was that year;
- uses, durations, cameras, locations, faces processed, alerts and outcomes: the use began that year (the urgent
  start, or the later of the granted start and the grant: see records.py); a use still running counts up to now;
  a case authorised for a window that has not begun is planned and counts nowhere yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from office.reports.figures import USAGE_FIGURES, USAGE_KEYS, add_usage, false_rates
from office.reports.records import DeploymentRecord, deployment_records
from oversight.models import Case, Objective

CASE_FIGURES = (
    ("requests", _("Requests")),
    ("approvals", _("Approvals")),
    ("refusals", _("Refusals")),
    ("urgent_uses", _("Urgent uses")),
    ("uses", _("Uses (activations)")),
    ("hours_of_use", _("Hours of use")),
    # R24: post-event searches of recorded footage, counted as their own category (and within the figures above).
    ("post_event_requests", _("Post-event searches requested")),
    ("post_event_approvals", _("Post-event searches approved")),
    ("post_event_uses", _("Post-event searches run")),
)
ANNUAL_FIGURES = (*CASE_FIGURES, *USAGE_FIGURES)


def month_names(year: int, *, short: bool = False) -> list[str]:
    """The twelve months in the active language: "Jan" / "led" (short, for charts) or "January 2026" / "leden 2026"."""
    return [date_format(date(year, m, 1), "M" if short else "YEAR_MONTH_FORMAT") for m in range(1, 13)]


@dataclass
class AnnualReport:
    year: int
    totals: dict
    by_month: dict[int, dict]
    by_objective: dict[str, dict]
    objective_labels: dict[str, str]
    durations: dict
    cameras: list[str]
    locations: list[str]
    rates: dict
    records: list[DeploymentRecord]


def _blank() -> dict:
    row = {key: 0 for key, _ in CASE_FIGURES}
    row.update(dict.fromkeys(USAGE_KEYS, 0))
    return row


def _in_year(value, year: int) -> int | None:
    """The local month if `value` falls in `year`, else None."""
    if value is None:
        return None
    local = timezone.localtime(value)
    return local.month if local.year == year else None


def annual_report(*, year: int, now=None) -> AnnualReport:
    now = now or timezone.now()
    totals, by_month = _blank(), {m: _blank() for m in range(1, 13)}
    objectives = {o.code: o.display_label for o in Objective.objects.order_by("code")}
    by_objective = {code: _blank() for code in objectives}

    def count(key: str, month: int, objective: str, amount=1) -> None:
        for row in (totals, by_month[month], by_objective.setdefault(objective, _blank())):
            row[key] += amount

    cases = Case.objects.only(
        "id", "kind", "objective_id", "submitted_at", "decided_at", "approved_start", "urgent_started_at"
    ).order_by("id")
    for case in cases:
        if (month := _in_year(case.submitted_at, year)) is not None:
            count("requests", month, case.objective_id)
            if case.is_post_event:
                count("post_event_requests", month, case.objective_id)
        if (month := _in_year(case.decided_at, year)) is not None:
            count("approvals" if case.approved_start is not None else "refusals", month, case.objective_id)
            if case.is_post_event and case.approved_start is not None:
                count("post_event_approvals", month, case.objective_id)
        if (month := _in_year(case.urgent_started_at, year)) is not None:
            count("urgent_uses", month, case.objective_id)

    records = deployment_records(year=year, now=now)
    hours = []
    cameras, locations = set(), set()
    for record in records:
        month = timezone.localtime(record.start).month
        objective = record.case.objective_id
        duration = (record.end - record.start).total_seconds() / 3600
        hours.append(duration)
        count("uses", month, objective)
        if record.case.is_post_event:
            count("post_event_uses", month, objective)
        count("hours_of_use", month, objective, duration)
        for row in (totals, by_month[month], by_objective[objective]):
            add_usage(row, record.usage)
        for link in record.camera_links:
            cameras.add(link.camera.name)
            locations.add(link.camera.location_label)
    for row in (totals, *by_month.values(), *by_objective.values()):
        row["hours_of_use"] = round(row["hours_of_use"], 2)
    durations = {
        "uses": len(hours),
        "total_hours": round(sum(hours), 2),
        "mean_hours": round(sum(hours) / len(hours), 2) if hours else 0,
        "longest_hours": round(max(hours), 2) if hours else 0,
        "shortest_hours": round(min(hours), 2) if hours else 0,
        "running": sum(1 for r in records if r.ongoing),
    }
    return AnnualReport(
        year=year,
        totals=totals,
        by_month=by_month,
        by_objective=by_objective,
        objective_labels=objectives,
        durations=durations,
        cameras=sorted(cameras),
        locations=sorted(locations),
        rates=false_rates(totals),
        records=records,
    )


def annual_rows(report: AnnualReport) -> list[tuple]:
    """The report as rows (section, period or objective, figure, value): the CSV and the tables."""
    rows = [("total", str(report.year), key, report.totals[key]) for key, _ in ANNUAL_FIGURES]
    rows += [("total", str(report.year), key, value) for key, value in report.rates.items()]
    rows += [("durations", str(report.year), key, value) for key, value in report.durations.items()]
    rows += [("total", str(report.year), "cameras_used", len(report.cameras))]
    rows += [("total", str(report.year), "locations_used", len(report.locations))]
    for month in range(1, 13):
        period = f"{report.year}-{month:02d}"
        rows += [("month", period, key, report.by_month[month][key]) for key, _ in ANNUAL_FIGURES]
    for code, row in report.by_objective.items():
        rows += [("objective", code, key, row[key]) for key, _ in ANNUAL_FIGURES]
    rows += [("camera", name, "used", 1) for name in report.cameras]
    rows += [("location", name, "used", 1) for name in report.locations]
    return rows
