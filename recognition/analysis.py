"""The per-camera analyser: detect where something new can be found, track, encode once per track.

One :class:`CameraAnalyser` per scan of one camera. For each sampled frame,
:meth:`CameraAnalyser.analyse` does, in order:

1. **Motion** (:class:`recognition.engine.MotionDetector`): background subtraction on a small
   grey copy, and the camera's shift between frames (hand-held or panning cameras).
2. **Detection where something new can be found.** The whole frame (HOG with the engine's
   upsampling) on the first frame, then every ``full_detect_seconds``, and sooner (but not
   more often than every ``global_detect_seconds``) when the motion is global: the camera
   moved or the scene changed, so motion regions mean little. Both intervals stretch so that
   whole-frame detection takes at most ``full_detect_budget`` of real time (its measured CPU
   cost: 0.1 s at 640x360, 0.7-0.85 s at 1920x1080 on one core here; None turns this off, for
   results that do not depend on the machine's speed). On the other frames only
   (a) around the predicted position of every live track, the region resized so the face is
   about ``track_face_px`` (small faces upsampled, large ones shrunk: cheap either way), and
   (b) in the motion regions not covered by a track, upsampled so a ``min_face_px`` face is
   found, as long as they add up to at most ``max_motion_share`` of the frame.
3. **Tracking** (:class:`recognition.tracking.Tracker`), camera shift compensated.
4. **Encoding once per track**: when a track starts, and again only when its face is clearly
   larger (``reencode_larger``) or sharper (``reencode_sharper``) than the face last
   encoded, up to ``max_encodings_per_track``; then matching against the scope.

R11 guarantees (tested in tests/recognition/test_engine_analyser.py):

- per live track the analyser holds a :class:`TrackFace`: the box of the face last encoded,
  its size and sharpness, the number of encodings, the matches found, and at most **one**
  encoding (the last; a new one replaces it), kept only so that a changed scope can be
  re-matched without looking at the face again;
- when a track ends, its :class:`TrackFace` and its track are deleted at once; nothing of a
  track that matched no one survives it (no encoding, box or pixels), only counts;
- pixels never outlive :meth:`analyse`: crops are cut there, for matching tracks only, with
  every other face in the frame blurred.

Matches are re-checked against the scope passed with each frame: a case that left the scope
stops matching at once (R10), because a changed scope clears every track's matches and
re-matches its last encoding against the new scope.

How the worker uses it (one scan of one camera)::

    source = engine.VideoSource(camera.source, loop=...)
    feed = source.live(settings.RECOGNITION_SAMPLE_FPS)         # newest frame, skips counted
    analyser = CameraAnalyser(AnalyserConfig(engine=config))     # per scan: tracks live here
    builder = SightingBuilder(camera.pk, SightingConfig(gap_seconds=...))
    for sighting in open_sightings_of_camera: builder.resume(sighting)   # continue across segments
    for sample in feed:                                          # per batch: ask the gate first (R10)
        captured_at = clock_anchor + timedelta(seconds=sample.received_seconds - feed.started_at)
        analysis = analyser.analyse(sample.frame, captured_at, sample.index, scope_at(captured_at))
        events += builder.add_frame(sample.index, captured_at, [m.hit() for m in analysis.matches])
    # commit per batch: drop events captured after a case ended (fence), coalesce(), then
    # upsert each on its SightingKey (unique) and raise one alert when a sighting opens.
    events += builder.close_all(); analyser.close()

Counters for the record and camera health: ``FrameAnalysis.tracks_started`` (distinct faces
seen, R11/R23), ``encodings_computed``, ``detections_run``; ``feed.frames_analysed``,
``feed.frames_skipped`` and ``feed.skipped_share``.

No Django; OpenCV and dlib are reached only through :mod:`recognition.engine`.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from recognition import engine
from recognition.matching import Box, EngineConfig, MatchScope, match
from recognition.sightings import TrackHit
from recognition.tracking import Tracker, TrackerConfig, box_iou

__all__ = ["AnalyserConfig", "CameraAnalyser", "FrameAnalysis", "TrackFace", "TrackMatch"]


@dataclass(frozen=True)
class AnalyserConfig:
    """How a camera is analysed. Defaults chosen on the sample clip and the 1080p marathon
    (benchmarks/pipeline_bench.py): see the module docstring for each knob's role."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    full_detect_seconds: float = 2.0
    global_detect_seconds: float = 0.4
    full_detect_budget: float | None = 0.5
    track_face_px: int = 100
    track_region_grow: float = 2.0
    min_face_px: int = 40
    max_motion_share: float = 0.25
    motion_width: int = 320
    reencode_larger: float = 1.1
    reencode_sharper: float = 1.15
    max_encodings_per_track: int = 4
    tracker: TrackerConfig = field(default_factory=TrackerConfig)

    def __post_init__(self):
        if not (self.full_detect_seconds > 0 and self.global_detect_seconds > 0):
            raise ValueError("detection intervals must be positive")
        if self.full_detect_budget is not None and not 0 < self.full_detect_budget <= 1:
            raise ValueError("full_detect_budget must be in (0, 1] or None (no adaptation)")
        if self.track_face_px < 40 or self.min_face_px < 10:
            raise ValueError("track_face_px must be >= 40 and min_face_px >= 10")
        if self.max_encodings_per_track < 1:
            raise ValueError("max_encodings_per_track must be >= 1")
        if self.reencode_larger < 1 or self.reencode_sharper < 1:
            raise ValueError("re-encoding factors must be >= 1")


