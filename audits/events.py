"""Audit event types: one enum, stable dotted codes.

The codes are part of the evidence: never rename or reuse one; add new ones.
"""

from django.db import models


class EventType(models.TextChoices):
    # Authentication (R17: who used the system)
    AUTH_LOGIN = "auth.login", "Signed in"
    AUTH_LOGOUT = "auth.logout", "Signed out"
    AUTH_LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    USER_CREATED = "user.created", "User created"
    USER_ROLE_GRANTED = "user.role_granted", "Role granted"

    # The trail itself
    AUDIT_CHECKPOINT = "audit.checkpoint", "Checkpoint signed"
    AUDIT_EXPORTED = "audit.exported", "Audit events exported (disclosure)"
    AUDIT_VIEWED = "audit.viewed", "Audit events consulted"

    # Configuration
    OBJECTIVE_CHANGED = "objective.changed", "Legal objective enabled or disabled"
    CAMERA_CREATED = "camera.created", "Camera registered"
    CAMERA_UPDATED = "camera.updated", "Camera changed"

    # Cases (R1-R10)
    CASE_CREATED = "case.created", "Case drafted"
    CASE_UPDATED = "case.updated", "Draft changed"
    CASE_SUBMITTED = "case.submitted", "Case submitted for authorisation"
    CASE_VOTE_CAST = "case.vote_cast", "Commission vote cast"
    CASE_APPROVED = "case.approved", "Case authorised"
    CASE_DENIED = "case.denied", "Case refused"
    CASE_URGENT_STARTED = "case.urgent_started", "Urgent case started before authorisation"
    CASE_URGENCY_LAPSED = "case.urgency_lapsed", "Urgent case stopped at its urgency limit"
    CASE_EXPIRED = "case.expired", "Case expired"
    CASE_REVOKED = "case.revoked", "Authorisation revoked"
    CASE_WITHDRAWN = "case.withdrawn", "Case withdrawn by requester"
    CASE_CLOSED = "case.closed", "Case closed"
    CASE_VIEWED = "case.viewed", "Case consulted"
    CASE_DATA_DELETION_DUE = "case.data_deletion_due", "Deletion of the case's data is due"
    CASE_NOTIFIED = "case.notified", "Use notified to the data protection office"

    # Watchlists (R3, R12, R20)
    PERSON_ADDED = "person.added", "Person added to a case"
    PERSON_REMOVED = "person.removed", "Person removed from a case"
    PHOTO_UPLOADED = "photo.uploaded", "Reference photo collected"
    PHOTO_REJECTED = "photo.rejected", "Reference photo refused"
    PHOTO_ENCODED = "photo.encoded", "Reference face encoded"
    PHOTO_ENCODING_FAILED = "photo.encoding_failed", "Reference face could not be encoded"
    PHOTO_VIEWED = "photo.viewed", "Reference photo consulted"
    WATCHLIST_DESTROYED = "watchlist.destroyed", "Reference photos and templates destroyed"
    KEYS_ROTATED = "keys.rotated", "Data encryption key rotated"

    # Recognition (R10, R11, R16)
    SCAN_STARTED = "scan.started", "Scan started"
    SCAN_STOPPED = "scan.stopped", "Scan stopped"
    SCAN_BATCH = "scan.batch", "Frames analysed"
    ALERT_CREATED = "alert.created", "Match alert raised"
    ALERT_VIEWED = "alert.viewed", "Alert consulted"
    ALERT_VERIFIED = "alert.verified", "Alert verified by a person"
    ALERT_REJECTED = "alert.rejected", "Alert rejected by a person"

    # Retention, the urgency purge and data-subject requests (R9, R19, R21)
    RETENTION_APPLIED = "retention.applied", "Retention schedule applied"
    CASE_DATA_PURGED = "case.data_purged", "Everything an unauthorised urgent use produced was deleted"
    SUBJECT_REQUEST_RECORDED = "subject_request.recorded", "Data-subject request recorded"
    SUBJECT_REQUEST_VIEWED = "subject_request.viewed", "Data-subject request and its findings consulted"
    SUBJECT_REQUEST_FINDINGS = "subject_request.findings", "Data concerning a data subject found"
    SUBJECT_REQUEST_DECIDED = "subject_request.item_decided", "Decision on an item of a data-subject request"
    SUBJECT_REQUEST_CARRIED_OUT = "subject_request.carried_out", "Data-subject request carried out"
    SUBJECT_RESTRICTION_LIFTED = "subject_request.restriction_lifted", "Restriction of processing lifted"

    # Reports (R22, R23)
    REPORT_EXPORTED = "report.exported", "Report exported (disclosure)"

    # Retention of the trail itself (R18)
    AUDIT_CUT = "audit.cut", "Archived audit events removed after their retention"
    # Sign-in security (accounts: second factor, lockout, timeouts)
    AUTH_SECOND_FACTOR_ENROLLED = "auth.second_factor_enrolled", "Authenticator app enrolled as second factor"
    AUTH_SECOND_FACTOR_VERIFIED = "auth.second_factor_verified", "Sign-in confirmed with a second factor"
    AUTH_SECOND_FACTOR_FAILED = "auth.second_factor_failed", "Wrong second-factor code"
    AUTH_RECOVERY_CODES_ISSUED = "auth.recovery_codes_issued", "Recovery codes issued"
    AUTH_LOCKED_OUT = "auth.locked_out", "Sign-in locked after repeated wrong passwords"
    AUTH_SESSION_EXPIRED = "auth.session_expired", "Session ended by timeout"
    AUTH_SECOND_FACTOR_RESET = "auth.second_factor_reset", "Second factor reset (lost phone and recovery codes)"
    # Deployments and the data protection office (R17, R22, R23)
    DEPLOYMENT_CREATED = "deployment.created", "Deployment registered"
    DEPLOYMENT_UPDATED = "deployment.updated", "Deployment changed"
    DEPLOYMENT_OPINION_RECORDED = "deployment.opinion_recorded", "Office's opinion on a deployment recorded"
    DEPLOYMENT_DOCUMENT_VIEWED = "deployment.document_viewed", "Office's opinion document consulted"
    NOTIFICATION_READ = "notification.read", "Notification read by the office"
    ALERT_OUTCOME_RECORDED = "alert.outcome_recorded", "Outcome of a verified alert recorded"
    DOSSIER_VIEWED = "report.dossier_viewed", "Case dossier consulted"
    # Consultations of lists (R17): one event per page or API answer, naming what it showed
    CASE_LIST_VIEWED = "case_list.viewed", "List of cases consulted"
    ALERT_LIST_VIEWED = "alert_list.viewed", "List of alerts consulted"
    PHOTO_LIST_VIEWED = "photo_list.viewed", "List of a person's reference photos consulted"
