"""The per-camera analyser: detect every face of every sampled frame, track, encode a face once.

One :class:`CameraAnalyser` per scan of one camera. For each sampled frame,
:meth:`CameraAnalyser.analyse` does, in order:

1. **Detection on the whole frame**: YuNet on a copy at most ``engine.detect_width`` px wide, never
   reduced so far that a face of ``min_face_px`` measures under 16 px in it
   (:func:`recognition.engine.detect_faces`; about 20 ms for a full-HD frame on one core).
   Detecting everywhere on every sampled frame costs less than the region bookkeeping the
   HOG detector needed (motion regions, predicted track regions, upsampling), finds faces
   where nothing moved, and leaves the tracker nothing to guess.
2. **Tracking** (:class:`recognition.tracking.Tracker`) of every face found, however small. A
   scene cut (the grey-level histogram of the whole frame changes by more than ``scene_cut``)
   ends every track first, so a match never passes to a face that replaced it.
3. **Encoding only when it can decide something** (the encoding, ~85 ms a face, bounds real
   time): a track's face is encoded when it is first at least ``min_face_px`` wide (smaller
   faces are tracked and counted as "too small", never encoded or matched: under about 50 px
   no threshold is safe) and at least ``min_sharpness`` sharp; again only when it is clearly
   larger (``reencode_larger``) or sharper (``reencode_sharper``) than the face last
   encoded, at most ``max_encodings_per_track`` times; never again once it matched.
   Matching against the scope follows at once.

R11 (tested in tests/recognition/test_engine_analyser.py): a face that matches no one leaves
nothing of itself behind. Per live track the analyser holds a :class:`TrackFace`: the size and
sharpness of the face last encoded, the number of encodings, the matches found and the version
of the scope it was checked against, **no encoding**: an encoding lives only inside
:meth:`CameraAnalyser._encode` while it is matched. When the scope changes (a case leaves or
joins, a watchlist changes: R10) every track's matches are cleared and its face is encoded
again from the current frame (or the next in which it is seen), never from a stored encoding.
When a track ends, its :class:`TrackFace` goes at once. Pixels never outlive :meth:`analyse`:
crops are cut there, for matching tracks only, with every other face in the frame blurred.

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
    events += builder.close_all(); analyser.close()

Counters for the record and camera health: ``FrameAnalysis.tracks_started`` (distinct faces
seen, R11/R23), ``faces_too_small``, ``encodings_computed``; ``feed.frames_analysed``,
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
from recognition.tracking import Tracker, TrackerConfig

__all__ = ["AnalyserConfig", "CameraAnalyser", "FrameAnalysis", "TrackFace", "TrackMatch"]


@dataclass(frozen=True)
class AnalyserConfig:
    """How a camera is analysed. Defaults chosen on the sample clip and the 1080p marathon
    (benchmarks/pipeline_bench.py): see the module docstring for each knob's role."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    min_face_px: int = 50
    min_sharpness: float = 25.0
    reencode_larger: float = 1.3
    reencode_sharper: float = 1.5
    reencode_seconds: float | None = 0.4
    max_encodings_per_track: int = 4
    scene_cut: float = 0.3
    tracker: TrackerConfig = field(default_factory=TrackerConfig)

    def __post_init__(self):
        if self.min_face_px < 20:
            raise ValueError("min_face_px must be >= 20")
        if self.min_sharpness < 0:
            raise ValueError("min_sharpness must be >= 0")
        if not 0 < self.scene_cut <= 2:
            raise ValueError("scene_cut must be in (0, 2]")
        if self.max_encodings_per_track < 1:
            raise ValueError("max_encodings_per_track must be >= 1")
        if self.reencode_larger < 1 or self.reencode_sharper < 1:
            raise ValueError("re-encoding factors must be >= 1")
        if self.reencode_seconds is not None and not self.reencode_seconds > 0:
            raise ValueError("reencode_seconds must be positive or None")


@dataclass
class TrackFace:
    """What the analyser keeps about one live track's face (R11: see the module docstring). No encoding."""

    encoded_size: float = 0.0
    encoded_sharpness: float = 0.0
    encoded_seconds: float = 0.0
    encodings_computed: int = 0
    # The scope version this face was last checked against; None: not checked under the current scope.
    checked_scope: int | None = None
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
    faces_too_small: int  # of which smaller than min_face_px: tracked, never encoded or matched
    tracks_started: int  # new faces (tracks) in this frame: "faces seen" for the record (R23)
    tracks_ended: int
    encodings_computed: int
    seconds: dict[str, float] = field(default_factory=dict)  # detect, track, encode, crop


