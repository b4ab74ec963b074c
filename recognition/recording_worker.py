"""The worker's side of post-event searches (R24): check a recording, then analyse it as fast as a core allows.

:func:`recording_check_run` decrypts the stored file into a private temporary file (the only place the footage is
ever in the clear), hashes it, lets the face engine decode it (codec, frames, duration: a file the decoder cannot
read to its end is refused) and reads the start its metadata states.

:func:`recording_analyse_run` analyses the recording with the same analyser, sightings and fenced write as a live
scan (``recognition.analysis``, ``recognition.sightings``, ``recognition.services.storage``), but on capture time,
not at wall-clock pace: in batches of RECORDING_BATCH_SECONDS of footage, it asks THE GATE for recordings
(``case_scope_for_recording``) before each batch, uncached, so a revocation or a refusal stops it within a batch;
frames outside the authorised capture-time range are never decoded or analysed, and the fenced write refuses any
sighting outside it. Faces that match nobody leave nothing (R11), as in live scans. A segment ends after
RECOGNITION_SEGMENT_SECONDS of wall time (under the broker's visibility timeout); the dispatcher queues the next,
which continues where the analysis stopped.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from oversight.models import Case
from oversight.selectors import case_scope_for_recording
from recognition.models import Recording
from recognition.services.recordings import (
    recording_check_result,
    recording_decrypt_to,
    recording_progress,
)
from recognition.services.scans import StopReason, recording_scan_start, scan_stop
from recognition.services.storage import LeaseLost, ScanBatch, sightings_open_for_recording
from recognition.video import mp4_creation_time
from recognition.worker import (
    ScanHooks,
    ScanOutcome,
    _commit,
    _configs,
    _ScopeState,
    batch_add_frame,
    shutdown_requested,
    stopping_on_failure,
)

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _clear_copy(recording: Recording) -> Iterator[tuple[Path, str]]:
    """The recording decrypted into a private temporary file, deleted on leaving; yields (path, sha256)."""
    directory = Path(settings.RECORDING_DIR) / "work"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, name = tempfile.mkstemp(dir=directory, suffix=f".{recording.container or 'video'}")
    os.close(handle)
    path = Path(name)
    try:
        sha256 = recording_decrypt_to(recording=recording, target=path)
        yield path, sha256
    finally:
        path.unlink(missing_ok=True)


def recording_check_run(*, recording_id: int) -> str:
    """Check an uploaded recording with the face engine and record the verdict (see the module docstring)."""
    from recognition import engine

    recording = Recording.objects.filter(pk=recording_id, status=Recording.Status.CHECKING).first()
    if recording is None:
        return "not waiting for a check"
    try:
        with _clear_copy(recording) as (path, sha256):
            try:
                probe = engine.probe_video(path)
            except engine.SourceError as exc:
                recording_check_result(recording_id=recording_id, sha256=sha256, probe=None, problem=exc.reason)
                return "refused"
            started = mp4_creation_time(path) if recording.container == "mp4" else None
    except Exception as exc:  # noqa: BLE001 - a file that cannot be decrypted is refused, never analysed
        logger.exception("recording %s could not be read", recording_id)
        recording_check_result(recording_id=recording_id, sha256="", probe=None, problem=f"unreadable ({exc})")
        return "refused"
    recording = recording_check_result(
        recording_id=recording_id,
        sha256=sha256,
        probe={
            "codec": probe.codec,
            "fps": probe.fps,
            "frame_count": probe.frame_count,
            "duration_seconds": probe.duration_seconds,
            "width": probe.width,
            "height": probe.height,
        },
        metadata_capture_start=started,
    )
    return recording.status


def _media_window(recording: Recording, scope) -> tuple[float, float]:
    """The authorised capture-time range as media seconds of this recording: [start, end)."""
    start = max(0.0, (scope.capture_start - recording.capture_start).total_seconds())
    end = min(recording.duration_seconds, (scope.capture_end - recording.capture_start).total_seconds())
    return start, end


def recording_analyse_run(
    *, recording_id: int, worker: str = "", max_seconds: float | None = None, hooks: ScanHooks | None = None
) -> ScanOutcome:
    """Analyse one segment of a recording while, and only within what, its post-event case allows (R24, R10).

    Preconditions: none; the gate decides. A recording no case lets through now is not decrypted at all.
    Side effects: a Scan row holding the recording (SCAN_STARTED/SCAN_STOPPED), per batch one SCAN_BATCH event and
    the alerts of the fenced write, the recording's progress; RECORDING_ANALYSED when its authorised range is done.
    """
    hooks = hooks or ScanHooks()
    recording = Recording.objects.select_related("case").filter(pk=recording_id).first()
    if recording is None or recording.status != Recording.Status.READY or recording.analysis_finished_at:
        return ScanOutcome(None, StopReason.NO_SCOPE, detail="nothing to analyse")
    scope = case_scope_for_recording(case_id=recording.case_id, camera_id=recording.camera_id, at=_now())
    if scope is None:
        return ScanOutcome(None, StopReason.NO_SCOPE)
    start, end = _media_window(recording, scope)
    begin = max(start, recording.analysed_until_seconds)
    if begin >= end:
        recording_progress(recording_id=recording_id, analysed_until_seconds=end, seconds=0.0, finished=True)
        return ScanOutcome(None, StopReason.SOURCE_ENDED, detail="the authorised range is analysed")
    scan = recording_scan_start(recording_id=recording_id, worker=worker, scope=scope)
    if scan is None:
        return ScanOutcome(None, "busy", detail="another worker analyses this recording")
    outcome = ScanOutcome(scan.pk, StopReason.ERROR)
    try:
        with (
            stopping_on_failure(outcome, what=f"analysis of recording {recording_id}"),
            _clear_copy(recording) as (path, _sha256),
        ):
            _analyse(
                recording=recording,
                path=path,
                scan=scan,
                begin=begin,
                outcome=outcome,
                max_seconds=settings.RECOGNITION_SEGMENT_SECONDS if max_seconds is None else max_seconds,
                hooks=hooks,
            )
    finally:
        scan_stop(scan_id=scan.pk, reason=outcome.stop_reason, detail=outcome.detail)
    return outcome


def _now():
    from django.utils import timezone

    return timezone.now()


def _stop_reason(case_id: int) -> str:
    status = Case.objects.filter(pk=case_id).values_list("status", flat=True).first()
    return StopReason.REVOKED if status == Case.Status.REVOKED else StopReason.CASE_ENDED


def _analyse(*, recording: Recording, path: Path, scan, begin: float, outcome, max_seconds: float, hooks) -> None:
    from recognition import engine
    from recognition.analysis import CameraAnalyser
    from recognition.sightings import SightingBuilder

    analyser_config, sighting_config = _configs(engine)
    timings = outcome.timings
    timings.update(gate=0.0, templates=0.0, read=0.0, process=0.0, write=0.0, fence=0.0, audit=0.0, store=0.0)
    state = _ScopeState()
    analyser = CameraAnalyser(analyser_config)
    builder = SightingBuilder(recording.camera_id, sighting_config)
    for sighting in sightings_open_for_recording(recording_id=recording.pk, camera_id=recording.camera_id):
        builder.resume(sighting)
    batch_seconds = settings.RECORDING_BATCH_SECONDS
    sample_fps = settings.RECOGNITION_SAMPLE_FPS
    position = begin
    last_slot = -1
    finished = False
    wall_started = time.monotonic()
    try:
        with engine.VideoSource(path) as source:
            while True:
                if time.monotonic() - wall_started >= max_seconds:
                    outcome.stop_reason = StopReason.SEGMENT_END
                    return
                if shutdown_requested():
                    outcome.stop_reason, outcome.detail = StopReason.WORKER_STOPPING, "the worker is shutting down"
                    return
                # R24, R10: THE GATE before every batch, uncached; its capture range bounds what is analysed.
                t = time.perf_counter()
                scope = case_scope_for_recording(case_id=recording.case_id, camera_id=recording.camera_id, at=_now())
                timings["gate"] += time.perf_counter() - t
                if scope is None:
                    outcome.stop_reason = _stop_reason(recording.case_id)
                    return
                start, end = _media_window(recording, scope)
                position = max(position, start)
                if position >= end - 1e-6:
                    finished = True
                    outcome.stop_reason = StopReason.SOURCE_ENDED
                    return
                state.refresh([scope], engine)
                timings["templates"] = state.seconds
                batch_end = min(end, position + batch_seconds)
                batch = ScanBatch(
                    frames_read=0,
                    frames_analysed=0,
                    watchlist_versions=dict(state.versions),
                    thresholds=dict(state.thresholds),
                    case_references=dict(state.references),
                )
                read_before = source.frames_read
                t0 = time.perf_counter()
                source_done = False
                while True:
                    index = source.frames_read  # the next frame's number
                    media_time = index / source.fps
                    if media_time >= batch_end - 1e-9:
                        break  # not grabbed: the next batch (or nobody, past the authorised range) takes it
                    if not source.grab():
                        source_done = True
                        break
                    slot = math.floor(index * sample_fps / source.fps + 1e-9)
                    # R24: frames before the authorised range are grabbed only: never decoded, never analysed.
                    if media_time < position - 1e-9 or slot <= last_slot:
                        continue
                    last_slot = slot
                    frame = source.retrieve()
                    captured_at = recording.capture_start + timedelta(seconds=media_time)
                    analysis = analyser.analyse(frame, captured_at, index, state.match_scope)
                    del frame  # the pixels go now (R11)
                    batch_add_frame(batch, builder, analysis, captured_at)
                timings["process"] += time.perf_counter() - t0
                batch.frames_read = source.frames_read - read_before
                if source_done:
                    batch_end = end
                if batch_end >= end - 1e-6:
                    batch.events += builder.close_all()  # the authorised footage ends: so do its sightings
                _commit(scan, batch, hooks, outcome, timings)
                position = batch_end
                recording_progress(
                    recording_id=recording.pk,
                    analysed_until_seconds=position,
                    seconds=time.perf_counter() - t0,
                    finished=batch_end >= end - 1e-6,
                )
                outcome.media_seconds = position - begin
                if batch_end >= end - 1e-6 or source_done:
                    finished = True
                    outcome.stop_reason = StopReason.SOURCE_ENDED
                    return
    finally:
        analyser.close()
        if not finished and outcome.stop_reason not in (StopReason.SEGMENT_END, StopReason.WORKER_LOST):
            # Stopped for good (revoked, refused, lapsed): its open sightings end at what is already stored.
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
                with contextlib.suppress(LeaseLost):
                    _commit(scan, batch, hooks, outcome, timings)
