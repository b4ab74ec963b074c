"""Pure NumPy parts of the face engine: errors, configuration, templates and matching.

Split out of :mod:`recognition.engine` (which re-exports every name here) so that the
engine module, the only one importing OpenCV and face_recognition, stays small, and so that
pure code (the tracker, the analyser's bookkeeping, tests of data structures) can use these
types without loading dlib. No Django, no OpenCV, no face_recognition here.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

ENCODING_SIZE = 128

Box = tuple[int, int, int, int]
"""(top, right, bottom, left) in full-resolution pixel coordinates."""

# --------------------------------------------------------------------------- errors


class EngineError(Exception):
    """Base class; ``str(error)`` is a message that can be shown to the user as is."""


class UnreadableImage(EngineError):
    def __init__(self, reason: str = "the file is not an image we can read (JPEG, PNG, WebP, TIFF, ...)"):
        self.reason = reason
        super().__init__(f"Unreadable image: {reason}.")


class NoFaceFound(EngineError):
    def __init__(self):
        super().__init__(
            "No face was found in the image. Use a frontal, well-lit photo in which the face is clearly visible."
        )


class MultipleFaces(EngineError):
    def __init__(self, count: int):
        self.count = count
        super().__init__(
            f"The image shows {count} faces; a reference image must show exactly one person. "
            "Crop the photo to the person concerned."
        )


class SecondSmallerFace(EngineError):
    """A reference photo shows its person and, smaller, someone else (a passer-by, a poster): refused rather
    than guessing which face is meant, because a template of the wrong person would raise alerts on them."""

    def __init__(self, size_px: int, other_px: int):
        self.size_px = size_px
        self.other_px = other_px
        super().__init__(
            f"Besides the main face ({size_px} px wide) the image shows a smaller face ({other_px} px wide); "
            "a reference image must show only the person concerned. Crop the photo to that person."
        )


class FaceTooSmall(EngineError):
    def __init__(self, size_px: int, min_px: int):
        self.size_px = size_px
        self.min_px = min_px
        super().__init__(
            f"The face is only {size_px} px wide; at least {min_px} px are required for a reliable template. "
            "Use a larger or higher-resolution photo."
        )


@dataclass(frozen=True)
class FacePose:
    """How far a face is turned, from the detector's five landmarks (eyes, nose tip, mouth corners).

    ``turn``: the nose tip's horizontal offset from the point between the eyes, in eye distances (0 from the
    front, about 0.5 for a face turned well past three-quarter view). ``tilt``: the nose tip's height between
    the eyes (0) and the mouth (1); about 0.55 from the front, lower for a face looking up, higher looking down.
    Measured on the reference photos we have (benchmarks/threshold_bench.py): every usable photo turns at most
    0.27 and tilts 0.49-0.65; the child seen from above in scenes/obama_and_biden.jpg turns 0.51.
    """

    turn: float
    tilt: float

    MAX_TURN = 0.35
    TILT_RANGE = (0.40, 0.72)

    @classmethod
    def from_landmarks(cls, landmarks) -> FacePose:
        """``landmarks``: five (x, y) points in YuNet's order: right eye, left eye, nose tip, right and left
        mouth corners."""
        (rx, ry), (lx, ly), (nx, ny), (mrx, mry), (mlx, mly) = (tuple(map(float, p)) for p in landmarks)
        eyes_x, eyes_y = (rx + lx) / 2, (ry + ly) / 2
        eye_distance = math.hypot(lx - rx, ly - ry)
        mouth_drop = (mry + mly) / 2 - eyes_y
        if eye_distance < 1 or mouth_drop < 1:
            return cls(turn=float("inf"), tilt=float("nan"))
        return cls(turn=abs(nx - eyes_x) / eye_distance, tilt=(ny - eyes_y) / mouth_drop)

    def usable_for_reference(self) -> bool:
        low, high = self.TILT_RANGE
        return self.turn <= self.MAX_TURN and low <= self.tilt <= high


class FaceNotFrontal(EngineError):
    """A reference photo whose face is turned away or seen from above or below. Its template would lie close to
    many strangers' faces (R13: with the one such photo we have on the watchlist, only 0.45 stays free of false
    alerts), so it is refused with the reason rather than kept as a weak reference."""

    def __init__(self, pose: FacePose):
        self.pose = pose
        if pose.turn > FacePose.MAX_TURN:
            detail = "the face is turned to the side"
        elif pose.tilt > FacePose.TILT_RANGE[1]:
            detail = "the face looks down"
        else:
            detail = "the face looks up"
        self.detail = detail
        super().__init__(
            f"The face is not seen from the front ({detail}); a reference image must show the face looking at the "
            "camera, as in a passport photo. Use a frontal photo."
        )


class SourceError(EngineError):
    """A video source cannot be opened or stopped delivering frames."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"Video source {source}: {reason}.")


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class EngineConfig:
    """How frames are analysed.

    Faces are detected by YuNet (OpenCV's ``FaceDetectorYN``) on a copy of the frame at most
    ``detect_width`` px wide (a 1920x1080 frame reduced to 640x360 costs about a third of the
    detection at 960x540), but never reduced so far that a face of the minimum size measures under
    ``DETECT_FLOOR_PX`` in the copy (see :func:`recognition.engine.detect_faces`); boxes come back
    in full-resolution pixels and encodings are always computed at full resolution.
    ``detect_score`` is YuNet's confidence floor.
    """

    sample_fps: float = 5.0
    detect_width: int = 640
    detect_score: float = 0.7
    num_jitters: int = 1
    encoding_model: str = "small"
    crop_margin: float = 0.25
    crop_jpeg_quality: int = 90

    def __post_init__(self):
        if not (self.sample_fps > 0 and math.isfinite(self.sample_fps)):
            raise ValueError(f"sample_fps must be a positive number, not {self.sample_fps!r}")
        if not (160 <= self.detect_width <= 4096):
            raise ValueError(f"detect_width must be 160..4096 px, not {self.detect_width!r}")
        if not (0 < self.detect_score < 1):
            raise ValueError(f"detect_score must be in (0, 1), not {self.detect_score!r}")
        if self.num_jitters < 1:
            raise ValueError(f"num_jitters must be >= 1, not {self.num_jitters!r}")
        if self.encoding_model not in ("small", "large"):
            raise ValueError(f"encoding_model must be 'small' or 'large', not {self.encoding_model!r}")
        if self.crop_margin < 0:
            raise ValueError(f"crop_margin must be >= 0, not {self.crop_margin!r}")
        if not (1 <= self.crop_jpeg_quality <= 100):
            raise ValueError(f"crop_jpeg_quality must be 1..100, not {self.crop_jpeg_quality!r}")


