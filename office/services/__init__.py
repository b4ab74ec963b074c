"""Writes of the data protection office, one module per concern; callers import from here.

- notifications: the office's inbox (R22), read and marked read
- reports: the annual report, deployment records and dossiers as files (a disclosure, R17, R23)
- subject_requests: data-subject requests (R21), with the face search
- retention: THE retention run (R19) over every app's declared rules, the urgency purge (R9), the person eraser
"""

from office.services.notifications import notification_mark_read
from office.services.reports import case_dossier_record_view, report_annual_export, report_records_export
from office.services.retention import case_data_purge, retention_due, retention_run
from office.services.subject_requests import (
    subject_request_carry_out,
    subject_request_item_decide,
    subject_request_record,
    subject_request_record_view,
    subject_restriction_lift,
)

__all__ = [
    "case_data_purge",
    "case_dossier_record_view",
    "notification_mark_read",
    "report_annual_export",
    "report_records_export",
    "retention_due",
    "retention_run",
    "subject_request_carry_out",
    "subject_request_item_decide",
    "subject_request_record",
    "subject_request_record_view",
    "subject_restriction_lift",
]
