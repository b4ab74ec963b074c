"""Storing what a scan found: the fenced write of a batch's sightings, its audit event and its alerts (R10, R16).

A scan turns matching face tracks into sighting events (recognition.sightings): each event is the whole state of
one sighting right after one analysed frame. A batch's events are stored only if their case covered the camera
and the person at the frame's capture instant AND still covers them at commit, asked uncached while the case rows
are locked (select_for_update), so a concurrent revocation serialises with us (R10): nothing captured after a
revocation or the end of a window is stored, not even a later last-seen time of an open sighting.

A sighting is one Alert row, upserted on its stable key (case, person, camera, first capture instant): the row is
created (and ALERT_CREATED recorded) when it opens, and only ever moved forward afterwards, so a replayed batch or
a redelivered task changes nothing and creates nothing twice.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Case
from oversight.selectors import CaseScope, RecordingScope, case_scope_for_recording, case_scopes_for_camera
from oversight.services import camera_health_record
from recognition.models import Alert, Scan
from recognition.sightings import Sighting, SightingEvent, SightingKey, coalesce
from watchlists import crypto

logger = logging.getLogger(__name__)

_KEYRING_CHECKED: set[str] = set()


class LeaseLost(Exception):
    """Our scan row was closed by someone else (stale heartbeat): stop without storing."""


@dataclass
class ScanBatch:
    """What one batch of a scan produced: counts, and the sighting events of its analysed frames.

    ``faces_seen`` counts new faces (tracks started), never anything about them (R11).
    """

    frames_read: int
    frames_analysed: int
    watchlist_versions: dict[int, str]
    thresholds: dict[int, float]
    case_references: dict[int, str]
    events: list[SightingEvent] = field(default_factory=list)
    faces_seen: int = 0
    matches: int = 0  # matching tracks over the analysed frames
    frames_skipped: int = 0
    skipped_share: float | None = None
    faces_too_small: int = 0  # detections under RECOGNITION_MIN_FACE_PX in this batch's frames
    too_small_share: float | None = None  # of the scan's detections so far
    first_frame_at: datetime | None = None
    last_frame_at: datetime | None = None


def _keyring_ready() -> None:
    """Create the data keyring on first use (once per process and key file: it takes a file lock)."""
    path = str(settings.DATA_KEY_FILE)
    if path not in _KEYRING_CHECKED:
        crypto.keyring_create_if_missing()
        _KEYRING_CHECKED.add(path)


def frame_key(captured_at: datetime) -> int:
    return int(round(captured_at.timestamp() * 1000))


@contextmanager
def _timed(timings: dict[str, float] | None, key: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - started


def _scopes_at(camera_id: int, instants: list[datetime], active_now: dict[int, CaseScope]) -> dict:
    """The gate's answer at each instant, asking it as few times as is exact.

    With the case rows locked, an authorisation covers one interval of time (its approved window, or its urgent
    window within the requested one). So a case the gate lets through at the earliest instant and again now
    covered every instant in between. Only if some case is active now but was not at the earliest instant (the
    batch in which it starts) is each instant asked about on its own.
    """
    first = min(instants)
    at_first = {s.case_id: s for s in case_scopes_for_camera(camera=camera_id, at=first)}
    if all(at_first.get(case_id) == scope for case_id, scope in active_now.items()):
        return dict.fromkeys(instants, at_first)
    return {at: {s.case_id: s for s in case_scopes_for_camera(camera=camera_id, at=at)} for at in instants}


def _covered(event: SightingEvent, at: dict, active_now: dict[int, CaseScope]) -> bool:
    """R10: the sighting's case and person were in scope at its first and its latest capture, and still are."""
    s = event.sighting
    case_id, person_id = int(s.case_id), int(s.person_id)
    current = active_now.get(case_id)
    if current is None or person_id not in current.person_ids or s.best_distance > current.threshold:
        return False
    for instant in (s.first_captured_at, s.last_captured_at):
        then = at[instant].get(case_id)
        if then is None or person_id not in then.person_ids:
            return False
    return True


def _covered_recording(event: SightingEvent, scope: RecordingScope | None) -> bool:
    """R24: the post-event case still allows the person now, and the sighting's first and latest capture lie in the
    authorised capture-time range."""
    s = event.sighting
    if scope is None or int(s.case_id) != scope.case_id or int(s.person_id) not in scope.person_ids:
        return False
    if s.best_distance > scope.threshold:
        return False
    return all(scope.capture_start <= t < scope.capture_end for t in (s.first_captured_at, s.last_captured_at))