@dataclass
class TrackFace:
    """What the analyser keeps about one live track's face (R11: see the module docstring)."""

    encoded_box: Box | None = None
    encoded_size: float = 0.0
    encoded_sharpness: float = 0.0
    encodings_computed: int = 0
    last_encoding: np.ndarray | None = field(default=None, repr=False)
    # (case, person) -> (distance, template id), the best found for this track in this scope.
    matches: dict[tuple[Hashable, Hashable], tuple[float, Hashable]] = field(default_factory=dict)
    best_crop_distance: float = float("inf")


@dataclass(frozen=True)
class TrackMatch:
    """A matching track in one frame. ``crop_jpeg`` is set when this frame gave the track its
    best view so far for this (case, person): the box's face, every other face blurred."""

    track_id: int
    case_id: Hashable
    person_id: Hashable
    template_id: Hashable
    distance: float
    box: Box
    crop_jpeg: bytes | None = field(default=None, repr=False)

    def hit(self) -> TrackHit:
        """The form :class:`recognition.sightings.SightingBuilder` takes."""
        return TrackHit(self.track_id, self.case_id, self.person_id, self.distance, self.template_id, self.crop_jpeg)


@dataclass(frozen=True)
class FrameAnalysis:
    """What survives the analysis of one frame: matching tracks and counts, no encodings."""

    frame_index: int
    captured_at: datetime
    matches: list[TrackMatch]
    faces_in_frame: int  # faces detected in this frame
    tracks_started: int  # new faces (tracks) in this frame: "faces seen" for the record (R23)
    tracks_ended: int
    encodings_computed: int
    detections_run: int  # HOG runs (whole frame or regions)
    full_frame: bool
    seconds: dict[str, float] = field(default_factory=dict)  # motion, detect, track, encode, crop


def _grow(box: Box, by: float) -> Box:
    top, right, bottom, left = box
    dy, dx = round((bottom - top) * by), round((right - left) * by)
    return (top - dy, right + dx, bottom + dy, left - dx)


def _size(box: Box) -> float:
    top, right, bottom, left = box
    return float(np.sqrt(max(1, bottom - top) * max(1, right - left)))


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[1] - box[3])


def _dedupe(boxes: list[Box], overlap: float = 0.3) -> list[Box]:
    """Boxes found twice (overlapping regions) kept once, the larger first."""
    kept: list[Box] = []
    for box in sorted(boxes, key=_area, reverse=True):
        if all(box_iou(box, other) < overlap for other in kept):
            kept.append(box)
    return kept


