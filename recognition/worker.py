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

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from oversight.models import Camera, Case
from oversight.selectors import CaseScope, case_scopes_for_camera
from recognition.services.outages import camera_outage_end, camera_outage_record
from recognition.services.scans import StopReason, camera_record_error, scan_start, scan_stop
from recognition.services.storage import LeaseLost, ScanBatch, scan_batch_commit, sightings_open_for_camera
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
            # Only the templates of the cases in scope now stay decrypted in memory (R12): those of a case that left
            # the scope, or of an older watchlist version, go at once, not when the worker restarts.
            for stale in [k for k in _TEMPLATE_CACHE if k not in live]:
                del _TEMPLATE_CACHE[stale]
            self.match_scope = engine.MatchScope.build(templates, {s.case_id: s.threshold for s in scopes})
            self.key = key
        self.versions = versions
        self.thresholds = {s.case_id: s.threshold for s in scopes}
        self.references = {s.case_id: s.reference for s in scopes}
        self.seconds += time.perf_counter() - started


# Set when the worker process begins a warm shutdown (Celery's worker_shutting_down, see recognition/tasks.py):
# a scan notices it between frames, closes its row and releases the camera within about a second.
_SHUTDOWN = {"requested": False}


def request_shutdown() -> None:
    _SHUTDOWN["requested"] = True


def shutdown_requested() -> bool:
    return _SHUTDOWN["requested"]


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
    frames_skipped: int = 0
    media_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def wall_seconds(self) -> float:
        return time.monotonic() - self.started


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
    from recognition import engine

    opening = time.perf_counter()
    try:
        # A looping playlist (the demo's street) plays on from the camera's registration, as a live camera would:
        # each segment joins it where it is, and the first camera shows the sought person from the start.
        registered = camera.created_at.timestamp()
        source = engine.VideoSource(
            camera.source, loop=True if loop is None else loop, wall_clock=lambda: time.time() - registered
        )
    except engine.SourceError as exc:
        # A camera that cannot be opened is an outage, not a scan: one record per episode, retried with a growing
        # pause (the dispatcher waits), no scan row per attempt.
        camera_outage_record(camera_id=camera_id, message=str(exc))
        return ScanOutcome(None, StopReason.SOURCE_ERROR, detail=str(exc))
    opening = time.perf_counter() - opening
    # The camera's outage (if any) ends when it delivers frames again, not when it merely opens: a camera that opens
    # and then fails at its first read stays one outage, however often it is retried (STYLE habit 14).
    scan = scan_start(camera_id=camera_id, worker=worker, scopes=scopes)
    if scan is None:
        source.close()
        return ScanOutcome(None, "busy", detail="another worker holds this camera")
    outcome = ScanOutcome(scan.pk, StopReason.ERROR)

    def record_error(detail: str) -> None:
        camera_record_error(camera_id=camera_id, message=f"Analysis stopped on an internal error: {detail}")

    try:
        with stopping_on_failure(outcome, what=f"scan {scan.pk} of camera {camera_id}", on_error=record_error):
            _scan_loop(
                source=source,
                opening=opening,
                scan=scan,
                camera=camera,
                gate=gate,
                outcome=outcome,
                realtime=realtime,
                loop=loop,
                max_seconds=settings.RECOGNITION_SEGMENT_SECONDS if max_seconds is None else max_seconds,
                hooks=hooks,
            )
    except BaseException as exc:  # the worker is shutting down (SIGTERM, SystemExit): release the camera
        outcome.stop_reason, outcome.detail = StopReason.WORKER_LOST, f"worker stopped: {type(exc).__name__}"
        raise
    finally:
        scan_stop(scan_id=scan.pk, reason=outcome.stop_reason, detail=outcome.detail)
        if outcome.stop_reason in (StopReason.REVOKED, StopReason.CASE_ENDED, StopReason.NO_SCOPE):
            _TEMPLATE_CACHE.clear()
    return outcome