def _store_fenced(scan, batch: ScanBatch, timings: dict, counts, covered) -> None:
    """Store the batch's events that `covered` lets through (the fence, R10/R24); an event fenced out is counted,
    and a closing one still closes a sighting stored before."""
    passed, close_only = [], []
    for event in batch.events:
        if covered(event):
            passed.append(event)
        else:
            counts["fenced_out"] += 1
            if event.kind == "closed":
                close_only.append(event.key)
    _keyring_ready()
    for event in coalesce(passed):
        outcome = _sighting_store(scan=scan, sighting=event.sighting, batch=batch, timings=timings)
        counts[outcome] += 1
    for key in close_only:
        counts["sightings_closed"] += _sighting_close(key)


def scan_batch_commit(*, scan_id: int, batch: ScanBatch, timings: dict[str, float] | None = None) -> dict:
    """Store one analysed batch: the fenced sightings, one SCAN_BATCH event, counters and camera health.

    Events that fail the fence are dropped, except that a sighting whose scan ended it is still marked closed
    (at the last instant already stored). Raises LeaseLost if the scan was closed meanwhile (nothing stored).
    `timings`, if given, gathers seconds spent in "fence" (locks and gate), "audit" and "store".
    Returns counts: sightings opened (alerts created), updated and closed, and events fenced out.
    """
    counts = {
        "alerts_created": 0,
        "sightings_updated": 0,
        "sightings_closed": 0,
        "sightings_unchanged": 0,
        "fenced_out": 0,
    }
    with transaction.atomic():
        scan = Scan.objects.select_for_update(of=("self",)).select_related("recording").get(pk=scan_id)
        if scan.stopped_at is not None:
            raise LeaseLost()
        now = timezone.now()
        if batch.events and scan.recording_id is not None:
            # R24: recorded footage has its own gate: the case's capture-time range, asked now under the case lock.
            with _timed(timings, "fence"):
                case_ids = sorted({int(e.sighting.case_id) for e in batch.events})
                list(Case.objects.select_for_update().filter(pk__in=case_ids).values_list("pk", flat=True))
                recording_case = scan.recording.case_id
                scope = case_scope_for_recording(case_id=recording_case, camera_id=scan.camera_id, at=now)
            _store_fenced(scan, batch, timings, counts, lambda event: _covered_recording(event, scope))
        elif batch.events:
            with _timed(timings, "fence"):
                case_ids = sorted({int(e.sighting.case_id) for e in batch.events})
                list(Case.objects.select_for_update().filter(pk__in=case_ids).values_list("pk", flat=True))
                active_now = {s.case_id: s for s in case_scopes_for_camera(camera=scan.camera_id, at=now)}
                instants = sorted(
                    {e.sighting.first_captured_at for e in batch.events}
                    | {e.sighting.last_captured_at for e in batch.events}
                )
                at = _scopes_at(scan.camera_id, instants, active_now)
            _store_fenced(scan, batch, timings, counts, lambda event: _covered(event, at, active_now))
        with _timed(timings, "audit"):
            _audit_batch(scan, batch, counts)
        with _timed(timings, "store"):
            _batch_counters(scan, batch, now, counts["alerts_created"])
    return counts


def _audit_batch(scan, batch: ScanBatch, counts: dict) -> None:
    """One SCAN_BATCH event per batch (R16, R17): what was looked at, against which watchlist, and counts."""
    references = [batch.case_references[c] for c in sorted(batch.case_references)]
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
            "frames_analysed": batch.frames_analysed,
            "frames_skipped": batch.frames_skipped,
            "faces_seen": batch.faces_seen,  # R11: a count of new faces, nothing else about those that did not match
            "faces_too_small": batch.faces_too_small,
            "matches": batch.matches,
            **counts,
        },
    )


def _batch_counters(scan, batch: ScanBatch, now, created: int) -> None:
    """Scan counters and heartbeat, and the camera's health (analysed frame rate, share of frames skipped)."""
    Scan.objects.filter(pk=scan.pk).update(
        frames_read=F("frames_read") + batch.frames_read,
        frames_analysed=F("frames_analysed") + batch.frames_analysed,
        faces_seen=F("faces_seen") + batch.faces_seen,
        matches=F("matches") + created,
        last_heartbeat_at=now,
        last_frame_at=batch.last_frame_at or scan.last_frame_at,
    )
    if batch.last_frame_at is None or scan.recording_id is not None:
        # no frame analysed (a batch that only closes sightings), or recorded footage (R24): nothing about the camera
        return  # no frame analysed (a batch that only closes sightings): nothing new about the camera
    elapsed = max((now - scan.started_at).total_seconds(), 1e-3)
    camera_health_record(
        camera_id=scan.camera_id,
        last_frame_at=batch.last_frame_at,
        analysed_fps=round((scan.frames_analysed + batch.frames_analysed) / elapsed, 2),
        skipped_share=None if batch.skipped_share is None else round(batch.skipped_share, 3),
        too_small_share=None if batch.too_small_share is None else round(batch.too_small_share, 3),
    )


