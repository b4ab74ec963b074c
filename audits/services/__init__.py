"""Writes to the audit trail, one module per concern (STYLE 13); callers import from here."""

from audits.services.consultations import (
    CONSULTATION_TOKEN_PARAM,
    consultation_list_record,
    consultation_token_issue,
    consultation_token_url,
    consultation_token_valid,
)
from audits.services.cuts import AuditCutRefused, audit_retention_apply, audit_trail_cut
from audits.services.exports import (
    AuditExportRefused,
    audit_export_create,
    audit_export_request,
    audit_export_run,
    disclosure_record,
)
from audits.services.record import (
    SYSTEM,
    audit_checkpoint_create,
    audit_checkpoint_due,
    audit_record,
    audit_record_many,
)

__all__ = [
    "CONSULTATION_TOKEN_PARAM",
    "SYSTEM",
    "AuditCutRefused",
    "AuditExportRefused",
    "audit_checkpoint_create",
    "audit_checkpoint_due",
    "audit_export_create",
    "audit_export_request",
    "audit_export_run",
    "audit_record",
    "audit_record_many",
    "audit_retention_apply",
    "audit_trail_cut",
    "consultation_list_record",
    "consultation_token_issue",
    "consultation_token_url",
    "consultation_token_valid",
    "disclosure_record",
]
