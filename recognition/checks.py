"""Start-up checks of the recognition workers' configuration (ids recognition.E0xx)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from recognition import detector_model


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


@checks.register()
def face_detector_check(app_configs=None, **kwargs) -> list:
    """The shipped YuNet model file is there and unchanged (the thresholds were derived on its boxes, R13)."""
    problem = detector_model.model_file_problem(detector_model.YUNET_PATH)
    if problem:
        return [checks.Error(f"{problem[0].upper()}{problem[1:]}.", id="recognition.E003")]
    return []


@checks.register()
def min_face_size_check(app_configs=None, **kwargs) -> list:
    """Faces under RECOGNITION_MIN_FACE_PX are never matched: under about 50 px no threshold is safe (R13)."""
    size = settings.RECOGNITION_MIN_FACE_PX
    if size < 40:
        return [
            checks.Error(
                f"RECOGNITION_MIN_FACE_PX={size}: faces under 40 px cannot be matched safely at any threshold "
                "(benchmarks/threshold_bench.py); set at least 50.",
                id="recognition.E004",
            )
        ]
    if size < 50:
        return [
            checks.Warning(
                f"RECOGNITION_MIN_FACE_PX={size}: under 50 px false alerts rise at every threshold measured here "
                "(benchmarks/threshold_bench.py).",
                id="recognition.W004",
            )
        ]
    return []


@checks.register()
def recording_limits_check(app_configs=None, **kwargs) -> list:
    """R24: a chunk of a recording is one request, so it must fit under the largest request accepted."""
    messages = []
    if settings.RECORDING_CHUNK_BYTES > settings.UPLOAD_MAX_BYTES:
        messages.append(
            checks.Error(
                f"RECORDING_CHUNK_BYTES={settings.RECORDING_CHUNK_BYTES} must not exceed "
                f"UPLOAD_MAX_BYTES={settings.UPLOAD_MAX_BYTES}: each chunk is one request.",
                id="recognition.E010",
            )
        )
    if settings.RECORDING_MAX_BYTES < settings.RECORDING_CHUNK_BYTES:
        messages.append(
            checks.Error(
                "RECORDING_MAX_BYTES must be at least one chunk (RECORDING_CHUNK_BYTES).", id="recognition.E011"
            )
        )
    return messages