def batch_add_frame(batch: ScanBatch, builder, analysis, captured_at) -> None:
    """One analysed frame into its batch, live or recorded: the sighting events its matches open or extend, and its
    counts (new faces counted, never described: R11)."""
    batch.events += builder.add_frame(analysis.frame_index, captured_at, [m.hit() for m in analysis.matches])
    batch.frames_analysed += 1
    batch.faces_seen += analysis.tracks_started
    batch.faces_too_small += analysis.faces_too_small
    batch.matches += len(analysis.matches)
    batch.first_frame_at = batch.first_frame_at or captured_at
    batch.last_frame_at = captured_at


@contextlib.contextmanager
def stopping_on_failure(outcome: ScanOutcome, *, what: str, on_error: Callable[[str], None] | None = None):
    """The guard around a scan's loop, live or recorded: a lost lease stops the scan as the worker's loss; any other
    error stops it as an error (fail closed), logged and put on the outcome (then given to on_error), and the worker
    goes on to its next task. Shutdown (SIGTERM, SystemExit) passes through."""
    try:
        yield
    except LeaseLost:
        outcome.stop_reason = StopReason.WORKER_LOST
        outcome.detail = "the scan was closed while running (heartbeat too old)"
    except Exception as exc:  # noqa: BLE001 - any error stops analysis (fail closed) but not the worker
        logger.exception("%s failed", what)
        outcome.stop_reason, outcome.detail = StopReason.ERROR, f"{type(exc).__name__}: {exc}"
        if on_error is not None:
            on_error(outcome.detail)


def _configs(engine):
    from recognition.analysis import AnalyserConfig
    from recognition.sightings import SightingConfig

    engine_config = engine.EngineConfig(
        sample_fps=settings.RECOGNITION_SAMPLE_FPS, detect_width=settings.RECOGNITION_DETECT_WIDTH
    )
    analyser = AnalyserConfig(
        engine=engine_config,
        min_face_px=settings.RECOGNITION_MIN_FACE_PX,
        max_encodings_per_track=settings.RECOGNITION_MAX_ENCODINGS_PER_TRACK,
    )
    return analyser, SightingConfig(gap_seconds=settings.RECOGNITION_SIGHTING_GAP_SECONDS)


