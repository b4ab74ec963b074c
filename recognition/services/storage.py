"""Storing what a scan found: the fenced write of a batch, its audit event and its alerts (R10, R16).

A match is stored only if its case covered the camera when the frame was captured and still covers it at
commit, re-checked under a row lock on the case so that a concurrent revocation serialises with us (R10).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Case
from oversight.selectors import CaseScope, case_scopes_for_camera
from oversight.services import camera_health_record
from recognition.models import Alert, Scan
from watchlists import crypto

logger = logging.getLogger(__name__)

_KEYRING_CHECKED: set[str] = set()


class LeaseLost(Exception):
    """Our scan row was closed by someone else (stale heartbeat): stop without storing."""


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameOutcome:
    """What survives of one analysed frame: its position, capture time, face count and matches."""

    index: int
    captured_at: datetime
    faces_seen: int
    matches: tuple = ()  # engine.Match: case_id, person_id, distance, crop_jpeg


@dataclass
class ScanBatch:
    frames_read: int
    frames: list[FrameOutcome]
    watchlist_versions: dict[int, str]
    thresholds: dict[int, float]
    case_references: dict[int, str]
    first_frame_at: datetime | None = None
    last_frame_at: datetime | None = None


def _keyring_ready() -> None:
    """Create the data keyring on first use (once per process and key file: it takes a file lock)."""
    path = str(settings.DATA_KEY_FILE)
    if path not in _KEYRING_CHECKED:
        crypto.keyring_create_if_missing()
        _KEYRING_CHECKED.add(path)


def _frame_key(captured_at: datetime) -> int:
    return int(round(captured_at.timestamp() * 1000))


@contextmanager
def _timed(timings: dict[str, float] | None, key: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - started


def _scopes_at_capture(
    camera_id: int, captured: list[datetime], active_now: dict[int, CaseScope]
) -> dict[datetime, dict[int, CaseScope]]:
    """The gate's answer at each capture instant of a batch, asking it as few times as is exact.

    With the case rows locked, an authorisation covers one interval of time (its approved
    window, or its urgent window within the requested one). So a case the gate lets through
    at the batch's first capture instant and again now covered every instant in between, and
    every frame of the batch lies there. Only if some case is active now but was not at the
    first instant (the batch in which it starts) is each frame asked about on its own.
    """
    first = min(captured)
    at_first = {s.case_id: s for s in case_scopes_for_camera(camera=camera_id, at=first)}
    if all(at_first.get(case_id) == scope for case_id, scope in active_now.items()):
        return dict.fromkeys(captured, at_first)
    return {at: {s.case_id: s for s in case_scopes_for_camera(camera=camera_id, at=at)} for at in captured}


def scan_batch_commit(*, scan_id: int, batch: ScanBatch, timings: dict[str, float] | None = None) -> dict:
    """Store one analysed batch: the fenced alerts, one SCAN_BATCH event, counters and camera health.

    The fence (R10): a match is stored only if its case and person were in the camera's scope
    at the frame's capture instant AND are still in it now, asked uncached while the case rows
    are locked with select_for_update, so a concurrent revocation either committed before
    (and we see it) or waits until we commit (and its instant is after every frame stored).
    Idempotent: an alert that exists for (case, person, camera, frame_key) is not created again.
    Raises LeaseLost if the scan was closed meanwhile (nothing is stored then).
    `timings`, if given, gathers seconds spent in "fence" (locks and gate), "audit" and "store".
    """
    with transaction.atomic():
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.stopped_at is not None:
            raise LeaseLost()
        now = timezone.now()
        candidates = [(frame, match) for frame in batch.frames for match in frame.matches]
        created, fenced_out = 0, 0
        if candidates:
            with _timed(timings, "fence"):
                case_ids = sorted({int(m.case_id) for _, m in candidates})
                list(Case.objects.select_for_update().filter(pk__in=case_ids).values_list("pk", flat=True))
                active_now = {s.case_id: s for s in case_scopes_for_camera(camera=scan.camera_id, at=now)}
                captured = sorted({f.captured_at for f, _ in candidates})
                at_capture = _scopes_at_capture(scan.camera_id, captured, active_now)
            _keyring_ready()
            for frame, match in candidates:
                then = at_capture[frame.captured_at].get(match.case_id)
                current = active_now.get(match.case_id)
                if (
                    frame.captured_at > now
                    or then is None
                    or current is None
                    or match.person_id not in then.person_ids
                    or match.person_id not in current.person_ids
                    or float(match.distance) > current.threshold
                ):
                    fenced_out += 1
                    continue
                created += _alert_create(
                    scan=scan, frame=frame, match=match, batch=batch, threshold=current.threshold, timings=timings
                )
        frames_analysed = len(batch.frames)
        faces_seen = sum(f.faces_seen for f in batch.frames)
        matches = len(candidates)
        references = [batch.case_references[c] for c in sorted(batch.case_references)]
        with _timed(timings, "audit"):
            _audit_batch(scan, batch, references, frames_analysed, faces_seen, matches, created, fenced_out)
        with _timed(timings, "store"):
            _batch_counters(scan, batch, now, frames_analysed, faces_seen, created)
    return {"alerts_created": created, "fenced_out": fenced_out}


def _audit_batch(scan, batch, references, frames_analysed, faces_seen, matches, created, fenced_out) -> None:
    """One SCAN_BATCH event per batch (R16, R17): what was looked at, against which watchlist, and counts."""
    audit_record(
        actor=None,
        event_type=EventType.SCAN_BATCH,
        case_ref=references[0] if len(references) == 1 else None,
        target_ref=scan,
        data={
            "camera_id": scan.camera_id,
            "cases": references,
            "watchlist_versions": {batch.case_references[c]: v for c, v in sorted(batch.watchlist_versions.items())},
            "first_frame_at": batch.first_frame_at.isoformat() if batch.first_frame_at else None,
            "last_frame_at": batch.last_frame_at.isoformat() if batch.last_frame_at else None,
            "frames_read": batch.frames_read,
            "frames_analysed": frames_analysed,
            "faces_seen": faces_seen,  # R11: a count, nothing else about faces that did not match
            "matches": matches,
            "alerts_created": created,
            "fenced_out": fenced_out,
        },
    )


def _batch_counters(scan, batch, now, frames_analysed, faces_seen, created) -> None:
    """Scan counters and heartbeat, and the camera's health (issue 5, item 6)."""
    Scan.objects.filter(pk=scan.pk).update(
        frames_read=F("frames_read") + batch.frames_read,
        frames_analysed=F("frames_analysed") + frames_analysed,
        faces_seen=F("faces_seen") + faces_seen,
        matches=F("matches") + created,
        last_heartbeat_at=now,
        last_frame_at=batch.last_frame_at or scan.last_frame_at,
    )
    elapsed = max((now - scan.started_at).total_seconds(), 1e-3)
    camera_health_record(
        camera_id=scan.camera_id,
        last_frame_at=batch.last_frame_at,
        analysed_fps=round((scan.frames_analysed + frames_analysed) / elapsed, 2),
    )


