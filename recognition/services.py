"""Writes of the recognition app: the scan loop of a worker, alerts, their review (R10, R11, R13-R17).

The worker loop (:func:`scan_run`) is the platform's main job:

1. acquire the camera (the running :class:`Scan` row is the lease, one per camera);
2. before each batch of at most RECOGNITION_BATCH_SECONDS of video, ask THE GATE
   (``case_scopes_for_camera``) with an answer no older than RECOGNITION_GATE_CACHE_SECONDS;
   no scope or any error stops the scan (fail closed, R10);
3. analyse the batch's sampled frames against the templates of every case in scope
   (non-matching faces are dropped inside the engine, R11);
4. commit the batch in one transaction (:func:`scan_batch_commit`): a FENCED WRITE stores a
   match only if its case covered the camera when the frame was captured and still covers it
   at commit, re-checked under a row lock on the case so that a concurrent revocation
   serialises with us (R10); one SCAN_BATCH event per batch and ALERT_CREATED per alert (R16).

The engine (cv2, dlib) is imported inside the worker functions only, so the web process
never loads it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Camera, Case
from oversight.roles import Role, user_has_role
from oversight.selectors import CaseScope, case_scopes_for_camera
from oversight.services import camera_health_record
from recognition.models import Alert, AlertReview, Scan
from watchlists import crypto
from watchlists.selectors import CaseTemplates, watchlist_templates, watchlist_version

logger = logging.getLogger(__name__)

StopReason = Scan.StopReason
DISPATCH_KEY = "recognition:dispatched:{camera_id}"


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
        running = Scan.objects.select_for_update().filter(camera_id=camera_id, stopped_at__isnull=True).first()
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


def scan_dispatch(*, now: datetime | None = None, queue: Callable[[int], Any] | None = None) -> list[int]:
    """Queue one scan task per enabled camera that the gate covers now and that no live scan holds.

    Runs every RECOGNITION_DISPATCH_SECONDS (Celery beat). No task is queued for any other
    camera (R10). Stale scans are closed first, so a camera whose worker died is picked up
    again within RECOGNITION_SCAN_STALE_SECONDS plus one dispatch period.
    A best-effort cache key avoids queueing the same camera again while its task waits for a
    worker; correctness does not depend on it (the lease does), so a cache outage only costs
    duplicate tasks that find the camera taken and return.
    """
    if queue is None:
        from recognition.tasks import scan_camera

        queue = scan_camera.delay
    now = now or timezone.now()
    scans_close_stale(now=now)
    live = set(Scan.objects.filter(stopped_at__isnull=True).values_list("camera_id", flat=True))
    queued = []
    for camera_id in (
        Camera.objects.filter(enabled=True).exclude(pk__in=live).order_by("pk").values_list("pk", flat=True)
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


def camera_record_error(*, camera_id: int, message: str) -> None:
    """Camera health: a clear message for the registry page; the worker carries on."""
    camera_health_record(camera_id=camera_id, error=message)


# ---------------------------------------------------------------- scans: the worker loop


class _Gate:
    """The gate's answer for one camera, never older than RECOGNITION_GATE_CACHE_SECONDS (wall clock)."""

    def __init__(self, camera_id: int, max_age: float):
        self.camera_id = camera_id
        self.max_age = max_age
        self._answer: list[CaseScope] = []
        self._fetched: float | None = None
        self.seconds = 0.0
        self.generation = 0  # bumped on every fresh answer

    def scopes(self) -> list[CaseScope]:
        if self._fetched is None or time.monotonic() - self._fetched >= self.max_age:
            started = time.perf_counter()
            try:
                self._fetched = None  # an error leaves no stale answer behind
                self._answer = case_scopes_for_camera(camera=self.camera_id, at=timezone.now())
                self._fetched = time.monotonic()
                self.generation += 1
            finally:
                self.seconds += time.perf_counter() - started
        return self._answer


