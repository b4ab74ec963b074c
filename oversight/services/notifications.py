"""Notifications to the data protection office (R22): every activation of a case (authorised, or started
urgently) and every end of an activated case, without sensitive operational details.

The content is a snapshot: case reference, objective, deployments, cameras and their locations, window,
deciding authority and requesting unit. Never the persons sought, their names or photos, nor the request's free text.
They are created here, inside each transition; the office reads them and marks them read in office.services.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import override

from audits.events import EventType
from audits.services import audit_record
from oversight import selectors
from oversight.models import Case, Deployment, NotificationKind, OfficeNotification
from oversight.services._common import iso

ACTIVATIONS = (NotificationKind.URGENT_STARTED, NotificationKind.APPROVED)


def _window(case: Case, kind: str) -> tuple[datetime | None, datetime | None]:
    if kind == NotificationKind.APPROVED or case.approved_start is not None:
        return case.approved_start, case.approved_end
    if case.urgent_started_at is not None:
        return max(case.urgent_started_at, case.requested_start), min(case.urgency_ends_at, case.requested_end)
    return case.requested_start, case.requested_end


def notification_content(case: Case, *, kind: str, now: datetime) -> dict:
    """What the office is told: nothing that names or shows a person."""
    links = list(case.case_cameras.filter(in_scope=True).select_related("camera").order_by("camera__name"))
    camera_ids = [link.camera_id for link in links]
    deployments = Deployment.objects.filter(cameras__in=camera_ids).distinct().order_by("name")
    start, end = _window(case, kind)
    # A snapshot is stored data: its display texts are kept in English whatever the language of the moment
    # (a Celery task runs in Czech); the office's page renders its words in the reader's language.
    with override("en"):
        authority, status_text = str(case.get_authority_display()), str(case.get_status_display())
    content = {
        "reference": case.reference,
        "objective": case.objective.label,
        "objective_code": case.objective_id,
        "deployments": [d.name for d in deployments],
        "cameras": [{"name": link.camera.name, "location": link.camera.location_label} for link in links],
        "window_start": iso(start),
        "window_end": iso(end),
        "authority": authority,
        "authority_code": case.authority,
        "requesting_unit": case.unit,
        "urgent": case.is_urgent,
        "status": case.status,
        # When processing may begin (R23): a window granted after its start begins at the grant; one that begins
        # later is a planned use until then. Pages word the notification from it.
        "use_from": iso(selectors.case_use_start(case=case)),
        # R24: a post-event search is notified as its own kind, with the capture-time range of its footage.
        "kind": case.kind,
    }
    if case.is_post_event:
        capture_start, capture_end = case.effective_capture_range
        content["capture_start"], content["capture_end"] = iso(capture_start), iso(capture_end)
    if kind == NotificationKind.ENDED:
        content["ended_at"] = iso(selectors.case_ended_at(case=case, now=now) or now)
        content["how_it_ended"] = status_text
    return content


def case_notify_office(*, case: Case, kind: str, actor=None) -> OfficeNotification | None:
    """Create the office's notification of `kind` for the case, once (a repeat returns the existing one).

    Runs inside the caller's transition (its transaction and case lock): the notification and CASE_NOTIFIED commit
    with the transition or not at all. An end is notified only for a case that was activated.
    """
    if (
        kind == NotificationKind.ENDED
        and not OfficeNotification.objects.filter(case_reference=case.reference, kind__in=ACTIVATIONS).exists()
    ):
        return None
    existing = OfficeNotification.objects.filter(case_reference=case.reference, kind=kind).first()
    if existing is not None:
        return existing
    now = timezone.now()
    notification = OfficeNotification.objects.create(
        case=case,
        case_reference=case.reference,
        kind=kind,
        content=notification_content(case, kind=kind, now=now),
        created_at=now,
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_NOTIFIED,
        case_ref=case,
        target_ref=notification,
        data={"notification_id": notification.pk, "kind": kind, "recipient": "data protection office"},
    )
    return notification