def _row_for(key: SightingKey):
    return (
        Alert.objects.select_for_update()
        .filter(
            case_id=int(key.case_id),
            person_id=int(key.person_id),
            camera_id=int(key.camera_id),
            frame_key=frame_key(key.first_captured_at),
        )
        .first()
    )


def _chain_end(alert: Alert) -> Alert:
    """The newest link of a sighting's continuation chain, locked like the first (R16)."""
    while (following := Alert.objects.select_for_update().filter(continues=alert).order_by("-id").first()) is not None:
        alert = following
    return alert


def _frames_after(frames, alert: Alert) -> list[int]:
    last = max(alert.frames) if alert.frames else alert.frame_index
    return [f for f in frames if f > last]


def _sighting_store(*, scan: Scan, sighting: Sighting, batch: ScanBatch, timings: dict | None) -> str:
    """Upsert one sighting on its key; only ever move it forward (more frames matched, or newly closed).

    R14, R16: a sighting that anyone has reviewed keeps the evidence they reviewed (crop, distance, best frame,
    frames); what the camera matches afterwards opens a continuation linked to it, reviewed in its turn.
    """
    with _timed(timings, "store"):
        first = _row_for(sighting.key)
        if first is None:
            alert = _alert_create(scan=scan, sighting=sighting, batch=batch, frames=list(sighting.frames))
            continues = None
        else:
            link = _chain_end(first)
            if not link.reviews.exists():
                return _sighting_update(link, sighting=sighting, routed=link.pk != first.pk)
            fresh = _frames_after(sighting.frames, link)
            if not fresh:
                if sighting.closed and link.is_open:
                    link.closed_at = link.last_seen_at or link.captured_at
                    link.save(update_fields=["closed_at"])
                    return "sightings_closed"
                return "sightings_unchanged"
            alert = _alert_create(scan=scan, sighting=sighting, batch=batch, frames=fresh, continues=link)
            continues = link.pk
            if link.is_open:
                link.closed_at = link.last_seen_at or link.captured_at
                link.save(update_fields=["closed_at"])
    with _timed(timings, "audit"):
        data = {
            "camera_id": scan.camera_id,
            "person_id": alert.person_id,
            "scan_id": scan.pk,
            "recording_id": scan.recording_id,
            "first_seen_at": alert.captured_at.isoformat(),
            "frame_index": alert.frame_index,
            "distance": round(float(alert.distance), 4),
            "threshold": alert.threshold,
            "watchlist_version": alert.watchlist_version,
        }
        if continues is not None:
            data["continues"] = continues
        audit_record(
            actor=None,
            event_type=EventType.ALERT_CREATED,
            case_ref=batch.case_references.get(alert.case_id),
            target_ref=alert,
            data=data,
        )
    return "alerts_created"


def _best_is_after(sighting: Sighting, alert: Alert | None) -> bool:
    """Whether the sighting's best view came after `alert` (the reviewed link a continuation follows)."""
    return alert is None or sighting.best_captured_at > (alert.last_seen_at or alert.captured_at)


def _alert_create(*, scan: Scan, sighting: Sighting, batch: ScanBatch, frames: list[int], continues=None) -> Alert:
    """A new sighting row, or a continuation of a reviewed one carrying only the frames after it. A continuation
    takes the best view only when it came after the review; otherwise it has no image of its own yet."""
    case_id = int(sighting.case_id)
    own_best = _best_is_after(sighting, continues)
    if continues is None:
        first_at, first_frame, matched = sighting.first_captured_at, sighting.first_frame, sighting.frames_matched
    else:
        # The capture instant of the first frame after the review is not kept by the tracker; the continuation
        # starts at its best view if that came after the review, else at the latest frame (at the latest).
        first_at = sighting.best_captured_at if own_best else sighting.last_captured_at
        first_frame, matched = frames[0], len(frames)
    alert = Alert.objects.create(
        case_id=case_id,
        person_id=int(sighting.person_id),
        camera_id=scan.camera_id,
        scan=scan,
        recording_id=scan.recording_id,
        continues=continues,
        captured_at=first_at,
        frame_key=frame_key(first_at),
        frame_index=first_frame,
        last_seen_at=max(sighting.last_captured_at, first_at),
        frames_matched=matched,
        frames=frames,
        best_frame_index=sighting.best_frame if own_best else first_frame,
        best_captured_at=sighting.best_captured_at if own_best else None,
        closed_at=sighting.last_captured_at if sighting.closed else None,
        distance=float(sighting.best_distance),
        threshold=float(batch.thresholds.get(case_id, 0.0)),
        watchlist_version=batch.watchlist_versions.get(case_id, ""),
    )
    if own_best and sighting.best_crop_jpeg:
        alert.crop_blob = crypto.encrypt(bytes(sighting.best_crop_jpeg), aad=alert.aad("crop"))
        alert.save(update_fields=["crop_blob"])
    return alert