# Decrypted templates per (case_id, watchlist version), in this process's memory only: never
# in a shared cache. Entries go when their case leaves the camera's scope.
_TEMPLATE_CACHE: dict[tuple[int, str], CaseTemplates] = {}


@dataclass
class _ScopeState:
    """The MatchScope for the current gate answer, rebuilt only when the answer changes."""

    key: tuple = ()
    generation: int = -1
    match_scope: Any = None
    versions: dict[int, str] = field(default_factory=dict)
    thresholds: dict[int, float] = field(default_factory=dict)
    references: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0

    def refresh(self, scopes: list[CaseScope], engine) -> None:
        started = time.perf_counter()
        versions = {s.case_id: watchlist_version(case_id=s.case_id) for s in scopes}
        key = tuple((s.case_id, versions[s.case_id], s.threshold, s.person_ids) for s in scopes)
        if key != self.key:
            live = set()
            templates = []
            for s in scopes:
                cache_key = (s.case_id, versions[s.case_id])
                live.add(cache_key)
                loaded = _TEMPLATE_CACHE.get(cache_key)
                if loaded is None:
                    loaded = watchlist_templates(case_id=s.case_id, person_ids=s.person_ids)
                    _TEMPLATE_CACHE[cache_key] = loaded
                for photo_id, person_id, encoding in zip(
                    loaded.photo_ids, loaded.person_ids, loaded.encodings, strict=True
                ):
                    if person_id in s.person_ids:
                        templates.append(engine.Template(photo_id, s.case_id, person_id, encoding))
            for stale in [k for k in _TEMPLATE_CACHE if k[0] in versions and k not in live]:
                del _TEMPLATE_CACHE[stale]
            self.match_scope = engine.MatchScope.build(templates, {s.case_id: s.threshold for s in scopes})
            self.key = key
        self.versions = versions
        self.thresholds = {s.case_id: s.threshold for s in scopes}
        self.references = {s.case_id: s.reference for s in scopes}
        self.seconds += time.perf_counter() - started


def _template_cache_drop(keep_case_ids: set[int]) -> None:
    for key in [k for k in _TEMPLATE_CACHE if k[0] not in keep_case_ids]:
        del _TEMPLATE_CACHE[key]


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


@dataclass
class ScanOutcome:
    scan_id: int | None
    stop_reason: str
    detail: str = ""
    frames_read: int = 0
    frames_analysed: int = 0
    faces_seen: int = 0
    matches: int = 0
    alerts_created: int = 0
    media_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


class _LeaseLost(Exception):
    """Our scan row was closed by someone else (stale heartbeat): stop without storing."""


@dataclass
class ScanHooks:
    """Test and benchmark hooks: called after a batch is analysed, before it is committed."""

    after_process: Callable[[ScanBatch], None] | None = None


def _ended_reason(case_ids: set[int]) -> str:
    """Why the gate closed: revoked if any of the cases we were scanning for was revoked."""
    statuses = set(Case.objects.filter(pk__in=case_ids).values_list("status", flat=True))
    if Case.Status.REVOKED in statuses:
        return StopReason.REVOKED
    if statuses:
        return StopReason.CASE_ENDED
    return StopReason.NO_SCOPE


