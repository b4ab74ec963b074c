"""Face detection, encoding, matching and video input for the recognition worker.

This package is the only code of the project that imports ``cv2`` and ``face_recognition``
(STYLE.md): pixels here, video input in :mod:`recognition.engine.video_source`. It is plain Python + NumPy: no
Django, no database. Callers pass in what a
frame may be matched against (a :class:`MatchScope` built from the templates of the cases
that are authorised for the camera right now, R10) and store what comes out.

Privacy rules implemented here:

- R11: :func:`process_frame` discards the encodings and boxes of faces that match nothing
  before it returns; only their count (``FrameResult.faces_seen``) survives. Nothing about
  a non-matching face is cached anywhere.
- No 128-d encoding of a face seen in a frame leaves :func:`process_frame`, not even for
  matches: a match carries its box, ids, distance and a crop in which every other face is
  blurred (:func:`crop_with_others_blurred`), which is the "input that led to a match" (R16).

Pure parts are re-exported from :mod:`recognition.matching` (errors, configuration, matching)
and :mod:`recognition.video` (sampled frames, live pacing, container checks); the tracking
analyser (:mod:`recognition.analysis`) comes here for pixels: detection, sharpness, crops.

Detection is YuNet (``cv2.FaceDetectorYN``, model file in ``recognition/weights/``, checksum
checked on load and at start-up by ``recognition.E003``), one instance per process.

Conventions: boxes are ``(top, right, bottom, left)`` in pixels of the full-resolution frame
(face_recognition's order); frames are OpenCV BGR ``uint8`` arrays; distances are Euclidean
between dlib encodings, like ``face_recognition.face_distance`` (lower is stricter, R13).
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from collections.abc import Iterable, Sequence

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps

from recognition.detector_model import YUNET_PATH, model_file_problem
from recognition.matching import (  # re-exported: callers import them from the engine
    DEFAULT_CONFIG,
    ENCODING_SIZE,
    Box,
    EngineConfig,
    EngineError,
    FaceNotFrontal,
    FacePose,
    FaceTooSmall,
    FrameResult,
    Match,
    MatchScope,
    MultipleFaces,
    NoFaceFound,
    SecondSmallerFace,
    SourceError,
    Template,
    UnreadableImage,
    match,
)
from recognition.video import LiveFeed, SampledFrame

with warnings.catch_warnings():
    # face_recognition_models imports pkg_resources, which setuptools deprecates; harmless here.
    warnings.simplefilter("ignore")
    import face_recognition

# face_recognition switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES when
# imported; that would let half a photo through upload validation in any process
# that also imports the engine (a worker, the tests). Switch it back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

from recognition.engine.video_source import (  # noqa: E402 - video input, re-exported (R10, R24 callers)
    VideoProbe,
    VideoSource,
    probe_video,
)

__all__ = [
    "DEFAULT_CONFIG",
    "ENCODING_SIZE",
    "Box",
    "EngineConfig",
    "EngineError",
    "FaceNotFrontal",
    "FacePose",
    "FaceTooSmall",
    "FrameResult",
    "LiveFeed",
    "Match",
    "MatchScope",
    "MultipleFaces",
    "NoFaceFound",
    "SampledFrame",
    "SecondSmallerFace",
    "SourceError",
    "Template",
    "UnreadableImage",
    "VideoProbe",
    "VideoSource",
    "probe_video",
    "crop_with_others_blurred",
    "detect_faces",
    "detect_faces_with_pose",
    "detect_scale",
    "face_size",
    "face_sharpness",
    "scene_histogram",
    "encode_faces",
    "encode_reference_image",
    "match",
    "process_frame",
]


# --------------------------------------------------------------------------- detection and encoding


# OpenCV's conversion to each target from a grey (1 channel), BGR (3) or BGRA (4) frame; None: already there.
_CONVERSIONS = {
    "RGB": {1: cv2.COLOR_GRAY2RGB, 3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB},
    "BGR": {1: cv2.COLOR_GRAY2BGR, 3: None, 4: cv2.COLOR_BGRA2BGR},
}


def _converted(image: np.ndarray, target: str) -> np.ndarray:
    """A C-contiguous uint8 copy of a grey, BGR or BGRA frame in `target` colour order."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise TypeError("expected a uint8 numpy array (an OpenCV frame)")
    image = np.ascontiguousarray(image)
    if image.ndim == 2:
        channels = 1
    elif image.ndim == 3 and image.shape[2] in (3, 4):
        channels = image.shape[2]
    else:
        raise TypeError(f"expected a BGR, BGRA or grey frame, got shape {image.shape}")
    code = _CONVERSIONS[target][channels]
    return image if code is None else cv2.cvtColor(image, code)


