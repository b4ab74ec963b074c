"""Start-up checks of the recognition workers' configuration (ids recognition.E0xx)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register()
def scan_timing_check(app_configs=None, **kwargs) -> list:
    messages = []
    timeout = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}).get("visibility_timeout")
    if timeout is not None and settings.RECOGNITION_SEGMENT_SECONDS >= timeout:
        # acks_late: a task still running after the visibility timeout is delivered to a second worker.
        messages.append(
            checks.Error(
                f"RECOGNITION_SEGMENT_SECONDS={settings.RECOGNITION_SEGMENT_SECONDS} must stay below "
                f"CELERY_VISIBILITY_TIMEOUT={timeout}.",
                id="recognition.E001",
            )
        )
    if settings.RECOGNITION_SCAN_STALE_SECONDS <= settings.RECOGNITION_BATCH_SECONDS:
        messages.append(
            checks.Error(
                "RECOGNITION_SCAN_STALE_SECONDS must be longer than one batch (RECOGNITION_BATCH_SECONDS), "
                "or live scans would be taken for dead ones.",
                id="recognition.E002",
            )
        )
    return messages