def scan_run(
    *,
    camera_id: int,
    worker: str = "",
    realtime: bool = True,
    loop: bool | None = None,
    max_seconds: float | None = None,
    hooks: ScanHooks | None = None,
) -> ScanOutcome:
    """Analyse one camera for one segment, while and only while the gate allows it (R10).

    Preconditions: none; the gate decides. A camera outside every scope is not opened at all
    (zero frames read). ``realtime`` paces a local file at its own frame rate (a file source
    plays a live feed); ``loop`` (default: files loop, streams do not) replays a file;
    ``max_seconds`` bounds the segment (default RECOGNITION_SEGMENT_SECONDS).
    Side effects: a Scan row (SCAN_STARTED/SCAN_STOPPED), per batch one SCAN_BATCH event and
    the alerts of the fenced write, camera health. Never raises for source or gate problems:
    the camera gets a clear last_error and the task returns normally.
    """
    hooks = hooks or ScanHooks()
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None or not camera.enabled:
        return ScanOutcome(None, StopReason.CAMERA_DISABLED)
    gate = _Gate(camera_id, settings.RECOGNITION_GATE_CACHE_SECONDS)
    try:
        scopes = gate.scopes()
    except Exception as exc:  # noqa: BLE001 - fail closed (R10)
        logger.exception("gate failed for camera %s", camera_id)
        return ScanOutcome(None, StopReason.GATE_ERROR, detail=str(exc))
    if not scopes:
        return ScanOutcome(None, StopReason.NO_SCOPE)
    scan = scan_start(camera_id=camera_id, worker=worker, scopes=scopes)
    if scan is None:
        return ScanOutcome(None, "busy", detail="another worker holds this camera")
    outcome = ScanOutcome(scan.pk, StopReason.ERROR)
    try:
        _scan_loop(
            scan=scan,
            camera=camera,
            gate=gate,
            outcome=outcome,
            realtime=realtime,
            loop=loop,
            max_seconds=settings.RECOGNITION_SEGMENT_SECONDS if max_seconds is None else max_seconds,
            hooks=hooks,
        )
    except _LeaseLost:
        outcome.stop_reason = StopReason.WORKER_LOST
        outcome.detail = "the scan was closed while running (heartbeat too old)"
    except Exception as exc:  # noqa: BLE001 - any error stops analysis (fail closed) but not the worker
        logger.exception("scan %s of camera %s failed", scan.pk, camera_id)
        outcome.stop_reason, outcome.detail = StopReason.ERROR, f"{type(exc).__name__}: {exc}"
        camera_record_error(camera_id=camera_id, message=f"Analysis stopped on an internal error: {outcome.detail}")
    except BaseException as exc:  # the worker is shutting down (SIGTERM, SystemExit): release the camera
        outcome.stop_reason, outcome.detail = StopReason.WORKER_LOST, f"worker stopped: {type(exc).__name__}"
        raise
    finally:
        scan_stop(scan_id=scan.pk, reason=outcome.stop_reason, detail=outcome.detail)
        if outcome.stop_reason in (StopReason.REVOKED, StopReason.CASE_ENDED, StopReason.NO_SCOPE):
            _template_cache_drop(set())
    return outcome