DEFAULT_CONFIG = EngineConfig()

# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Template:
    """One reference encoding of one watchlist person of one case.

    The ids are the caller's (database primary keys, UUIDs...); the engine only compares them.
    """

    template_id: Hashable
    case_id: Hashable
    person_id: Hashable
    encoding: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False)
class MatchScope:
    """Everything a frame may be matched against, as arrays ready for one matrix product.

    ``m`` templates, ``k`` cases:

    - ``templates``: ``(m, 128)`` float64 encodings;
    - ``template_ids``, ``template_person_ids``: ``m`` caller ids, aligned with ``templates``;
    - ``template_case_index``: ``(m,)`` int, index into ``case_ids`` / ``case_thresholds``;
    - ``case_ids``: ``k`` caller ids; ``case_thresholds``: ``(k,)`` float64 maximum distance
      per case (R13: each case has its own recorded threshold).

    The same person may appear in several cases (with different thresholds); matches are
    reported per ``(case, person)``. Build it with :meth:`build`.
    """

    templates: np.ndarray
    template_ids: tuple
    template_person_ids: tuple
    template_case_index: np.ndarray
    case_ids: tuple
    case_thresholds: np.ndarray
    # Derived, for match(): per-template threshold, (case, person) group and squared norm.
    template_thresholds: np.ndarray = field(init=False, repr=False)
    template_group: np.ndarray = field(init=False, repr=False)
    template_sq_norms: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        m = self.templates.shape[0]
        if self.templates.shape != (m, ENCODING_SIZE):
            raise ValueError(f"templates must have shape (m, {ENCODING_SIZE}), not {self.templates.shape}")
        if not (len(self.template_ids) == len(self.template_person_ids) == len(self.template_case_index) == m):
            raise ValueError("template_ids, template_person_ids and template_case_index must align with templates")
        if len(self.case_ids) != len(self.case_thresholds):
            raise ValueError("case_ids and case_thresholds must have the same length")
        if m and (self.template_case_index.min() < 0 or self.template_case_index.max() >= len(self.case_ids)):
            raise ValueError("template_case_index points outside case_ids")
        if not np.all(np.isfinite(self.case_thresholds)) or np.any(self.case_thresholds <= 0):
            raise ValueError("case thresholds must be positive numbers")
        if not np.all(np.isfinite(self.templates)):
            raise ValueError("templates contain non-finite values")
        groups: dict[tuple, int] = {}
        template_group = [
            groups.setdefault((int(case), person), len(groups))
            for case, person in zip(self.template_case_index, self.template_person_ids, strict=True)
        ]
        object.__setattr__(self, "template_thresholds", self.case_thresholds[self.template_case_index])
        object.__setattr__(self, "template_group", np.asarray(template_group, dtype=np.int64).reshape(m))
        object.__setattr__(self, "template_sq_norms", np.einsum("ij,ij->i", self.templates, self.templates))

    @classmethod
    def build(cls, templates: Iterable[Template], case_thresholds: Mapping[Hashable, float]) -> MatchScope:
        """Scope from templates and the threshold of each case.

        A template whose case has no threshold is an error, not silently skipped: the caller
        decides which cases are live (R10), this function refuses to guess.
        """
        case_ids = tuple(case_thresholds)
        case_position = {case_id: i for i, case_id in enumerate(case_ids)}
        templates = list(templates)
        missing = {t.case_id for t in templates} - case_position.keys()
        if missing:
            raise ValueError(f"no threshold given for case(s) {sorted(map(str, missing))}")
        encodings = np.empty((len(templates), ENCODING_SIZE), dtype=np.float64)
        for row, template in enumerate(templates):
            encodings[row] = np.asarray(template.encoding, dtype=np.float64).reshape(ENCODING_SIZE)
        return cls(
            templates=encodings,
            template_ids=tuple(t.template_id for t in templates),
            template_person_ids=tuple(t.person_id for t in templates),
            template_case_index=np.asarray([case_position[t.case_id] for t in templates], dtype=np.int64),
            case_ids=case_ids,
            case_thresholds=np.asarray([float(case_thresholds[c]) for c in case_ids], dtype=np.float64),
        )

    @classmethod
    def empty(cls) -> MatchScope:
        return cls.build([], {})

    def __len__(self) -> int:
        return self.templates.shape[0]