def _alert_create(
    *, scan: Scan, frame: FrameOutcome, match, batch: ScanBatch, threshold: float, timings: dict | None = None
) -> int:
    """One alert, its crop sealed with the row's identity; 0 if this frame's alert already exists."""
    with _timed(timings, "store"):
        alert = _alert_row(scan=scan, frame=frame, match=match, batch=batch, threshold=threshold)
    if alert is None:
        return 0
    with _timed(timings, "audit"):
        audit_record(
            actor=None,
            event_type=EventType.ALERT_CREATED,
            case_ref=batch.case_references.get(alert.case_id),
            target_ref=alert,
            data={
                "camera_id": scan.camera_id,
                "person_id": alert.person_id,
                "scan_id": scan.pk,
                "captured_at": frame.captured_at.isoformat(),
                "frame_index": frame.index,
                "distance": round(float(match.distance), 4),
                "threshold": threshold,
                "watchlist_version": alert.watchlist_version,
            },
        )
    return 1


def _alert_row(*, scan: Scan, frame: FrameOutcome, match, batch: ScanBatch, threshold: float) -> Alert | None:
    """The alert row with its crop sealed with the row's identity; None if this frame's alert exists."""
    key = _frame_key(frame.captured_at)
    case_id, person_id = int(match.case_id), int(match.person_id)
    if Alert.objects.filter(case_id=case_id, person_id=person_id, camera_id=scan.camera_id, frame_key=key).exists():
        return None
    alert = Alert.objects.create(
        case_id=case_id,
        person_id=person_id,
        camera_id=scan.camera_id,
        scan=scan,
        captured_at=frame.captured_at,
        frame_key=key,
        frame_index=frame.index,
        distance=float(match.distance),
        threshold=float(threshold),
        watchlist_version=batch.watchlist_versions.get(case_id, ""),
    )
    if match.crop_jpeg:
        alert.crop_blob = crypto.encrypt(bytes(match.crop_jpeg), aad=alert.aad("crop"))
        alert.save(update_fields=["crop_blob"])
    return alert
