"""Writes of the recognition app, one module per concern; callers import from here.

- scans: the lease a worker holds on a camera, and the dispatcher
- storage: the fenced write of a batch, its audit event and its alerts
- outages: cameras that cannot be read, one record per episode, retried with a growing pause
- alerts: consultation, crops and two-person verification of stored alerts

The worker loop that runs the face engine is recognition.worker, outside this package, so that web code
importing these services never reaches the engine (an import-linter contract checks it).
"""

from recognition.services.alerts import (
    CONFIRMATIONS_REQUIRED,
    alert_crop_read,
    alert_crops_reencrypt,
    alert_list_record_view,
    alert_record_outcome,
    alert_record_view,
    alert_reference_photo_read,
    alert_review,
)
from recognition.services.outages import (
    camera_outage_end,
    camera_outage_record,
    cameras_waiting_to_retry,
    retry_pause_seconds,
)
from recognition.services.scans import (
    DISPATCH_KEY,
    StopReason,
    camera_record_error,
    recording_scan_start,
    recordings_dispatch,
    scan_dispatch,
    scan_start,
    scan_stop,
    scans_close_stale,
)
from recognition.services.storage import (
    ScanBatch,
    scan_batch_commit,
    sightings_close_stale,
    sightings_open_for_camera,
)

__all__ = [
    "camera_outage_end",
    "camera_outage_record",
    "cameras_waiting_to_retry",
    "retry_pause_seconds",
    "CONFIRMATIONS_REQUIRED",
    "DISPATCH_KEY",
    "ScanBatch",
    "StopReason",
    "alert_crop_read",
    "alert_list_record_view",
    "alert_reference_photo_read",
    "alert_crops_reencrypt",
    "alert_record_outcome",
    "alert_record_view",
    "alert_review",
    "camera_record_error",
    "scan_batch_commit",
    "recording_scan_start",
    "recordings_dispatch",
    "scan_dispatch",
    "scan_start",
    "scan_stop",
    "scans_close_stale",
    "sightings_close_stale",
    "sightings_open_for_camera",
]