def _scan_loop(*, source, opening, scan, camera, gate, outcome, realtime, loop, max_seconds, hooks) -> None:
    from recognition import engine
    from recognition.analysis import CameraAnalyser
    from recognition.sightings import SightingBuilder

    analyser_config, sighting_config = _configs(engine)
    timings = outcome.timings
    # "write" is the whole commit of a batch; within it "fence", "audit" and "store" (see scan_batch_commit).
    timings.update(gate=0.0, templates=0.0, read=0.0, process=0.0, write=0.0, fence=0.0, audit=0.0, store=0.0)
    state = _ScopeState()
    timings["read"] += opening
    if source.is_stream and loop is None:
        source.loop = False
    analyser = CameraAnalyser(analyser_config)
    builder = SightingBuilder(camera.pk, sighting_config)
    for sighting in sightings_open_for_camera(camera_id=camera.pk):
        builder.resume(sighting)  # a person still in view continues the sighting of the last segment
    with source:
        if realtime:
            # A live feed: always the newest frame; frames that went by while we were busy are skipped and
            # counted, so the delay from capture to stored alert stays bounded at any load.
            feed = source.live(settings.RECOGNITION_SAMPLE_FPS)
            frames = iter(feed)
        else:
            feed, frames = None, source.iter_sampled(settings.RECOGNITION_SAMPLE_FPS)
        clock_anchor = timezone.now()
        batch_seconds = settings.RECOGNITION_BATCH_SECONDS
        case_ids_seen: set[int] = set()
        ended = False
        delivering = False
        try:
            while True:
                if source.frames_read / source.fps >= max_seconds or outcome.wall_seconds() >= max_seconds:
                    outcome.stop_reason = StopReason.SEGMENT_END
                    return
                if shutdown_requested():
                    outcome.stop_reason, outcome.detail = StopReason.WORKER_STOPPING, "the worker is shutting down"
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

                batch = ScanBatch(
                    frames_read=0,
                    frames_analysed=0,
                    watchlist_versions=dict(state.versions),
                    thresholds=dict(state.thresholds),
                    case_references=dict(state.references),
                )
                read_before, skipped_before = source.frames_read, feed.frames_skipped if feed else 0
                error = None
                while True:
                    t0 = time.perf_counter()
                    try:
                        sample = next(frames, None)
                    except engine.SourceError as exc:
                        error = exc
                        break
                    t1 = time.perf_counter()
                    timings["read"] += t1 - t0
                    if sample is None:
                        ended = True
                        break
                    if feed is not None:
                        captured_at = clock_anchor + timedelta(seconds=sample.received_seconds - feed.started_at)
                    else:
                        captured_at = clock_anchor + timedelta(seconds=sample.media_time_seconds)
                    analysis = analyser.analyse(sample.frame, captured_at, sample.index, state.match_scope)
                    del sample  # the pixels go now (R11); only counts and matches remain
                    batch_add_frame(batch, builder, analysis, captured_at)
                    timings["process"] += time.perf_counter() - t1
                    opened = any(e.kind == "opened" for e in batch.events)
                    next_at = (captured_at - batch.first_frame_at).total_seconds() + 1 / settings.RECOGNITION_SAMPLE_FPS
                    if opened or next_at >= batch_seconds:
                        break  # a new sighting is stored at once: the alert never waits for the batch
                batch.frames_read = source.frames_read - read_before
                if feed is not None:
                    batch.frames_skipped = feed.frames_skipped - skipped_before
                    batch.skipped_share = feed.skipped_share
                detected = analyser.totals["faces_in_frames"]
                batch.too_small_share = analyser.totals["faces_too_small"] / detected if detected else None
                _commit(scan, batch, hooks, outcome, timings)
                if batch.frames_read and not delivering:
                    camera_outage_end(camera_id=camera.pk)
                    delivering = True
                outcome.media_seconds = source.frames_read / source.fps
                if error is not None:
                    camera_outage_record(camera_id=camera.pk, message=str(error))
                    outcome.stop_reason, outcome.detail = StopReason.SOURCE_ERROR, str(error)
                    return
                if ended:
                    outcome.stop_reason = StopReason.SOURCE_ENDED
                    return
        finally:
            if feed is not None:
                feed.close()
            analyser.close()
            if outcome.stop_reason not in (StopReason.SEGMENT_END, StopReason.WORKER_LOST):
                # The scan stops for good (case ended, revoked, source gone, shutdown): its sightings end too.
                # At a segment's end they stay open and the next segment continues them.
                closing = builder.close_all()
                if closing:
                    batch = ScanBatch(
                        frames_read=0,
                        frames_analysed=0,
                        watchlist_versions=dict(state.versions),
                        thresholds=dict(state.thresholds),
                        case_references=dict(state.references),
                        events=closing,
                    )
                    try:
                        _commit(scan, batch, hooks, outcome, timings)
                    except LeaseLost:
                        pass


def _commit(scan, batch: ScanBatch, hooks: ScanHooks, outcome: ScanOutcome, timings: dict) -> None:
    if hooks.after_process:
        hooks.after_process(batch)
    t = time.perf_counter()
    if batch.frames_read or batch.events:
        result = scan_batch_commit(scan_id=scan.pk, batch=batch, timings=timings)
        outcome.alerts_created += result["alerts_created"]
    timings["write"] += time.perf_counter() - t
    outcome.frames_read += batch.frames_read
    outcome.frames_analysed += batch.frames_analysed
    outcome.faces_seen += batch.faces_seen
    outcome.matches += batch.matches
    outcome.frames_skipped += batch.frames_skipped