def _to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    """C-contiguous uint8 RGB copy, as dlib 20 requires (it rejects ``[:, :, ::-1]`` views)."""
    return _converted(image_bgr, "RGB")


class _YuNet:
    """The process's one YuNet detector (loading it costs ~10 ms; workers keep it for their life).

    ``cv2.FaceDetectorYN`` is not thread-safe and holds its input size: calls are serialised
    and ``setInputSize`` is called only when the size of the image changes.
    """

    _lock = threading.Lock()
    _instance: _YuNet | None = None

    def __init__(self):
        problem = model_file_problem(YUNET_PATH)
        if problem:
            raise EngineError(f"Face detector unavailable: {problem}.")
        self._detector = cv2.FaceDetectorYN.create(str(YUNET_PATH), "", (320, 320), 0.7, 0.3, 5000)
        self._size = (320, 320)
        self._score = 0.7

    @classmethod
    def get(cls) -> _YuNet:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def detect(self, image_bgr: np.ndarray, score: float) -> np.ndarray:
        """Rows of x, y, w, h, 5 landmarks (x, y), score, in ``image_bgr``'s pixels."""
        size = (image_bgr.shape[1], image_bgr.shape[0])
        with self._lock:
            if size != self._size:
                self._detector.setInputSize(size)
                self._size = size
            if score != self._score:
                self._detector.setScoreThreshold(score)
                self._score = score
            _, faces = self._detector.detect(image_bgr)
        return np.empty((0, 15), dtype=np.float32) if faces is None else faces


def _to_bgr(image: np.ndarray) -> np.ndarray:
    return _converted(image, "BGR")


def _detect_scaled(image_bgr: np.ndarray, scale: float, score: float) -> list[Box]:
    """YuNet on ``image_bgr`` resized by ``scale`` (<= 1); boxes in ``image_bgr``'s pixels, clipped."""
    return [box for box, _ in _detect_scaled_with_pose(image_bgr, scale, score)]


def _detect_scaled_with_pose(image_bgr: np.ndarray, scale: float, score: float) -> list[tuple[Box, FacePose]]:
    """As :func:`_detect_scaled`, each box with the pose read from YuNet's five landmarks."""
    image_bgr = _to_bgr(image_bgr)
    height, width = image_bgr.shape[:2]
    small = image_bgr
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)
        scale = size[0] / width
    found = []
    for row in _YuNet.get().detect(small, score):
        x, y, w, h = row[:4]
        box = (
            max(0, math.floor(y / scale)),
            min(width, math.ceil((x + w) / scale)),
            min(height, math.ceil((y + h) / scale)),
            max(0, math.floor(x / scale)),
        )
        if box[2] - box[0] >= 4 and box[1] - box[3] >= 4:
            found.append((box, FacePose.from_landmarks(row[4:14].reshape(5, 2))))
    return found


def detect_faces_with_pose(
    frame_bgr: np.ndarray, config: EngineConfig = DEFAULT_CONFIG, min_face_px: int | None = None
) -> list[tuple[Box, FacePose]]:
    """As :func:`detect_faces`, each box with its :class:`FacePose`."""
    return _detect_scaled_with_pose(
        frame_bgr, detect_scale(frame_bgr.shape[1], config, min_face_px), config.detect_score
    )


def face_size(box: Box) -> int:
    """A face's size in pixels: the width of its box (YuNet's boxes are taller than wide, forehead to chin)."""
    return max(0, box[1] - box[3])


# The smallest face, in pixels of the reduced copy, that YuNet finds as reliably as at full resolution. Measured on
# the full-HD marathon crowd (every sampled frame, faces of at least 50 px found at full resolution): a copy 640 px
# wide (a 50 px face measures 16.7 px) found all 31 that a 960 px copy found; 560 px (14.6 px) lost one.
DETECT_FLOOR_PX = 16