def match(encodings: np.ndarray, scope: MatchScope) -> list[tuple[int, int, float]]:
    """Matches of face encodings against a scope: ``[(face_index, template_index, distance)]``.

    ``encodings`` is ``(n, 128)``. All ``n x m`` Euclidean distances come from one matrix
    product (``|a-b|^2 = |a|^2 + |b|^2 - 2 a.b``), equal to ``face_recognition.face_distance``
    up to rounding. A pair is kept when its distance is ``<=`` the threshold of the template's
    case; for each face and each ``(case, person)`` only the closest template is kept. The list
    is ordered by face, then distance.
    """
    encodings = np.asarray(encodings, dtype=np.float64)
    if encodings.ndim != 2 or encodings.shape[1] != ENCODING_SIZE:
        raise ValueError(f"encodings must have shape (n, {ENCODING_SIZE}), not {encodings.shape}")
    if encodings.shape[0] == 0 or len(scope) == 0:
        return []
    squared = (
        np.einsum("ij,ij->i", encodings, encodings)[:, None]
        + scope.template_sq_norms[None, :]
        - 2.0 * (encodings @ scope.templates.T)
    )
    distances = np.sqrt(np.maximum(squared, 0.0))
    faces, templates = np.nonzero(distances <= scope.template_thresholds[None, :])
    if faces.size == 0:
        return []
    found = distances[faces, templates]
    groups = scope.template_group[templates]
    # Sort by face, then (case, person) group, then distance: the first row of each
    # (face, group) run is that group's best template.
    order = np.lexsort((templates, found, groups, faces))
    faces, templates, found, groups = faces[order], templates[order], found[order], groups[order]
    first = np.ones(faces.size, dtype=bool)
    first[1:] = (faces[1:] != faces[:-1]) | (groups[1:] != groups[:-1])
    faces, templates, found = faces[first], templates[first], found[first]
    order = np.lexsort((templates, found, faces))
    return [(int(faces[i]), int(templates[i]), float(found[i])) for i in order]


# --------------------------------------------------------------------------- frames


@dataclass(frozen=True)
class Match:
    """A face of a frame that matched a watchlist person of a case. Holds no encoding."""

    box: Box
    face_index: int
    case_id: Hashable
    person_id: Hashable
    template_id: Hashable
    template_index: int
    distance: float
    crop_jpeg: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FrameResult:
    """What survives the analysis of one frame: a count of faces and the matches (R11)."""

    faces_seen: int
    matches: list[Match]