def _scan_loop(*, scan, camera, gate, outcome, realtime, loop, max_seconds, hooks) -> None:
    from recognition import engine

    config = engine.EngineConfig(
        sample_fps=settings.RECOGNITION_SAMPLE_FPS,
        downscale=settings.RECOGNITION_DOWNSCALE,
        upsample=settings.RECOGNITION_UPSAMPLE,
    )
    timings = outcome.timings
    # "write" is the whole commit of a batch; within it "fence", "audit" and "store" (see scan_batch_commit).
    timings.update(gate=0.0, templates=0.0, read=0.0, process=0.0, write=0.0, fence=0.0, audit=0.0, store=0.0)
    state = _ScopeState()
    started = time.perf_counter()
    try:
        source = engine.VideoSource(camera.source, loop=True if loop is None else loop)
    except engine.SourceError as exc:
        camera_record_error(camera_id=camera.pk, message=str(exc))
        outcome.stop_reason, outcome.detail = StopReason.SOURCE_ERROR, str(exc)
        return
    timings["read"] += time.perf_counter() - started
    if source.is_stream and loop is None:
        source.loop = False
    with source:
        fps = source.fps
        ratio = settings.RECOGNITION_SAMPLE_FPS / fps
        frames_per_batch = max(1, math.floor(settings.RECOGNITION_BATCH_SECONDS * fps))
        last_slot = -1
        wall_anchor = time.monotonic()
        clock_anchor = timezone.now()
        # A local file plays a live feed: frame i is "captured" at scan start + i / fps, and is
        # not read before that instant. Streams (and unpaced runs) are stamped when read.
        pace = realtime and not source.is_stream
        case_ids_seen: set[int] = set()
        while True:
            if source.frames_read / fps >= max_seconds or time.monotonic() - wall_anchor >= max_seconds:
                outcome.stop_reason = StopReason.SEGMENT_END
                return
            # R10: ask the gate before every batch; no answer or an empty one stops the scan.
            try:
                scopes = gate.scopes()
            except Exception as exc:  # noqa: BLE001 - fail closed
                logger.exception("gate failed for camera %s", camera.pk)
                outcome.stop_reason, outcome.detail = StopReason.GATE_ERROR, f"{type(exc).__name__}: {exc}"
                return
            finally:
                timings["gate"] = gate.seconds
            if not scopes:
                outcome.stop_reason = _ended_reason(case_ids_seen)
                return
            case_ids_seen |= {s.case_id for s in scopes}
            if gate.generation != state.generation:
                # The watchlist version is re-read with each fresh gate answer (at most once a second).
                state.refresh(scopes, engine)
                state.generation = gate.generation
            timings["templates"] = state.seconds

            # Read at most one batch of video (frames are only grabbed; sampled ones decoded).
            t0 = time.perf_counter()
            samples, frames_read, error, ended = [], 0, None, False
            first_at = last_at = None
            batch_end = source.frames_read + frames_per_batch
            while source.frames_read < batch_end:
                if pace:
                    wait = wall_anchor + source.frames_read / fps - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                try:
                    if not source.grab():
                        ended = True
                        break
                    index = source.frames_read - 1
                    captured_at = clock_anchor + timedelta(seconds=index / fps) if pace else timezone.now()
                    frames_read += 1
                    first_at = first_at or captured_at
                    last_at = captured_at
                    slot = math.floor(index * ratio + 1e-9)
                    if slot > last_slot:
                        last_slot = slot
                        samples.append((index, captured_at, source.retrieve()))
                except engine.SourceError as exc:
                    error = exc
                    break
            t1 = time.perf_counter()
            frames = []
            for index, captured_at, frame in samples:
                result = engine.process_frame(frame, state.match_scope, config)
                frames.append(FrameOutcome(index, captured_at, result.faces_seen, tuple(result.matches)))
            samples.clear()  # the pixels go now (R11); only counts and matches remain
            t2 = time.perf_counter()
            timings["read"] += t1 - t0
            timings["process"] += t2 - t1

            batch = ScanBatch(
                frames_read=frames_read,
                frames=frames,
                watchlist_versions=dict(state.versions),
                thresholds=dict(state.thresholds),
                case_references=dict(state.references),
                first_frame_at=first_at,
                last_frame_at=last_at,
            )
            if hooks.after_process:
                hooks.after_process(batch)
            if frames_read:
                result = scan_batch_commit(scan_id=scan.pk, batch=batch, timings=timings)
                outcome.alerts_created += result["alerts_created"]
            timings["write"] += time.perf_counter() - t2
            outcome.frames_read += frames_read
            outcome.frames_analysed += len(frames)
            outcome.faces_seen += sum(f.faces_seen for f in frames)
            outcome.matches += sum(len(f.matches) for f in frames)
            outcome.media_seconds = source.frames_read / fps
            if error is not None:
                camera_record_error(camera_id=camera.pk, message=str(error))
                outcome.stop_reason, outcome.detail = StopReason.SOURCE_ERROR, str(error)
                return
            if ended:
                outcome.stop_reason = StopReason.SOURCE_ENDED
                return


