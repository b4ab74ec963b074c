"""The scan loop of a recognition worker (R10, R11, R13, R16): the only code that runs the face engine.

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
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from oversight.models import Camera, Case
from oversight.selectors import CaseScope, case_scopes_for_camera
from recognition.services.scans import StopReason, camera_record_error, scan_start, scan_stop
from recognition.services.storage import FrameOutcome, LeaseLost, ScanBatch, scan_batch_commit
from watchlists.selectors import CaseTemplates, watchlist_templates, watchlist_version

logger = logging.getLogger(__name__)


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
    except LeaseLost:
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