class CameraAnalyser:
    """One scan of one camera: owns the tracker, the motion model and per-track face state.

    Call :meth:`analyse` for each sampled frame in capture order and :meth:`close` when the
    scan stops (it forgets every track). Not thread-safe; one per camera.
    """

    def __init__(self, config: AnalyserConfig | None = None):
        self.config = config or AnalyserConfig()
        self._tracker = Tracker(self.config.tracker)
        self._motion = engine.MotionDetector(width=self.config.motion_width)
        self._faces: dict[int, TrackFace] = {}
        self._scope: MatchScope | None = None
        self._first_at: datetime | None = None
        self._last_full: float | None = None
        self._full_cost = 0.0  # seconds of one whole-frame detection, moving average
        self.totals = {"frames": 0, "faces_in_frames": 0, "tracks": 0, "encodings": 0, "detections": 0, "full": 0}
        self.seconds = {"motion": 0.0, "detect": 0.0, "track": 0.0, "encode": 0.0, "crop": 0.0}

    @property
    def track_faces(self) -> dict[int, TrackFace]:
        """The per-track state held right now (for tests and health: a copy of the mapping)."""
        return dict(self._faces)

    def close(self) -> None:
        self._tracker.end_all()
        self._faces.clear()
        self._scope = None

    def analyse(
        self, frame_bgr: np.ndarray, captured_at: datetime, frame_index: int, scope: MatchScope
    ) -> FrameAnalysis:
        """Analyse one sampled frame against ``scope`` (the cases live for the camera at
        ``captured_at``, R10). Frames must come in capture order. Returns the matching
        tracks seen in this frame and the counts; keeps per-track state as documented."""
        cfg = self.config
        clock = time.perf_counter
        seconds = dict.fromkeys(self.seconds, 0.0)
        if self._first_at is None:
            self._first_at = captured_at
        t = (captured_at - self._first_at).total_seconds()

        started = clock()
        motion = self._motion.update(frame_bgr)
        self._tracker.shift(*motion.shift)
        seconds["motion"] = clock() - started

        started = clock()
        floor = self._full_cost / cfg.full_detect_budget if cfg.full_detect_budget else 0.0
        full = (
            self._last_full is None
            or t - self._last_full >= max(cfg.full_detect_seconds, floor)
            or (motion.global_motion and t - self._last_full >= max(cfg.global_detect_seconds, floor))
        )
        detections_run = 0
        if full:
            # The cost is measured in CPU time of this thread: what one dedicated core needs,
            # whatever else the machine runs (on a shared machine wall time would swing it).
            cpu_started = time.thread_time()
            boxes = engine.detect_faces(frame_bgr, cfg.engine)
            detections_run, self._last_full = 1, t
            cost = time.thread_time() - cpu_started
            self._full_cost = cost if self._full_cost == 0 else 0.7 * self._full_cost + 0.3 * cost
        else:
            boxes, detections_run = self._detect_in_regions(frame_bgr, t, motion)
        seconds["detect"] = clock() - started

        started = clock()
        update = self._tracker.update(boxes, t)
        for tid in update.ended:
            self._faces.pop(tid, None)  # R11: the ended track's face state goes now
        if scope is not self._scope:
            self._rescope(scope)
        seconds["track"] = clock() - started

        started = clock()
        observed = {tid: boxes[col] for tid, col in update.assigned.items()}
        encodings = self._encode_where_needed(frame_bgr, observed, scope)
        seconds["encode"] = clock() - started

        started = clock()
        matches = self._matches(frame_bgr, observed, boxes)
        seconds["crop"] = clock() - started

        for key, value in seconds.items():
            self.seconds[key] += value
        totals = self.totals
        totals["frames"] += 1
        totals["faces_in_frames"] += len(boxes)
        totals["tracks"] += len(update.started)
        totals["encodings"] += encodings
        totals["detections"] += detections_run
        totals["full"] += full
        return FrameAnalysis(
            frame_index=frame_index,
            captured_at=captured_at,
            matches=matches,
            faces_in_frame=len(boxes),
            tracks_started=len(update.started),
            tracks_ended=len(update.ended),
            encodings_computed=encodings,
            detections_run=detections_run,
            full_frame=full,
            seconds=seconds,
        )

    # -- detection

    def _detect_in_regions(self, frame_bgr: np.ndarray, t: float, motion) -> tuple[list[Box], int]:
        cfg = self.config
        height, width = frame_bgr.shape[:2]
        found: list[Box] = []
        runs = 0
        track_regions = []
        for box in self._tracker.predict(t).values():
            region = _grow(box, cfg.track_region_grow)
            track_regions.append(region)
            scale = min(3.0, max(0.25, cfg.track_face_px / _size(box)))
            found += engine.detect_in_region(frame_bgr, region, scale, cfg.engine.detector_model)
            runs += 1
        if not motion.global_motion:
            fresh = [r for r in motion.regions if not any(box_iou(r, tr) > 0.5 for tr in track_regions)]
            # Motion regions are body-sized; grow them a little so a head at the edge is inside.
            fresh = [_grow(r, 0.1) for r in fresh]
            if sum(_area(r) for r in fresh) <= cfg.max_motion_share * width * height:
                scale = 80 / cfg.min_face_px
                for region in fresh:
                    found += engine.detect_in_region(frame_bgr, region, scale, cfg.engine.detector_model)
                    runs += 1
        return _dedupe(found), runs

    # -- encoding and matching

    def _wants_encoding(self, face: TrackFace, box: Box, sharpness: float) -> bool:
        cfg = self.config
        if face.encodings_computed == 0:
            return True
        if face.encodings_computed >= cfg.max_encodings_per_track:
            return False
        return _size(box) >= cfg.reencode_larger * face.encoded_size or sharpness >= cfg.reencode_sharper * max(
            face.encoded_sharpness, 1e-6
        )

    def _encode_where_needed(self, frame_bgr: np.ndarray, observed: dict[int, Box], scope: MatchScope) -> int:
        if len(scope) == 0:
            return 0  # nothing to match against: no face is encoded at all
        todo = []
        for tid, box in observed.items():
            face = self._faces.setdefault(tid, TrackFace())
            sharpness = engine.face_sharpness(frame_bgr, box)
            if self._wants_encoding(face, box, sharpness):
                todo.append((tid, box, sharpness))
        if not todo:
            return 0
        encodings = engine.encode_faces(frame_bgr, [box for _, box, _ in todo], self.config.engine)
        for (tid, box, sharpness), encoding in zip(todo, encodings, strict=True):
            face = self._faces[tid]
            face.encoded_box, face.encoded_size, face.encoded_sharpness = box, _size(box), sharpness
            face.encodings_computed += 1
            face.last_encoding = encoding  # R11: replaces the previous one, never a list
            self._match_into(face, encoding[None, :], scope)
        del encodings
        return len(todo)

    def _match_into(self, face: TrackFace, encodings: np.ndarray, scope: MatchScope) -> None:
        for _, template_index, distance in match(encodings, scope):
            case_id = scope.case_ids[scope.template_case_index[template_index]]
            group = (case_id, scope.template_person_ids[template_index])
            known = face.matches.get(group)
            if known is None or distance < known[0]:
                face.matches[group] = (distance, scope.template_ids[template_index])

    def _rescope(self, scope: MatchScope) -> None:
        """A new scope: every track's matches are recomputed from its last encoding only (R10)."""
        self._scope = scope
        for face in self._faces.values():
            face.matches.clear()
            face.best_crop_distance = float("inf")
            if face.last_encoding is not None and len(scope):
                self._match_into(face, face.last_encoding[None, :], scope)

    def _matches(self, frame_bgr: np.ndarray, observed: dict[int, Box], boxes: list[Box]) -> list[TrackMatch]:
        cfg = self.config.engine
        out = []
        for tid, box in observed.items():
            face = self._faces.get(tid)
            if face is None or not face.matches:
                continue
            best = min(distance for distance, _ in face.matches.values())
            crop = None
            if best < face.best_crop_distance:
                # The first or a better match: cut the crop now, while the other faces' boxes
                # of this frame are known (they are blurred in it).
                others = [b for b in boxes if b != box]
                crop = engine.crop_with_others_blurred(
                    frame_bgr, box, others, margin=cfg.crop_margin, jpeg_quality=cfg.crop_jpeg_quality
                )
                face.best_crop_distance = min(best, face.best_crop_distance)
            for (case_id, person_id), (distance, template_id) in face.matches.items():
                out.append(TrackMatch(tid, case_id, person_id, template_id, distance, box, crop))
        return out
