"""Audit event types: one enum, stable dotted codes.

The codes are part of the evidence: never rename or reuse one; add new ones.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    # Authentication (R17: who used the system)
    AUTH_LOGIN = "auth.login", _("Signed in")
    AUTH_LOGOUT = "auth.logout", _("Signed out")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    USER_CREATED = "user.created", _("User created")
    USER_ROLE_GRANTED = "user.role_granted", _("Role granted")

    # The trail itself
    AUDIT_CHECKPOINT = "audit.checkpoint", _("Checkpoint signed")
    AUDIT_EXPORTED = "audit.exported", _("Audit events exported (disclosure)")
    AUDIT_VIEWED = "audit.viewed", _("Audit events consulted")

    # Configuration
    OBJECTIVE_CHANGED = "objective.changed", _("Legal objective enabled or disabled")
    CAMERA_CREATED = "camera.created", _("Camera registered")
    CAMERA_UPDATED = "camera.updated", _("Camera changed")

    # Cases (R1-R10)
    CASE_CREATED = "case.created", _("Case drafted")
    CASE_UPDATED = "case.updated", _("Draft changed")
    CASE_SUBMITTED = "case.submitted", _("Case submitted for authorisation")
    CASE_VOTE_CAST = "case.vote_cast", _("Commission vote cast")
    CASE_APPROVED = "case.approved", _("Case authorised")
    CASE_DENIED = "case.denied", _("Case refused")
    CASE_URGENT_STARTED = "case.urgent_started", _("Urgent case started before authorisation")
    CASE_URGENCY_LAPSED = "case.urgency_lapsed", _("Urgent case stopped at its urgency limit")
    CASE_EXPIRED = "case.expired", _("Case expired")
    CASE_REVOKED = "case.revoked", _("Authorisation revoked")
    CASE_WITHDRAWN = "case.withdrawn", _("Case withdrawn by requester")
    CASE_CLOSED = "case.closed", _("Case closed")
    CASE_VIEWED = "case.viewed", _("Case consulted")
    CASE_DATA_DELETION_DUE = "case.data_deletion_due", _("Deletion of the case's data is due")
    CASE_NOTIFIED = "case.notified", _("Use notified to the data protection office")

    # Watchlists (R3, R12, R20)
    PERSON_ADDED = "person.added", _("Person added to a case")
    PERSON_REMOVED = "person.removed", _("Person removed from a case")
    PERSON_RECTIFIED = "person.rectified", _("Person's entry rectified (data-subject request)")
    PHOTO_UPLOADED = "photo.uploaded", _("Reference photo collected")
    PHOTO_REJECTED = "photo.rejected", _("Reference photo refused")
    PHOTO_ENCODED = "photo.encoded", _("Reference face encoded")
    PHOTO_ENCODING_FAILED = "photo.encoding_failed", _("Reference face could not be encoded")
    PHOTO_VIEWED = "photo.viewed", _("Reference photo consulted")
    WATCHLIST_DESTROYED = "watchlist.destroyed", _("Reference photos and templates destroyed")
    KEYS_ROTATED = "keys.rotated", _("Data encryption key rotated")

    # Recognition (R10, R11, R16)
    SCAN_STARTED = "scan.started", _("Scan started")
    SCAN_STOPPED = "scan.stopped", _("Scan stopped")
    SCAN_BATCH = "scan.batch", _("Frames analysed")
    ALERT_CREATED = "alert.created", _("Match alert raised")
    ALERT_VIEWED = "alert.viewed", _("Alert consulted")
    ALERT_VERIFIED = "alert.verified", _("Alert verified by a person")
    ALERT_REJECTED = "alert.rejected", _("Alert rejected by a person")

    # Recordings searched after the fact (R24)
    RECORDING_UPLOAD_STARTED = "recording.upload_started", _("Upload of a recording started")
    RECORDING_RECEIVED = "recording.received", _("Recording received, checked and hashed")
    RECORDING_REFUSED = "recording.refused", _("Recording refused")
    RECORDING_CAPTURE_TIME_DECLARED = "recording.capture_time_declared", _("Capture time of a recording declared")
    RECORDING_ANALYSED = "recording.analysed", _("Analysis of a recording finished")
    RECORDING_DESTROYED = "recording.destroyed", _("Recording destroyed")

    # Retention, the urgency purge and data-subject requests (R9, R19, R21)
    RETENTION_APPLIED = "retention.applied", _("Retention schedule applied")
    CASE_DATA_PURGED = "case.data_purged", _("Everything an unauthorised urgent use produced was deleted")
    SUBJECT_REQUEST_RECORDED = "subject_request.recorded", _("Data-subject request recorded")
    SUBJECT_REQUEST_VIEWED = "subject_request.viewed", _("Data-subject request and its findings consulted")
    SUBJECT_REQUEST_FINDINGS = "subject_request.findings", _("Data concerning a data subject found")
    SUBJECT_REQUEST_DECIDED = "subject_request.item_decided", _("Decision on an item of a data-subject request")
    SUBJECT_REQUEST_CARRIED_OUT = "subject_request.carried_out", _("Data-subject request carried out")
    SUBJECT_RESTRICTION_LIFTED = "subject_request.restriction_lifted", _("Restriction of processing lifted")
    SUBJECT_ANSWER_PRODUCED = "subject_request.answer_produced", _("Answer to an access request produced (disclosure)")
    CASE_PERSONS_PURGED = "case.persons_purged", _("Urgent-phase data of persons a grant excluded was deleted")

    # Reports (R22, R23)
    REPORT_EXPORTED = "report.exported", _("Report exported (disclosure)")

    # Retention of the trail itself (R18)
    AUDIT_CUT = "audit.cut", _("Archived audit events removed after their retention")
    # Sign-in security (accounts: second factor, lockout, timeouts)
    AUTH_SECOND_FACTOR_ENROLLED = "auth.second_factor_enrolled", _("Authenticator app enrolled as second factor")
    AUTH_SECOND_FACTOR_VERIFIED = "auth.second_factor_verified", _("Sign-in confirmed with a second factor")
    AUTH_SECOND_FACTOR_FAILED = "auth.second_factor_failed", _("Wrong second-factor code")
    AUTH_RECOVERY_CODES_ISSUED = "auth.recovery_codes_issued", _("Recovery codes issued")
    AUTH_LOCKED_OUT = "auth.locked_out", _("Sign-in locked after repeated wrong passwords")
    AUTH_SESSION_EXPIRED = "auth.session_expired", _("Session ended by timeout")
    AUTH_SECOND_FACTOR_RESET = "auth.second_factor_reset", _("Second factor reset (lost phone and recovery codes)")
    AUTH_SIGN_IN_THROTTLED = "auth.sign_in_throttled", _("Sign-ins from a network paused after many failures")
    AUTH_LOGIN_FAILED_UNKNOWN_NAMES = (
        "auth.login_failed_unknown_names",
        _("Failed sign-ins with unknown names from a network (one window)"),
    )
    AUTH_ENROLMENT_CODE_ISSUED = "auth.enrolment_code_issued", _("Enrolment code for a second factor issued")
    AUTH_ENROLMENT_CODE_USED = "auth.enrolment_code_used", _("Enrolment code for a second factor used")
    # Deployments and the data protection office (R17, R22, R23)
    DEPLOYMENT_CREATED = "deployment.created", _("Deployment registered")
    DEPLOYMENT_UPDATED = "deployment.updated", _("Deployment changed")
    DEPLOYMENT_OPINION_RECORDED = "deployment.opinion_recorded", _("Office's opinion on a deployment recorded")
    DEPLOYMENT_DOCUMENT_VIEWED = "deployment.document_viewed", _("Office's opinion document consulted")
    NOTIFICATION_READ = "notification.read", _("Notification read by the office")
    ALERT_OUTCOME_RECORDED = "alert.outcome_recorded", _("Outcome of a verified alert recorded")
    DOSSIER_VIEWED = "report.dossier_viewed", _("Case dossier consulted")
    # Consultations of lists (R17): one event per page or API answer, naming what it showed
    CASE_LIST_VIEWED = "case_list.viewed", _("List of cases consulted")
    ALERT_LIST_VIEWED = "alert_list.viewed", _("List of alerts consulted")
    PHOTO_LIST_VIEWED = "photo_list.viewed", _("List of a person's reference photos consulted")
    # The public register (R23): only a use's deciding authority withholds it, with a reason and an end date
    TRANSPARENCY_WITHHELD = "transparency.withheld", _("Use withheld from the public register")
    TRANSPARENCY_WITHHOLDING_LIFTED = (
        "transparency.withholding_lifted",
        _("Withholding from the public register lifted"),
    )


# The kinds of event by the part of their code before the dot, as the audit browser's filter offers them
# ("all events of a kind"). tests/audits/test_event_groups.py fails when a kind has no words here.
EVENT_GROUPS = {
    "auth": _("Signing in"),
    "user": _("Users and roles"),
    "audit": _("The audit trail itself"),
    "objective": _("Legal objectives"),
    "camera": _("Cameras"),
    "case": _("Cases"),
    "person": _("Persons sought"),
    "photo": _("Reference photos"),
    "watchlist": _("Watchlists"),
    "keys": _("Data keys"),
    "scan": _("Scans"),
    "alert": _("Alerts"),
    "recording": _("Recordings of post-event searches"),
    "retention": _("Retention"),
    "subject_request": _("Data-subject requests"),
    "report": _("Reports and dossiers"),
    "deployment": _("Deployments"),
    "notification": _("Notifications"),
    "case_list": _("Case lists viewed"),
    "alert_list": _("Alert lists viewed"),
    "photo_list": _("Photo lists viewed"),
    "transparency": _("Public register"),
}
