"""Face tracks: detections of the sampled frames of one camera joined into tracks.

A track is one face seen continuously. The tracker predicts where each track's face is now
(constant velocity of the box centre, compensated for camera motion when the caller measured
it), joins the detections of a frame to tracks by an optimal one-to-one assignment, starts a
track for every detection left over and ends a track not detected for ``max_gap_seconds``.

Why our own small tracker on :func:`scipy.optimize.linear_sum_assignment` rather than
norfair: the analyser does not detect everywhere on every frame, it asks the tracker where
to look (:meth:`Tracker.predict`) and then feeds back what it found there, so the tracker
must coast tracks through frames without detections on its own clock (capture seconds, not
frame counts, because live feeds skip frames) and take a camera shift from outside. Norfair
can be bent to that, but it counts in frames, brings filterpy (unmaintained since 2018) and
rich, and its Kalman state is more than a face walking through a 5 fps sample needs. SciPy is
maintained, its Hungarian solver is exact and a single call, and the rest is fifty lines we
can test. Pure Python + NumPy + SciPy: no OpenCV, no Django.

R11: a track holds its last box and velocity, nothing else (no pixels, no encoding); the
analyser keeps any per-track face state next to it and drops it when the track ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from recognition.matching import Box

__all__ = ["Track", "Tracker", "TrackerConfig", "TrackerUpdate", "box_iou"]

_FAR = 1e6  # cost of a pair the gate forbids; never chosen over "no pair"


@dataclass(frozen=True)
class TrackerConfig:
    """``max_gap_seconds``: a track not detected for longer ends. ``max_jump``: a detection
    joins a track only if its centre is within this many face sizes of the prediction, and
    ``max_size_ratio`` bounds how much the face may grow or shrink between two detections.
    ``velocity_smoothing``: weight of the newest velocity measurement (0..1)."""

    max_gap_seconds: float = 1.0
    max_jump: float = 2.5
    max_size_ratio: float = 1.8
    velocity_smoothing: float = 0.6

    def __post_init__(self):
        if not self.max_gap_seconds > 0:
            raise ValueError("max_gap_seconds must be positive")
        if not self.max_jump > 0:
            raise ValueError("max_jump must be positive")
        if not self.max_size_ratio >= 1:
            raise ValueError("max_size_ratio must be >= 1")
        if not 0 < self.velocity_smoothing <= 1:
            raise ValueError("velocity_smoothing must be in (0, 1]")


@dataclass
class Track:
    """One face followed across frames: where it was last seen and how fast its centre moves."""

    track_id: int
    box: Box
    first_seen_seconds: float
    last_seen_seconds: float
    hits: int = 1
    velocity: tuple[float, float] = (0.0, 0.0)  # (dy, dx) of the centre in px per second
    _measured: bool = field(default=False, repr=False)

    @property
    def size(self) -> float:
        top, right, bottom, left = self.box
        return math.sqrt(max(1, bottom - top) * max(1, right - left))

    def predict(self, seconds: float) -> Box:
        """The box moved by the velocity to ``seconds`` (same size), in float-free pixels."""
        dt = max(0.0, seconds - self.last_seen_seconds)
        dy, dx = round(self.velocity[0] * dt), round(self.velocity[1] * dt)
        top, right, bottom, left = self.box
        return (top + dy, right + dx, bottom + dy, left + dx)


@dataclass(frozen=True)
class TrackerUpdate:
    """Result of :meth:`Tracker.update`: ``assigned`` maps track id to detection index (new
    tracks included), ``started`` and ``ended`` list track ids."""

    assigned: dict[int, int]
    started: tuple[int, ...]
    ended: tuple[int, ...]


def _centre(box: Box) -> tuple[float, float]:
    top, right, bottom, left = box
    return (top + bottom) / 2, (left + right) / 2


def _size(box: Box) -> float:
    top, right, bottom, left = box
    return math.sqrt(max(1, bottom - top) * max(1, right - left))


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``(top, right, bottom, left)`` boxes."""
    height = min(a[2], b[2]) - max(a[0], b[0])
    width = min(a[1], b[1]) - max(a[3], b[3])
    if height <= 0 or width <= 0:
        return 0.0
    inter = height * width
    union = (a[2] - a[0]) * (a[1] - a[3]) + (b[2] - b[0]) * (b[1] - b[3]) - inter
    return inter / union if union > 0 else 0.0