_KEYRING_CHECKED: set[str] = set()


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
    Raises _LeaseLost if the scan was closed meanwhile (nothing is stored then).
    `timings`, if given, gathers seconds spent in "fence" (locks and gate), "audit" and "store".
    """
    with transaction.atomic():
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.stopped_at is not None:
            raise _LeaseLost()
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


# ---------------------------------------------------------------- alerts


def alert_crops_reencrypt(new_key_id: str) -> dict:
    """Re-encrypt every alert crop under the current key (called by watchlists' data_key_rotate)."""
    count = 0
    for pk in Alert.objects.filter(crop_blob__isnull=False).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            alert = Alert.objects.select_for_update().only("pk", "crop_blob").get(pk=pk)
            blob = bytes(alert.crop_blob)
            fresh = crypto.reencrypt(blob, aad=alert.aad("crop"))
            if fresh is not blob:
                alert.crop_blob = fresh
                alert.save(update_fields=["crop_blob"])
                count += 1
    stale = [
        a.pk
        for a in Alert.objects.filter(crop_blob__isnull=False).only("pk", "crop_blob")
        if crypto.blob_key_id(bytes(a.crop_blob)) != new_key_id
    ]
    if stale:
        raise RuntimeError(f"rotation incomplete: alerts {stale[:10]} still on an old key")
    return {"alert_crops": count}


def alert_record_view(*, actor, alert: Alert, interface: str, part: str = "details", basis: str = "") -> None:
    """R17: a consultation of an alert (who, when, which part, on what basis)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.ALERT_VIEWED,
            case_ref=alert.case.reference,
            target_ref=alert,
            data={"part": part, "interface": interface, "access_basis": basis},
        )


def alert_crop_read(*, actor, alert: Alert, interface: str, basis: str = "") -> bytes:
    """Decrypt the alert's crop for display and record the consultation (R17). Empty if there is none."""
    if alert.crop_blob is None:
        return b""
    content = crypto.decrypt(bytes(alert.crop_blob), aad=alert.aad("crop"))
    alert_record_view(actor=actor, alert=alert, interface=interface, part="crop", basis=basis)
    return content


CONFIRMATIONS_REQUIRED = 2


def alert_review(*, actor, alert: Alert, verdict: str, note: str = "") -> Alert:
    """One verifier's verdict on an alert (R14, R15).

    Preconditions: the actor holds the alert_verifier role; the alert is new; the actor has not
    reviewed it before (two *different* people, never the same one twice). Repeating one's own
    identical verdict is a no-op. A rejection closes the alert as rejected; the second
    confirmation by a different verifier makes it verified (actionable).
    Side effects: an AlertReview row; ALERT_VERIFIED or ALERT_REJECTED.
    """
    if not user_has_role(actor, Role.ALERT_VERIFIER):
        raise PermissionDenied("Only alert verifiers may verify alerts.")
    if verdict not in AlertReview.Verdict.values:
        raise ValidationError({"verdict": ["Choose confirm or reject."]})
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
        mine = AlertReview.objects.filter(alert=alert, reviewer=actor).first()
        if mine is not None:
            if mine.verdict == verdict:
                return alert
            raise ValidationError({"verdict": ["You have already reviewed this alert; a different person must (R14)."]})
        if alert.status != Alert.Status.NEW:
            raise ValidationError({"status": [f"The alert is already {alert.status}."]})
        AlertReview.objects.create(alert=alert, reviewer=actor, verdict=verdict, note=note.strip())
        confirmations = AlertReview.objects.filter(alert=alert, verdict=AlertReview.Verdict.CONFIRM).count()
        previous = alert.status
        if verdict == AlertReview.Verdict.REJECT:
            alert.status = Alert.Status.REJECTED
        elif confirmations >= CONFIRMATIONS_REQUIRED:
            alert.status = Alert.Status.VERIFIED
        if alert.status != previous:
            alert.save(update_fields=["status"])
        audit_record(
            actor=actor,
            event_type=EventType.ALERT_REJECTED if verdict == AlertReview.Verdict.REJECT else EventType.ALERT_VERIFIED,
            case_ref=alert.case.reference,
            target_ref=alert,
            data={"verdict": verdict, "confirmations": confirmations, "from": previous, "to": alert.status},
        )
    return alert