def detect_scale(width: int, config: EngineConfig = DEFAULT_CONFIG, min_face_px: int | None = None) -> float:
    """How much a frame ``width`` px wide is reduced for detection: to ``config.detect_width``, but never so far that
    a face of ``min_face_px`` (the smallest that will be encoded) measures under ``DETECT_FLOOR_PX`` (R13: the
    faces that can be matched are all found, whatever the camera's resolution)."""
    scale = config.detect_width / width
    if min_face_px:
        scale = max(scale, DETECT_FLOOR_PX / min_face_px)
    return min(1.0, scale)


def detect_faces(
    frame_bgr: np.ndarray, config: EngineConfig = DEFAULT_CONFIG, min_face_px: int | None = None
) -> list[Box]:
    """Face boxes ``(top, right, bottom, left)`` in full-resolution coordinates.

    YuNet runs on a copy reduced by :func:`detect_scale` (INTER_AREA); the boxes are scaled back and clipped to the
    frame. Faces smaller than ``min_face_px`` may be missed, which is why they are never matched.
    """
    return _detect_scaled(frame_bgr, detect_scale(frame_bgr.shape[1], config, min_face_px), config.detect_score)


def _encode_rgb(rgb: np.ndarray, boxes: Sequence[Box], config: EngineConfig) -> np.ndarray:
    if not boxes:
        return np.empty((0, ENCODING_SIZE), dtype=np.float64)
    encodings = face_recognition.face_encodings(
        rgb, known_face_locations=list(boxes), num_jitters=config.num_jitters, model=config.encoding_model
    )
    return np.asarray(encodings, dtype=np.float64).reshape(len(boxes), ENCODING_SIZE)


def encode_faces(frame_bgr: np.ndarray, boxes: Sequence[Box], config: EngineConfig = DEFAULT_CONFIG) -> np.ndarray:
    """``(n, 128)`` float64 encodings of the faces in ``boxes``, computed at full resolution."""
    if not boxes:
        return np.empty((0, ENCODING_SIZE), dtype=np.float64)
    height, width = frame_bgr.shape[:2]
    if len(boxes) > 2 or width * height <= 640 * 480:
        return _encode_rgb(_to_rgb(frame_bgr), boxes, config)
    # A few faces of a large frame: convert only the pixels around each face (a full-HD frame's
    # conversion costs more than the landmarks); dlib's face chip reaches 25 % past the box.
    encodings = np.empty((len(boxes), ENCODING_SIZE), dtype=np.float64)
    for row, (top, right, bottom, left) in enumerate(boxes):
        grow = max(bottom - top, right - left) // 2 + 2
        y0, x0 = max(0, top - grow), max(0, left - grow)
        crop = _to_rgb(frame_bgr[y0 : min(height, bottom + grow), x0 : min(width, right + grow)])
        encodings[row] = _encode_rgb(crop, [(top - y0, right - x0, bottom - y0, left - x0)], config)[0]
    return encodings


def process_frame(
    frame_bgr: np.ndarray,
    scope: MatchScope,
    config: EngineConfig = DEFAULT_CONFIG,
    *,
    with_crops: bool = True,
    min_face_px: int = 0,
) -> FrameResult:
    """Detect, encode and match the faces of one frame (every face, no tracking: the reference loop
    the benchmarks compare the analyser with).

    Faces are encoded only when the scope has templates, and only if at least ``min_face_px``
    wide. Encodings and boxes of faces that match nothing are dropped before this function
    returns (R11); only ``faces_seen`` counts them. With ``with_crops`` each match carries a
    JPEG crop of its face in which all other faces of the frame are blurred; crops are made
    here because the other faces' boxes must not outlive this call.
    """
    found = detect_faces(frame_bgr, config)
    faces_seen = len(found)
    boxes = [box for box in found if face_size(box) >= min_face_px]
    if not boxes or len(scope) == 0:
        return FrameResult(faces_seen=faces_seen, matches=[])
    rgb = _to_rgb(frame_bgr)
    encodings = _encode_rgb(rgb, boxes, config)
    hits = match(encodings, scope)
    # R11: encodings are not needed past this point; nothing keeps a reference to them.
    del encodings, rgb
    crops: dict[int, bytes] = {}
    matches = []
    for face_index, template_index, distance in hits:
        if with_crops and face_index not in crops:
            crops[face_index] = crop_with_others_blurred(
                frame_bgr,
                boxes[face_index],
                [b for b in found if b != boxes[face_index]],
                margin=config.crop_margin,
                jpeg_quality=config.crop_jpeg_quality,
            )
        matches.append(
            Match(
                box=boxes[face_index],
                face_index=face_index,
                case_id=scope.case_ids[scope.template_case_index[template_index]],
                person_id=scope.template_person_ids[template_index],
                template_id=scope.template_ids[template_index],
                template_index=template_index,
                distance=distance,
                crop_jpeg=crops.get(face_index),
            )
        )
    return FrameResult(faces_seen=faces_seen, matches=matches)


