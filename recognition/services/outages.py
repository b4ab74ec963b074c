"""Cameras that cannot be read: one outage per episode, retried with a growing pause.

An unreachable camera is not a scan: the worker opens the source before it takes the camera's lease, and a failure
updates the camera's open outage (attempts, last error, when to try again) instead of leaving a scan row per
attempt. The dispatcher does not queue the camera again before ``retry_at``: 2 s after the first failure, then 4,
8, 16, 32 and at most 60 s, so a camera that is down for an hour costs about one attempt a minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from oversight.services import camera_health_record
from recognition.models import CameraOutage

RETRY_FIRST_SECONDS = 2
RETRY_MAX_SECONDS = 60


def retry_pause_seconds(attempts: int) -> int:
    """The pause after the ``attempts``-th failed attempt of an outage: 2, 4, 8, 16, 32, 60, 60... seconds."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** max(0, attempts - 1))


def camera_outage_record(*, camera_id: int, message: str, now: datetime | None = None) -> CameraOutage:
    """A failed attempt to read the camera: opens its outage or counts one more attempt in the open one.

    Side effects: the camera's health shows the error; the dispatcher leaves the camera alone until ``retry_at``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        outage = CameraOutage.objects.select_for_update().filter(camera_id=camera_id, ended_at__isnull=True).first()
        if outage is None:
            outage = CameraOutage(camera_id=camera_id, started_at=now, attempts=0)
        outage.attempts += 1
        outage.last_attempt_at = now
        outage.last_error = message[:2000]
        outage.retry_at = now + timedelta(seconds=retry_pause_seconds(outage.attempts))
        outage.save()
        camera_health_record(camera_id=camera_id, error=message)
    return outage


def camera_outage_end(*, camera_id: int, now: datetime | None = None) -> CameraOutage | None:
    """The camera delivered frames again: its open outage (if any) ends now."""
    now = now or timezone.now()
    with transaction.atomic():
        outage = CameraOutage.objects.select_for_update().filter(camera_id=camera_id, ended_at__isnull=True).first()
        if outage is not None:
            outage.ended_at = now
            outage.save(update_fields=["ended_at"])
    return outage


def cameras_waiting_to_retry(*, now: datetime) -> set[int]:
    """Cameras in an outage whose next attempt is not due yet."""
    return set(CameraOutage.objects.filter(ended_at__isnull=True, retry_at__gt=now).values_list("camera_id", flat=True))
