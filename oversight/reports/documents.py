"""The office's reports as files: the annual report (PDF with charts, or CSV), deployment records (CSV) and a
case dossier (PDF). Rendering only; recording the disclosure is oversight.services.reports."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from oversight.reports.annual import ANNUAL_FIGURES, CASE_FIGURES, MONTHS, AnnualReport, annual_rows
from oversight.reports.dossier import Dossier
from oversight.reports.figures import OUTCOME_FIGURES, plain
from oversight.reports.pdf import bar_chart_png, render_pdf
from oversight.reports.records import RECORD_COLUMNS, DeploymentRecord

DEFINITIONS = (
    "Faces processed: faces detected and compared while a case was active; faces that do not match are discarded "
    "at once and only counted. Verified alerts were confirmed by two people; false alerts were rejected by a "
    "verifier. False alert rate per face processed = false alerts / faces processed; per alert = false alerts / "
    "alerts. A use (activation) begins at the urgent start or the authorised start and ends when the case ended."
)


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def annual_csv(report: AnnualReport) -> bytes:
    return _csv([("section", "period_or_group", "figure", "value"), *annual_rows(report)])


def records_csv(records: list[DeploymentRecord]) -> bytes:
    return _csv([[key for key, _ in RECORD_COLUMNS], *(record.as_row() for record in records)])


def _charts(report: AnnualReport) -> list[bytes]:
    months = [report.by_month[m] for m in range(1, 13)]
    objectives = list(report.by_objective)
    return [
        bar_chart_png(
            f"Requests and decisions by month, {report.year}",
            MONTHS,
            {
                "Requests": [m["requests"] for m in months],
                "Approvals": [m["approvals"] for m in months],
                "Refusals": [m["refusals"] for m in months],
                "Urgent uses": [m["urgent_uses"] for m in months],
            },
        ),
        bar_chart_png(
            f"Alerts by month, {report.year}",
            MONTHS,
            {
                "Alerts": [m["alerts"] for m in months],
                "Verified": [m["alerts_verified"] for m in months],
                "False": [m["alerts_false"] for m in months],
            },
        ),
        bar_chart_png(
            f"Faces processed by month, {report.year}", MONTHS, {"Faces": [m["faces_processed"] for m in months]}
        ),
        bar_chart_png(
            f"Uses and outcomes by objective, {report.year}",
            objectives,
            {
                "Uses": [report.by_objective[o]["uses"] for o in objectives],
                "Alerts": [report.by_objective[o]["alerts"] for o in objectives],
                **{label: [report.by_objective[o][key] for o in objectives] for key, label in OUTCOME_FIGURES[:3]},
            },
        ),
    ]


def annual_pdf(report: AnnualReport) -> bytes:
    labels = dict(ANNUAL_FIGURES)
    blocks: list[tuple] = [
        ("title", f"Annual report {report.year}: live facial recognition"),
        ("text", f"Produced {timezone.localtime():%Y-%m-%d %H:%M %Z} for the data protection office."),
        ("heading", "The year in figures"),
        ("table", ("Figure", "Value"), [(labels[key], report.totals[key]) for key, _ in ANNUAL_FIGURES]),
        (
            "table",
            ("Figure", "Value"),
            [
                ("False alert rate per face processed", report.rates["false_rate_per_face"]),
                ("False alert rate per alert", report.rates["false_rate_per_alert"]),
                ("Mean duration of a use (hours)", report.durations["mean_hours"]),
                ("Longest use (hours)", report.durations["longest_hours"]),
                ("Uses still running", report.durations["running"]),
                ("Cameras used", len(report.cameras)),
                ("Locations used", len(report.locations)),
            ],
        ),
        ("text", "Cameras: " + (", ".join(report.cameras) or "none")),
        ("text", "Locations: " + (", ".join(report.locations) or "none")),
        ("text", DEFINITIONS),
        ("heading", "Charts"),
        *(("image", png) for png in _charts(report)),
        ("heading", "By month"),
        (
            "table",
            ("Month", *(label for _, label in ANNUAL_FIGURES)),
            [
                (f"{report.year}-{m:02d}", *(report.by_month[m][key] for key, _ in ANNUAL_FIGURES))
                for m in range(1, 13)
                if any(report.by_month[m][key] for key, _ in CASE_FIGURES)
            ],
        ),
        ("heading", "By objective"),
        (
            "table",
            ("Objective", *(label for _, label in ANNUAL_FIGURES)),
            [
                (report.objective_labels.get(code, code), *(row[key] for key, _ in ANNUAL_FIGURES))
                for code, row in report.by_objective.items()
            ],
        ),
        ("heading", "Deployment records"),
        ("table", [label for _, label in RECORD_COLUMNS], [r.as_row() for r in report.records]),
    ]
    return render_pdf(f"Annual report {report.year}", blocks)


def dossier_pdf(dossier: Dossier) -> bytes:
    case = dossier.case
    blocks: list[tuple] = [
        ("title", f"Case dossier {case.reference}"),
        ("text", f"Status: {plain(case.get_status_display())}. Produced {timezone.localtime():%Y-%m-%d %H:%M %Z}."),
        ("heading", "In figures"),
        ("table", ("Figure", "Value"), list(dossier.figures.items())),
    ]
    for section in dossier.sections:
        blocks.append(("heading", section.title))
        if section.note:
            blocks.append(("text", section.note))
        blocks.append(("table", section.columns, section.rows))
    return render_pdf(f"Case dossier {case.reference}", blocks)