def _obscure(region: np.ndarray) -> np.ndarray:
    """Pixelate to at most 6 blocks across, then blur: the face cannot be recognised or restored."""
    height, width = region.shape[:2]
    blocks = max(1, min(6, width // 4)), max(1, min(6, height // 4))
    small = cv2.resize(region, blocks, interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    kernel = max(3, (min(width, height) // 4) | 1)
    return cv2.GaussianBlur(coarse, (kernel, kernel), 0)


def crop_with_others_blurred(
    frame_bgr: np.ndarray,
    box: Box,
    other_boxes: Iterable[Box],
    margin: float = 0.25,
    *,
    jpeg_quality: int = 90,
    other_face_grow: float = 0.15,
) -> bytes:
    """JPEG crop around ``box`` (grown by ``margin`` of the face size on each side).

    Every other face overlapping the crop is pixelated and blurred over its box grown by
    ``other_face_grow`` (hair and ears reach past the detector's box). The pixels of ``box`` itself
    are never obscured, so the face under review stays intact.
    """
    height, width = frame_bgr.shape[:2]
    top, right, bottom, left = box
    grow_y, grow_x = round((bottom - top) * margin), round((right - left) * margin)
    y0, y1 = max(0, top - grow_y), min(height, bottom + grow_y)
    x0, x1 = max(0, left - grow_x), min(width, right + grow_x)
    if y1 <= y0 or x1 <= x0:
        raise ValueError(f"box {box} lies outside the frame")
    crop = np.array(frame_bgr[y0:y1, x0:x1], copy=True)
    keep = np.zeros(crop.shape[:2], dtype=bool)
    keep[max(0, top - y0) : max(0, bottom - y0), max(0, left - x0) : max(0, right - x0)] = True
    for other in other_boxes:
        if tuple(other) == tuple(box):
            continue
        o_top, o_right, o_bottom, o_left = other
        dy, dx = round((o_bottom - o_top) * other_face_grow), round((o_right - o_left) * other_face_grow)
        # The whole (grown) face is obscured in frame coordinates, then cut to the crop, so
        # the part inside the crop carries no more detail than the blurred whole.
        fy0, fy1 = max(0, o_top - dy), min(height, o_bottom + dy)
        fx0, fx1 = max(0, o_left - dx), min(width, o_right + dx)
        iy0, iy1, ix0, ix1 = max(fy0, y0), min(fy1, y1), max(fx0, x0), min(fx1, x1)
        if iy1 <= iy0 or ix1 <= ix0:
            continue
        obscured = _obscure(np.ascontiguousarray(frame_bgr[fy0:fy1, fx0:fx1]))
        patch = obscured[iy0 - fy0 : iy1 - fy0, ix0 - fx0 : ix1 - fx0]
        target = crop[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0]
        mask = ~keep[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0]
        target[mask] = patch[mask]
    ok, buffer = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
    if not ok:
        raise EngineError("could not encode the crop as JPEG")
    return buffer.tobytes()


# --------------------------------------------------------------------------- face quality and scene cuts


def scene_histogram(frame_bgr: np.ndarray) -> np.ndarray:
    """16-bin grey-level histogram (sums to 1) of a 64x36 copy of the whole frame: a statistic of the scene,
    no pixels of any face, compared between frames to notice a cut (a PTZ camera jumping to a preset, an
    edited clip)."""
    small = cv2.resize(_to_bgr(frame_bgr), (64, 36), interpolation=cv2.INTER_AREA)
    counts = np.bincount((cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) // 16).ravel(), minlength=16).astype(np.float64)
    return counts / counts.sum()


def face_sharpness(frame_bgr: np.ndarray, box: Box) -> float:
    """Variance of the Laplacian of the face resized to 64x64 grey: higher is sharper."""
    top, right, bottom, left = box
    face = np.ascontiguousarray(frame_bgr[max(0, top) : max(0, bottom), max(0, left) : max(0, right)])
    if face.size == 0:
        return 0.0
    grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY) if face.ndim == 3 else face
    return float(cv2.Laplacian(cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA), cv2.CV_64F).var())


# --------------------------------------------------------------------------- reference images


def _decode_image_rgb(image_bytes: bytes, max_pixels: int | None) -> np.ndarray:
    """Upright RGB array: EXIF orientation applied, alpha dropped."""
    if not image_bytes:
        raise UnreadableImage("the file is empty")
    try:
        with warnings.catch_warnings():
            # Pillow warns on large images; the explicit max_pixels check below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image_bytes)) as image:
                if max_pixels is not None and image.width * image.height > max_pixels:
                    raise UnreadableImage(
                        f"the image has {image.width}x{image.height} pixels, more than the {max_pixels} allowed"
                    )
                image = ImageOps.exif_transpose(image)
                if image.mode in ("P", "PA", "LA"):
                    # Palettes may carry transparency; going through RGBA keeps Pillow from warning.
                    image = image.convert("RGBA")
                if image.mode != "RGB":
                    # RGBA: the alpha channel is dropped. L, CMYK, YCbCr...: converted.
                    image = image.convert("RGB")
                rgb = np.asarray(image, dtype=np.uint8)
    except UnreadableImage:
        raise
    except Image.DecompressionBombError:
        raise UnreadableImage("the image is too large to decode safely") from None
    except Exception:  # noqa: BLE001 - Pillow raises many types for bad files; fall back to OpenCV
        rgb = None
    if rgb is None:
        # Formats Pillow cannot read (e.g. some HDR/EXR). IMREAD_COLOR applies EXIF orientation too.
        decoded = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise UnreadableImage()
        if max_pixels is not None and decoded.shape[0] * decoded.shape[1] > max_pixels:
            raise UnreadableImage(f"the image has more than the {max_pixels} pixels allowed")
        rgb = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < 1:
        raise UnreadableImage("unexpected pixel layout")
    return np.ascontiguousarray(rgb)


def encode_reference_image(
    image_bytes: bytes,
    *,
    min_face_px: int = 80,
    max_pixels: int | None = None,
    detect_max_side: int = 1280,
    config: EngineConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """The ``(128,)`` encoding of the one face in a reference photo.

    Raises :class:`UnreadableImage`, :class:`NoFaceFound`, :class:`MultipleFaces`,
    :class:`SecondSmallerFace`, :class:`FaceTooSmall` or :class:`FaceNotFrontal` (in that order of checks: a face
    turned to the side or seen from above or below gives a template close to many strangers', R13). YuNet finds
    faces down to ~10 px, so it also finds a passer-by behind the person: a second face at
    least half as large as the main one is "several people" (:class:`MultipleFaces`), a
    smaller one is refused with its own message (:class:`SecondSmallerFace`) that asks for a
    crop; the platform never guesses which face a requester meant. The face size is its box's
    width. Large photos are shrunk for detection to about ``detect_max_side`` px, never so far
    that a face of ``min_face_px`` drops under 20 px; the encoding is computed at full
    resolution with ``config``'s encoding model, which must be the one the worker uses.
    """
    rgb = _decode_image_rgb(bytes(image_bytes), max_pixels)
    height, width = rgb.shape[:2]
    scale = min(1.0, detect_max_side / max(height, width))
    scale = min(1.0, max(scale, 20 / max(min_face_px, 1)))
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    found = sorted(
        _detect_scaled_with_pose(bgr, scale, config.detect_score), key=lambda f: face_size(f[0]), reverse=True
    )
    del bgr
    if not found:
        raise NoFaceFound()
    boxes = [box for box, _ in found]
    size_px = face_size(boxes[0])
    if len(boxes) > 1:
        if face_size(boxes[1]) * 2 >= size_px:
            raise MultipleFaces(len(boxes))
        raise SecondSmallerFace(size_px, face_size(boxes[1]))
    if size_px < min_face_px:
        raise FaceTooSmall(size_px, min_face_px)
    if not found[0][1].usable_for_reference():
        raise FaceNotFrontal(found[0][1])
    return _encode_rgb(rgb, boxes, config)[0]