class CameraAnalyser:
    """One scan of one camera: owns the tracker and per-track face state.

    Call :meth:`analyse` for each sampled frame in capture order and :meth:`close` when the
    scan stops (it forgets every track). Not thread-safe; one per camera.
    """

    def __init__(self, config: AnalyserConfig | None = None):
        self.config = config or AnalyserConfig()
        self._tracker = Tracker(self.config.tracker)
        self._faces: dict[int, TrackFace] = {}
        self._scope: MatchScope | None = None
        self._scope_version = 0
        self._first_at: datetime | None = None
        self._histogram: np.ndarray | None = None  # the last frame's 16 grey-level shares (no pixels)
        self.totals = {"frames": 0, "faces_in_frames": 0, "faces_too_small": 0, "tracks": 0, "encodings": 0}
        self.seconds = {"detect": 0.0, "track": 0.0, "encode": 0.0, "crop": 0.0}

    @property
    def track_faces(self) -> dict[int, TrackFace]:
        """The per-track state held right now (for tests and health: a copy of the mapping)."""
        return dict(self._faces)

    @property
    def scope_version(self) -> int:
        return self._scope_version

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
        clock = time.perf_counter
        seconds = dict.fromkeys(self.seconds, 0.0)
        if self._first_at is None:
            self._first_at = captured_at
        t = (captured_at - self._first_at).total_seconds()

        started = clock()
        boxes = engine.detect_faces(frame_bgr, self.config.engine, self.config.min_face_px)
        seconds["detect"] = clock() - started

        started = clock()
        histogram, previous = engine.scene_histogram(frame_bgr), self._histogram
        self._histogram = histogram
        cut = previous is not None and float(np.abs(histogram - previous).sum()) > self.config.scene_cut
        # A cut: the faces now in view are not the ones tracked a moment ago, whatever their positions.
        ended_by_cut = self._tracker.end_all() if cut else ()
        update = self._tracker.update(boxes, t)
        for tid in (*ended_by_cut, *update.ended):
            self._faces.pop(tid, None)  # R11: the ended track's face state goes now
        if scope is not self._scope:
            self._rescope(scope)
        observed = {tid: boxes[col] for tid, col in update.assigned.items()}
        too_small = sum(1 for box in boxes if engine.face_size(box) < self.config.min_face_px)
        seconds["track"] = clock() - started

        started = clock()
        encodings = self._encode(frame_bgr, observed, scope, t)
        seconds["encode"] = clock() - started

        started = clock()
        matches = self._matches(frame_bgr, observed, boxes)
        seconds["crop"] = clock() - started

        for key, value in seconds.items():
            self.seconds[key] += value
        totals = self.totals
        totals["frames"] += 1
        totals["faces_in_frames"] += len(boxes)
        totals["faces_too_small"] += too_small
        totals["tracks"] += len(update.started)
        totals["encodings"] += encodings
        return FrameAnalysis(
            frame_index=frame_index,
            captured_at=captured_at,
            matches=matches,
            faces_in_frame=len(boxes),
            faces_too_small=too_small,
            tracks_started=len(update.started),
            tracks_ended=len(update.ended) + len(ended_by_cut),
            encodings_computed=encodings,
            seconds=seconds,
        )

    # -- encoding and matching

    def _wants_encoding(self, face: TrackFace, size: float, sharpness: float, t: float) -> bool:
        cfg = self.config
        if face.checked_scope != self._scope_version:
            return sharpness >= cfg.min_sharpness  # first view at the minimum size under this scope
        if face.matches or face.encodings_computed >= cfg.max_encodings_per_track:
            return False  # it matched: nothing to decide; or it had its chances
        if cfg.reencode_seconds is not None:
            # A face turning towards the camera looks different a moment later: look again after
            # reencode_seconds, then after twice as long each time (a stranger who stays costs little).
            if t - face.encoded_seconds >= cfg.reencode_seconds * 2 ** (face.encodings_computed - 1):
                return True
        return size >= cfg.reencode_larger * face.encoded_size or sharpness >= cfg.reencode_sharper * max(
            face.encoded_sharpness, 1e-6
        )

    def _encode(self, frame_bgr: np.ndarray, observed: dict[int, Box], scope: MatchScope, t: float) -> int:
        if len(scope) == 0:
            return 0  # nothing to match against: no face is encoded at all
        todo = []
        for tid, box in observed.items():
            size = engine.face_size(box)
            if size < self.config.min_face_px:
                continue  # too small for any safe threshold: tracked, never encoded
            face = self._faces.setdefault(tid, TrackFace())
            if face.checked_scope == self._scope_version and (
                face.matches or face.encodings_computed >= self.config.max_encodings_per_track
            ):
                continue  # decided: no need to measure the face again
            sharpness = engine.face_sharpness(frame_bgr, box)
            if self._wants_encoding(face, size, sharpness, t):
                todo.append((tid, box, size, sharpness))
        if not todo:
            return 0
        encodings = engine.encode_faces(frame_bgr, [box for _, box, _, _ in todo], self.config.engine)
        for (tid, _, size, sharpness), encoding in zip(todo, encodings, strict=True):
            face = self._faces[tid]
            face.encoded_size, face.encoded_sharpness, face.encoded_seconds = size, sharpness, t
            face.encodings_computed += 1
            face.checked_scope = self._scope_version
            self._match_into(face, encoding[None, :], scope)
        # R11: the encodings go here; a track keeps only whether and whom it matched under this scope version.
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
        """A new scope (R10): every track's matches go, and its face is checked again when next seen
        (in this frame if it is in it), from the pixels, as no encoding was kept (R11)."""
        self._scope = scope
        self._scope_version += 1
        for face in self._faces.values():
            face.matches.clear()
            face.best_crop_distance = float("inf")
            face.encodings_computed = 0

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