def _sighting_update(alert: Alert, *, sighting: Sighting, routed: bool) -> str:
    """Move an unreviewed sighting forward. A continuation reached from the first key (routed) keeps only the
    frames after the link it continues, and a best view only from after that link's review."""
    previous = alert.continues if alert.continues_id else None
    frames = _frames_after(sighting.frames, previous) if routed and previous else list(sighting.frames)
    matched = len(frames) if previous else sighting.frames_matched
    if matched <= alert.frames_matched and not (sighting.closed and alert.is_open):
        return "sightings_unchanged"
    alert.last_seen_at = max(sighting.last_captured_at, alert.last_seen_at or alert.captured_at)
    alert.frames_matched = max(matched, alert.frames_matched)
    alert.frames = frames
    fields = ["last_seen_at", "frames_matched", "frames"]
    if sighting.best_distance < alert.distance and _best_is_after(sighting, previous):
        alert.distance = sighting.best_distance
        alert.best_frame_index = sighting.best_frame
        alert.best_captured_at = sighting.best_captured_at
        fields += ["distance", "best_frame_index", "best_captured_at"]
        if sighting.best_crop_jpeg:
            alert.crop_blob = crypto.encrypt(bytes(sighting.best_crop_jpeg), aad=alert.aad("crop"))
            fields.append("crop_blob")
    if sighting.closed and alert.is_open:
        alert.closed_at = alert.last_seen_at
        fields.append("closed_at")
    alert.save(update_fields=fields)
    return "sightings_closed" if "closed_at" in fields else "sightings_updated"


def _sighting_close(key: SightingKey) -> int:
    """Mark a stored sighting (the newest link of its chain) closed at the last instant already stored (its later
    frames were fenced out)."""
    alert = _row_for(key)
    if alert is None:
        return 0
    alert = _chain_end(alert)
    if not alert.is_open:
        return 0
    alert.closed_at = alert.last_seen_at or alert.captured_at
    alert.save(update_fields=["closed_at"])
    return 1


def sightings_open_for_camera(*, camera_id: int) -> list[Sighting]:
    """The sightings of this camera still open, as the builder's state, so the next scan segment continues them
    instead of raising new alerts for a person who stayed in view."""
    rows = Alert.objects.filter(camera_id=camera_id, closed_at__isnull=True, recording__isnull=True)
    return _as_sightings(camera_id, rows)


def sightings_open_for_recording(*, recording_id: int, camera_id: int) -> list[Sighting]:
    """The open sightings of a recording, so the next segment of its analysis continues them (R24)."""
    return _as_sightings(camera_id, Alert.objects.filter(recording_id=recording_id, closed_at__isnull=True))


def _as_sightings(camera_id: int, rows) -> list[Sighting]:
    rows = rows.order_by("captured_at")
    return [
        Sighting(
            key=SightingKey(camera_id, a.case_id, a.person_id, a.captured_at),
            first_frame=a.frame_index,
            last_frame=a.frames[-1] if a.frames else a.frame_index,
            last_captured_at=a.last_seen_at or a.captured_at,
            frames_matched=a.frames_matched,
            frames=tuple(a.frames),
            best_distance=a.distance,
            best_frame=a.best_frame_index,
            best_captured_at=a.best_captured_at or a.captured_at,
        )
        for a in rows
    ]


def sightings_close_stale(*, before: datetime, except_cameras: set[int]) -> int:
    """Close sightings last seen before `before` on cameras no live scan holds (their worker died, or no scan
    followed: the case ended). A live scan closes its own when the gap has passed."""
    # Sightings in recordings (R24) carry capture times of the past: their own analysis closes them.
    stale = Alert.objects.filter(closed_at__isnull=True, last_seen_at__lt=before, recording__isnull=True).exclude(
        camera_id__in=except_cameras
    )
    return stale.update(closed_at=F("last_seen_at"))
