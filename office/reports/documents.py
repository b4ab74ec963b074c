"""The office's reports as files: the annual report (PDF with charts, or CSV), deployment records (CSV) and a
case dossier (PDF). Rendering only; recording the disclosure is office.services.reports.

Every word is in the active language (the page's, or the command's --language): callers choose it with
translation.override. Codes in the annual CSV's "section" and "figure (code)" columns stay stable for reuse.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.csvfiles import csv_bytes
from office.reports.annual import ANNUAL_FIGURES, CASE_FIGURES, AnnualReport, annual_rows, month_names
from office.reports.dossier import Dossier
from office.reports.figures import OUTCOME_FIGURES, local_number, plain
from office.reports.pdf import bar_chart_png, render_pdf
from office.reports.records import RECORD_COLUMNS, DeploymentRecord

DEFINITIONS = gettext_lazy(
    "Faces processed: faces detected and compared while a case was active; faces that do not match are discarded "
    "at once and only counted. Verified alerts were confirmed by two people; false alerts were rejected by a "
    "verifier. False alert rate per face processed = false alerts / faces processed; per alert = false alerts / "
    "alerts. A use (activation) begins at the urgent start, or when the authorisation allows processing to begin (the "
    "later of the granted start and the grant itself), and ends when the case really ended (revocation, expiry, "
    "closure). A case authorised for a window that has not begun is planned, not a use."
)
# Labels of the annual CSV's extra figures (the rates, durations and counts of cameras and locations).
EXTRA_FIGURES = {
    "false_rate_per_face": gettext_lazy("False alert rate per face processed"),
    "false_rate_per_alert": gettext_lazy("False alert rate per alert"),
    "uses": gettext_lazy("Uses (activations)"),
    "total_hours": gettext_lazy("Hours of use"),
    "mean_hours": gettext_lazy("Mean duration of a use (hours)"),
    "longest_hours": gettext_lazy("Longest use (hours)"),
    "shortest_hours": gettext_lazy("Shortest use (hours)"),
    "running": gettext_lazy("Uses still running"),
    "cameras_used": gettext_lazy("Cameras used"),
    "locations_used": gettext_lazy("Locations used"),
    "used": gettext_lazy("Used"),
}


def _produced() -> str:
    return date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")


def _csv(rows) -> bytes:
    # THE platform's CSV (audits.csvfiles): in Czech a byte-order mark, semicolons, decimal commas, d.m.yyyy.
    return csv_bytes(rows)


def annual_csv(report: AnnualReport) -> bytes:
    """One row per figure: section and figure as stable codes, the figure's name and the value for people."""
    labels = {**{key: str(label) for key, label in ANNUAL_FIGURES}, **{k: str(v) for k, v in EXTRA_FIGURES.items()}}
    header = (_("Section"), _("Period or group"), _("Figure (code)"), _("Value"), _("Figure"))
    return _csv(
        [
            header,
            *(
                (section, group, key, local_number(value), labels.get(key, key))
                for section, group, key, value in annual_rows(report)
            ),
        ]
    )


def _records_csv_row(record: DeploymentRecord) -> list:
    """In Czech, dates and times as values (written d.m.yyyy by the CSV helper, so a spreadsheet reads them as
    dates); in English the row as the page shows it, as before."""
    if not translation.get_language().startswith("cs"):
        return record.as_row()
    raw = {**record.values, "date": timezone.localtime(record.start).date(), "start": record.start}
    if not record.ongoing:
        raw["end"] = record.end
    return [raw[key] for key, _label in RECORD_COLUMNS]


def records_csv(records: list[DeploymentRecord]) -> bytes:
    return _csv([[str(label) for _key, label in RECORD_COLUMNS], *(_records_csv_row(r) for r in records)])


