"""Producing the office's reports as files is a disclosure (R17, R23): recorded before the file leaves, with
who, for whom and why, in the same way as an export of the audit trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record, disclosure_record
from office.reports.annual import annual_report
from office.reports.documents import annual_csv, annual_pdf, records_csv
from office.reports.records import deployment_records
from oversight.services._common import add_error, raise_if

FORMATS = {"pdf": "application/pdf", "csv": "text/csv"}


def _check(actor, justification: str, recipients: str, year: int) -> tuple[str, str]:
    # A string actor is the command line (someone with the server's shell); a user must belong to the office.
    if not isinstance(actor, str) and not actor.has_perm("oversight.view_office_reports"):
        raise PermissionDenied(_("Only the data protection office produces these reports."))
    errors: dict[str, list[str]] = {}
    justification, recipients = (justification or "").strip(), (recipients or "").strip()
    if not justification:
        add_error(errors, "justification", _("Say why the report is produced."))
    if not recipients:
        add_error(errors, "recipients", _("Say who receives the report."))
    if not 2000 <= int(year) <= timezone.localdate().year:
        add_error(errors, "year", _("Choose a year between 2000 and %(last)s.") % {"last": timezone.localdate().year})
    raise_if(errors)
    return justification, recipients


def report_annual_export(*, actor, year: int, fmt: str, justification: str, recipients: str) -> tuple[bytes, str]:
    """The annual report for `year` as PDF (with charts) or CSV; returns (content, file name).

    Preconditions: the actor holds oversight.view_office_reports (the office); a justification and recipients.
    Side effects: REPORT_EXPORTED (the disclosure), recorded before the content is returned; the content is
    rendered first, so a failure records nothing.
    """
    justification, recipients = _check(actor, justification, recipients, year)
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose PDF or CSV.")]})
    report = annual_report(year=int(year))
    content = annual_pdf(report) if fmt == "pdf" else annual_csv(report)
    _record(actor, "annual_report", fmt, year, justification, recipients, len(report.records))
    return content, f"annual-report-{year}.{fmt}"


def report_records_export(*, actor, year: int, justification: str, recipients: str) -> tuple[bytes, str]:
    """The year's deployment records as CSV; a disclosure like the annual report."""
    justification, recipients = _check(actor, justification, recipients, year)
    records = deployment_records(year=int(year))
    content = records_csv(records)
    _record(actor, "deployment_records", "csv", year, justification, recipients, len(records))
    return content, f"deployment-records-{year}.csv"


def _record(actor, report: str, fmt: str, year: int, justification: str, recipients: str, rows: int) -> None:
    # A disclosure (R17): why and for whom stay on its row; the event references it without copying them.
    with transaction.atomic():
        disclosure_record(
            actor=actor,
            event_type=EventType.REPORT_EXPORTED,
            kind=report,
            fmt=fmt,
            justification=justification,
            recipients=recipients,
            filters={"year": int(year)},
            rows=rows,
            extra={"report": report, "year": int(year)},
        )


def case_dossier_record_view(*, actor, case, fmt: str) -> None:
    """R17: a consultation of a case's dossier, on the page or as a PDF (who, which case, how, on what basis)."""
    audit_record(
        actor=actor,
        event_type=EventType.DOSSIER_VIEWED,
        case_ref=case,
        target_ref=case,
        data={"format": fmt, "access": getattr(case, "access_basis", None)},
    )