class Tracker:
    """Tracks of one camera. Times are seconds on the caller's capture clock (monotonic)."""

    def __init__(self, config: TrackerConfig | None = None):
        self.config = config or TrackerConfig()
        self._tracks: dict[int, Track] = {}
        self._next_id = 1
        self.tracks_started = 0

    def __len__(self) -> int:
        return len(self._tracks)

    @property
    def tracks(self) -> dict[int, Track]:
        """Live tracks by id (read only: use :meth:`update` to change them)."""
        return dict(self._tracks)

    def predict(self, seconds: float) -> dict[int, Box]:
        """Where each live track's face should be at ``seconds``."""
        return {tid: track.predict(seconds) for tid, track in self._tracks.items()}

    def shift(self, dy: float, dx: float) -> None:
        """Move every track by a camera shift measured between two frames (pixels)."""
        if not (dy or dx):
            return
        oy, ox = round(dy), round(dx)
        for track in self._tracks.values():
            top, right, bottom, left = track.box
            track.box = (top + oy, right + ox, bottom + oy, left + ox)

    def update(self, detections: Sequence[Box], seconds: float) -> TrackerUpdate:
        """Join ``detections`` found at ``seconds`` to tracks; start and end tracks.

        The cost of a (track, detection) pair is the distance from the predicted to the
        detected centre in face sizes; pairs beyond ``max_jump`` or with too different sizes
        are never joined. The assignment minimises the total cost (Hungarian algorithm).
        """
        cfg = self.config
        ids = list(self._tracks)
        assigned: dict[int, int] = {}
        if ids and detections:
            cost = np.full((len(ids), len(detections)), _FAR)
            for row, tid in enumerate(ids):
                predicted = self._tracks[tid].predict(seconds)
                py, px = _centre(predicted)
                p_size = _size(predicted)
                for col, det in enumerate(detections):
                    d_size = _size(det)
                    if max(p_size, d_size) / min(p_size, d_size) > cfg.max_size_ratio:
                        continue
                    dy, dx = _centre(det)
                    jump = math.hypot(dy - py, dx - px) / ((p_size + d_size) / 2)
                    if jump <= cfg.max_jump:
                        cost[row, col] = jump
            rows, cols = linear_sum_assignment(cost)
            for row, col in zip(rows, cols, strict=True):
                if cost[row, col] < _FAR:
                    assigned[ids[row]] = int(col)
        for tid, col in assigned.items():
            self._observe(self._tracks[tid], detections[col], seconds)
        taken = set(assigned.values())
        started = []
        for col, det in enumerate(detections):
            if col not in taken:
                tid = self._next_id
                self._next_id += 1
                self._tracks[tid] = Track(tid, tuple(int(v) for v in det), seconds, seconds)
                self.tracks_started += 1
                assigned[tid] = col
                started.append(tid)
        ended = [
            tid
            for tid, track in self._tracks.items()
            if tid not in assigned and seconds - track.last_seen_seconds > cfg.max_gap_seconds
        ]
        for tid in ended:
            del self._tracks[tid]
        return TrackerUpdate(assigned=assigned, started=tuple(started), ended=tuple(ended))

    def end_all(self) -> tuple[int, ...]:
        """End every track (the scan stops); returns their ids."""
        ended = tuple(self._tracks)
        self._tracks.clear()
        return ended

    def _observe(self, track: Track, box: Box, seconds: float) -> None:
        dt = seconds - track.last_seen_seconds
        if dt > 0:
            (oy, ox), (ny, nx) = _centre(track.box), _centre(box)
            measured = ((ny - oy) / dt, (nx - ox) / dt)
            if track._measured:
                a = self.config.velocity_smoothing
                track.velocity = (
                    a * measured[0] + (1 - a) * track.velocity[0],
                    a * measured[1] + (1 - a) * track.velocity[1],
                )
            else:
                track.velocity, track._measured = measured, True
        track.box = tuple(int(v) for v in box)
        track.last_seen_seconds = seconds
        track.hits += 1