def _charts(report: AnnualReport) -> list[bytes]:
    months = [report.by_month[m] for m in range(1, 13)]
    names = month_names(report.year, short=True)
    objectives = list(report.by_objective)
    labels = {key: str(label) for key, label in ANNUAL_FIGURES}
    return [
        bar_chart_png(
            _("Requests and decisions by month, %(year)s") % {"year": report.year},
            names,
            {labels[key]: [m[key] for m in months] for key in ("requests", "approvals", "refusals", "urgent_uses")},
            ylabel=_("Cases"),
        ),
        bar_chart_png(
            _("Alerts by month, %(year)s") % {"year": report.year},
            names,
            {
                labels["alerts"]: [m["alerts"] for m in months],
                _("Verified"): [m["alerts_verified"] for m in months],
                _("False"): [m["alerts_false"] for m in months],
            },
            ylabel=labels["alerts"],
        ),
        bar_chart_png(
            _("Faces processed by month, %(year)s") % {"year": report.year},
            names,
            {_("Faces"): [m["faces_processed"] for m in months]},
            ylabel=labels["faces_processed"],
        ),
        bar_chart_png(
            _("Uses and outcomes by objective, %(year)s") % {"year": report.year},
            objectives,
            {
                _("Uses"): [report.by_objective[o]["uses"] for o in objectives],
                labels["alerts"]: [report.by_objective[o]["alerts"] for o in objectives],
                **{str(label): [report.by_objective[o][key] for o in objectives] for key, label in OUTCOME_FIGURES[:3]},
            },
        ),
    ]


def annual_pdf(report: AnnualReport) -> bytes:
    labels = {key: str(label) for key, label in ANNUAL_FIGURES}
    figure_value = (_("Figure"), _("Value"))
    month_labels = month_names(report.year)
    none = _("none")
    blocks: list[tuple] = [
        ("title", _("Annual report %(year)s: live facial recognition") % {"year": report.year}),
        ("text", _("Produced %(when)s for the data protection office.") % {"when": _produced()}),
        ("heading", _("The year in figures")),
        ("table", figure_value, [(labels[key], local_number(report.totals[key])) for key, _l in ANNUAL_FIGURES]),
        (
            "table",
            figure_value,
            [
                (_("False alert rate per face processed"), report.rates["false_rate_per_face"]),
                (_("False alert rate per alert"), report.rates["false_rate_per_alert"]),
                (_("Mean duration of a use (hours)"), local_number(report.durations["mean_hours"])),
                (_("Longest use (hours)"), local_number(report.durations["longest_hours"])),
                (_("Uses still running"), report.durations["running"]),
                (_("Cameras used"), len(report.cameras)),
                (_("Locations used"), len(report.locations)),
            ],
        ),
        ("text", _("Cameras: %(names)s") % {"names": ", ".join(report.cameras) or none}),
        ("text", _("Locations: %(names)s") % {"names": ", ".join(report.locations) or none}),
        ("text", str(DEFINITIONS)),
        ("heading", _("Charts")),
        *(("image", png) for png in _charts(report)),
        ("heading", _("By month")),
        (
            "table",
            (_("Month"), *(labels[key] for key, _l in ANNUAL_FIGURES)),
            [
                (month_labels[m - 1], *(local_number(report.by_month[m][key]) for key, _l in ANNUAL_FIGURES))
                for m in range(1, 13)
                if any(report.by_month[m][key] for key, _l in CASE_FIGURES)
            ],
        ),
        ("heading", _("By objective")),
        (
            "table",
            (_("Objective"), *(labels[key] for key, _l in ANNUAL_FIGURES)),
            [
                (report.objective_labels.get(code, code), *(local_number(row[key]) for key, _l in ANNUAL_FIGURES))
                for code, row in report.by_objective.items()
            ],
        ),
        ("heading", _("Deployment records")),
        ("table", [str(label) for _key, label in RECORD_COLUMNS], [r.as_row() for r in report.records]),
    ]
    return render_pdf(_("Annual report %(year)s") % {"year": report.year}, blocks)


def dossier_pdf(dossier: Dossier) -> bytes:
    """The dossier as a PDF: its summary first, the figures, then each section (tables in columns)."""
    case = dossier.case
    title = _("Case dossier %(reference)s") % {"reference": case.reference}
    blocks: list[tuple] = [
        ("title", title),
        (
            "text",
            _("Status: %(status)s. Produced %(when)s.")
            % {"status": plain(case.get_status_display()), "when": _produced()}
            + " "
            + _("Times are in the %(zone)s time zone.") % {"zone": timezone.get_current_timezone_name()},
        ),
    ]
    figures = [
        ("heading", _("In figures")),
        ("table", (_("Figure"), _("Value")), list(dossier.figures_shown.items())),
    ]
    for section in dossier.sections:
        blocks.append(("heading", str(section.title)))
        if section.note:
            blocks.append(("text", str(section.note)))
        blocks.append(("table", [str(c) for c in section.columns], section.rows))
        if section.key == "summary":
            blocks += figures
            figures = []
    return render_pdf(title, blocks + figures)
