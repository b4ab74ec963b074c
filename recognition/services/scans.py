"""Scans: a worker's lease on a camera, and the dispatcher that queues them only where a case allows (R10)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Camera
from oversight.selectors import CaseScope, RecordingScope, case_scope_for_recording, case_scopes_for_camera
from oversight.services import camera_health_record
from recognition.models import Recording, Scan
from recognition.services.outages import cameras_waiting_to_retry
from recognition.services.storage import sightings_close_stale

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)

StopReason = Scan.StopReason
DISPATCH_KEY = "recognition:dispatched:{camera_id}"
RECORDING_DISPATCH_KEY = "recognition:dispatched-recording:{recording_id}"


# ---------------------------------------------------------------- scans: lease


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.RECOGNITION_SCAN_STALE_SECONDS)


def _scan_close(scan: Scan, *, reason: str, detail: str = "", now: datetime | None = None) -> None:
    """Close a locked running scan and record SCAN_STOPPED with its counts (R16). Caller holds the row lock."""
    now = now or timezone.now()
    scan.stopped_at = now
    scan.stop_reason = reason
    scan.stop_detail = detail[:2000]
    scan.save(update_fields=["stopped_at", "stop_reason", "stop_detail"])
    audit_record(
        actor=None,
        event_type=EventType.SCAN_STOPPED,
        target_ref=scan,
        data={
            "camera_id": scan.camera_id,
            "reason": reason,
            "detail": detail[:500],
            "started_at": scan.started_at.isoformat(),
            "stopped_at": now.isoformat(),
            "frames_read": scan.frames_read,
            "frames_analysed": scan.frames_analysed,
            "faces_seen": scan.faces_seen,
            "matches": scan.matches,
        },
    )


def scan_start(*, camera_id: int, worker: str = "", scopes: list[CaseScope] = ()) -> Scan | None:
    """Take the camera's lease: a new running Scan, or None if a live scan already holds it.

    A running scan whose heartbeat is older than RECOGNITION_SCAN_STALE_SECONDS belongs to a
    dead worker: it is closed (worker_lost) and replaced. The camera row lock serialises two
    workers starting at once; the partial unique index backs it.
    Side effects: SCAN_STARTED (and SCAN_STOPPED for a replaced stale scan).
    """
    now = timezone.now()
    with transaction.atomic():
        Camera.objects.select_for_update().filter(pk=camera_id).values_list("pk", flat=True).first()
        running = (
            Scan.objects.select_for_update()
            .filter(camera_id=camera_id, stopped_at__isnull=True, recording__isnull=True)
            .first()
        )
        if running is not None:
            if running.last_heartbeat_at >= _stale_before(now):
                return None
            _scan_close(running, reason=StopReason.WORKER_LOST, detail="replaced by a new scan", now=now)
        scan = Scan.objects.create(camera_id=camera_id, worker=worker[:200], started_at=now, last_heartbeat_at=now)
        audit_record(
            actor=None,
            event_type=EventType.SCAN_STARTED,
            case_ref=scopes[0].reference if len(scopes) == 1 else None,
            target_ref=scan,
            data={"camera_id": camera_id, "worker": worker[:200], "cases": [s.reference for s in scopes]},
        )
    return scan


def scan_stop(*, scan_id: int, reason: str, detail: str = "") -> Scan:
    """Close a scan with its reason; a scan already closed is left as it is (idempotent)."""
    with transaction.atomic():
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.stopped_at is None:
            _scan_close(scan, reason=reason, detail=detail)
    return scan


def scans_close_stale(*, now: datetime | None = None) -> list[int]:
    """Close running scans whose worker stopped sending heartbeats, so their camera is free again."""
    now = now or timezone.now()
    closed = []
    for scan_id in Scan.objects.filter(stopped_at__isnull=True, last_heartbeat_at__lt=_stale_before(now)).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            scan = Scan.objects.select_for_update().get(pk=scan_id)
            if scan.stopped_at is None and scan.last_heartbeat_at < _stale_before(now):
                _scan_close(scan, reason=StopReason.WORKER_LOST, detail="no heartbeat", now=now)
                closed.append(scan_id)
    return closed


def scan_dispatch(*, queue: Callable[[int], Any], now: datetime | None = None) -> list[int]:
    """Queue one scan task per enabled camera that the gate covers now and that no live scan holds.

    Runs every RECOGNITION_DISPATCH_SECONDS (Celery beat). No task is queued for any other
    camera (R10). Stale scans are closed first, so a camera whose worker died is picked up
    again within RECOGNITION_SCAN_STALE_SECONDS plus one dispatch period.
    A best-effort cache key avoids queueing the same camera again while its task waits for a
    worker; correctness does not depend on it (the lease does), so a cache outage only costs
    duplicate tasks that find the camera taken and return.
    """
    now = now or timezone.now()
    scans_close_stale(now=now)
    # A recording being analysed (R24) does not hold its camera: the live camera may be scanned meanwhile.
    live = set(Scan.objects.filter(stopped_at__isnull=True, recording__isnull=True).values_list("camera_id", flat=True))
    sightings_close_stale(
        before=now - timedelta(seconds=settings.RECOGNITION_SIGHTING_GAP_SECONDS), except_cameras=live
    )
    queued = []
    waiting = cameras_waiting_to_retry(now=now)  # in an outage, next attempt not due yet
    for camera_id in (
        Camera.objects.filter(enabled=True).exclude(pk__in=live | waiting).order_by("pk").values_list("pk", flat=True)
    ):
        try:
            covered = bool(case_scopes_for_camera(camera=camera_id, at=now))
        except Exception:  # noqa: BLE001 - fail closed: an unanswerable gate queues nothing
            logger.exception("gate failed for camera %s; not dispatched", camera_id)
            continue
        if not covered:
            continue
        try:
            fresh = cache.add(
                DISPATCH_KEY.format(camera_id=camera_id), 1, timeout=settings.RECOGNITION_SCAN_STALE_SECONDS
            )
        except Exception:  # noqa: BLE001 - the cache is an optimisation only
            fresh = True
        if fresh:
            queue(camera_id)
            queued.append(camera_id)
    return queued


def recording_scan_start(*, recording_id: int, worker: str = "", scope: RecordingScope) -> Scan | None:
    """Take a recording's lease (R24): a new running Scan holding the recording (not its camera), or None if a
    live worker already analyses it. A stale one is closed and replaced, as for cameras."""
    now = timezone.now()
    with transaction.atomic():
        recording = Recording.objects.select_for_update().get(pk=recording_id)
        running = Scan.objects.select_for_update().filter(recording_id=recording_id, stopped_at__isnull=True).first()
        if running is not None:
            if running.last_heartbeat_at >= _stale_before(now):
                return None
            _scan_close(running, reason=StopReason.WORKER_LOST, detail="replaced by a new scan", now=now)
        scan = Scan.objects.create(
            camera_id=recording.camera_id,
            recording=recording,
            worker=worker[:200],
            started_at=now,
            last_heartbeat_at=now,
        )
        audit_record(
            actor=None,
            event_type=EventType.SCAN_STARTED,
            case_ref=scope.reference,
            target_ref=scan,
            data={
                "camera_id": recording.camera_id,
                "recording_id": recording_id,
                "worker": worker[:200],
                "cases": [scope.reference],
                "capture_start": scope.capture_start.isoformat(),
                "capture_end": scope.capture_end.isoformat(),
            },
        )
    return scan


def recordings_dispatch(*, queue: Callable[[int], Any], now: datetime | None = None) -> list[int]:
    """Queue the analysis of each ready recording not yet analysed whose post-event case the gate lets through now
    and that no live worker holds (R24). Run with the camera dispatch."""
    now = now or timezone.now()
    held = set(
        Scan.objects.filter(stopped_at__isnull=True, recording__isnull=False).values_list("recording_id", flat=True)
    )
    queued = []
    pending = Recording.objects.filter(status=Recording.Status.READY, analysis_finished_at__isnull=True).exclude(
        pk__in=held
    )
    for recording_id, case_id, camera_id in pending.order_by("pk").values_list("pk", "case_id", "camera_id"):
        try:
            covered = case_scope_for_recording(case_id=case_id, camera_id=camera_id, at=now) is not None
        except Exception:  # noqa: BLE001 - fail closed
            logger.exception("gate failed for recording %s; not dispatched", recording_id)
            continue
        if not covered:
            continue
        try:
            fresh = cache.add(
                RECORDING_DISPATCH_KEY.format(recording_id=recording_id),
                1,
                timeout=settings.RECOGNITION_SCAN_STALE_SECONDS,
            )
        except Exception:  # noqa: BLE001 - the cache is an optimisation only
            fresh = True
        if fresh:
            queue(recording_id)
            queued.append(recording_id)
    return queued


def camera_record_error(*, camera_id: int, message: str) -> None:
    """Camera health: a clear message for the registry page; the worker carries on."""
    camera_health_record(camera_id=camera_id, error=message)
