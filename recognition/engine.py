"""Face detection, encoding, matching and video input for the recognition worker.

This is the only module of the project that imports ``cv2`` and ``face_recognition``
(STYLE.md). It is plain Python + NumPy: no Django, no database. Callers pass in what a
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
analyser (:mod:`recognition.analysis`) comes here for pixels: regions, motion, crops.

Conventions: boxes are ``(top, right, bottom, left)`` in pixels of the full-resolution frame
(face_recognition's order); frames are OpenCV BGR ``uint8`` arrays; distances are Euclidean
between dlib encodings, like ``face_recognition.face_distance`` (lower is stricter, R13).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps

from recognition.matching import (  # re-exported: callers import them from the engine
    DEFAULT_CONFIG,
    ENCODING_SIZE,
    Box,
    EngineConfig,
    EngineError,
    FaceTooSmall,
    FrameResult,
    Match,
    MatchScope,
    MultipleFaces,
    NoFaceFound,
    SourceError,
    Template,
    UnreadableImage,
    match,
)
from recognition.video import (
    STREAM_SCHEMES,
    LiveFeed,
    Motion,
    SampledFrame,
    container_truncated,
    is_matroska,
    is_playlist,
    read_playlist,
    redact,
)

with warnings.catch_warnings():
    # face_recognition_models imports pkg_resources, which setuptools deprecates; harmless here.
    warnings.simplefilter("ignore")
    import face_recognition

# face_recognition switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES when
# imported; that would let half a photo through upload validation in any process
# that also imports the engine (a worker, the tests). Switch it back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

__all__ = [
    "DEFAULT_CONFIG",
    "ENCODING_SIZE",
    "Box",
    "EngineConfig",
    "EngineError",
    "FaceTooSmall",
    "FrameResult",
    "LiveFeed",
    "Match",
    "MatchScope",
    "MultipleFaces",
    "NoFaceFound",
    "SampledFrame",
    "SourceError",
    "Template",
    "UnreadableImage",
    "VideoSource",
    "Motion",
    "MotionDetector",
    "crop_with_others_blurred",
    "detect_faces",
    "detect_in_region",
    "face_sharpness",
    "encode_faces",
    "encode_reference_image",
    "match",
    "process_frame",
]


# --------------------------------------------------------------------------- detection and encoding


def _to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    """C-contiguous uint8 RGB copy, as dlib 20 requires (it rejects ``[:, :, ::-1]`` views)."""
    if not isinstance(image_bgr, np.ndarray) or image_bgr.dtype != np.uint8:
        raise TypeError("expected a uint8 numpy array (an OpenCV frame)")
    image_bgr = np.ascontiguousarray(image_bgr)
    if image_bgr.ndim == 2:
        return cv2.cvtColor(image_bgr, cv2.COLOR_GRAY2RGB)
    if image_bgr.ndim == 3 and image_bgr.shape[2] == 3:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
    if image_bgr.ndim == 3 and image_bgr.shape[2] == 4:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGRA2RGB)
    raise TypeError(f"expected a BGR, BGRA or grey frame, got shape {image_bgr.shape}")


def _resize_rgb(rgb: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return rgb
    height, width = rgb.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


def _locate(
    rgb_small: np.ndarray, scale: float, full_shape: tuple, upsample: int, model: str, origin: Box | None = None
) -> list[Box]:
    """Detect on ``rgb_small`` (the frame, or the ``origin`` region of it, resized by ``scale``)
    and return full-resolution boxes, clipped to the frame (or region)."""
    top0, right0, bottom0, left0 = origin or (0, full_shape[1], full_shape[0], 0)
    boxes = []
    for top, right, bottom, left in face_recognition.face_locations(rgb_small, upsample, model):
        box = (
            max(top0, top0 + math.floor(top / scale)),
            min(right0, left0 + math.ceil(right / scale)),
            min(bottom0, top0 + math.ceil(bottom / scale)),
            max(left0, left0 + math.floor(left / scale)),
        )
        if box[2] > box[0] and box[1] > box[3]:
            boxes.append(box)
    return boxes


def _detect_bgr(frame_bgr: np.ndarray, config: EngineConfig) -> tuple[list[Box], np.ndarray | None]:
    """Boxes, plus the full-resolution RGB frame when it was computed anyway (downscale 1.0)."""
    if config.downscale < 1.0:
        height, width = frame_bgr.shape[:2]
        size = (max(1, round(width * config.downscale)), max(1, round(height * config.downscale)))
        # Resize the BGR frame first: converting the small copy is cheaper.
        small = _to_rgb(cv2.resize(np.ascontiguousarray(frame_bgr), size, interpolation=cv2.INTER_AREA))
        scale = size[0] / width
        return _locate(small, scale, frame_bgr.shape, config.upsample, config.detector_model), None
    rgb = _to_rgb(frame_bgr)
    return _locate(rgb, 1.0, frame_bgr.shape, config.upsample, config.detector_model), rgb


def detect_faces(frame_bgr: np.ndarray, config: EngineConfig = DEFAULT_CONFIG) -> list[Box]:
    """Face boxes ``(top, right, bottom, left)`` in full-resolution coordinates.

    Detection runs on a copy shrunk by ``config.downscale`` (INTER_AREA); the boxes are scaled
    back and clipped to the frame.
    """
    boxes, _ = _detect_bgr(frame_bgr, config)
    return boxes


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
    return _encode_rgb(_to_rgb(frame_bgr), boxes, config)


def process_frame(
    frame_bgr: np.ndarray, scope: MatchScope, config: EngineConfig = DEFAULT_CONFIG, *, with_crops: bool = True
) -> FrameResult:
    """Detect, encode and match the faces of one frame.

    Faces are encoded only when the scope has templates. Encodings and boxes of faces that
    match nothing are dropped before this function returns (R11); only ``faces_seen``
    counts them. With ``with_crops`` each match carries a JPEG crop of its face in which all
    other faces of the frame are blurred; crops are made here because the other faces'
    boxes must not outlive this call.
    """
    boxes, rgb = _detect_bgr(frame_bgr, config)
    faces_seen = len(boxes)
    if not boxes or len(scope) == 0:
        return FrameResult(faces_seen=faces_seen, matches=[])
    if rgb is None:
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
                [b for i, b in enumerate(boxes) if i != face_index],
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
    ``other_face_grow`` (HOG boxes cut off forehead and chin). The pixels of ``box`` itself
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


# --------------------------------------------------------------------------- regions and motion (the analyser's tools)


def detect_in_region(frame_bgr: np.ndarray, region: Box, scale: float, model: str = "hog") -> list[Box]:
    """Faces inside ``region``, found on a copy of it resized by ``scale``: HOG finds faces of
    about 80 px, so ``scale`` 2 finds faces of 40 px (dlib's upsampling, for this region only)
    and ``scale`` < 1 makes large faces cheap. Boxes in full-frame coordinates."""
    height, width = frame_bgr.shape[:2]
    top, right, bottom, left = max(0, region[0]), min(width, region[1]), min(height, region[2]), max(0, region[3])
    if bottom - top < 8 or right - left < 8:
        return []
    crop = np.ascontiguousarray(frame_bgr[top:bottom, left:right])
    if scale != 1.0:
        how = cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=how)
    return _locate(_to_rgb(crop), scale, frame_bgr.shape, 0, model, origin=(top, right, bottom, left))


def face_sharpness(frame_bgr: np.ndarray, box: Box) -> float:
    """Variance of the Laplacian of the face resized to 64x64 grey: higher is sharper."""
    top, right, bottom, left = box
    face = np.ascontiguousarray(frame_bgr[max(0, top) : max(0, bottom), max(0, left) : max(0, right)])
    if face.size == 0:
        return 0.0
    grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY) if face.ndim == 3 else face
    return float(cv2.Laplacian(cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA), cv2.CV_64F).var())


class MotionDetector:
    """Background subtraction (MOG2) on a small copy of each frame, and the camera's shift
    between frames (phase correlation). Motion is global above ``global_share`` of the frame
    moving, a shift over ``shift_share`` of the width, or a failed shift estimate. Holds the
    previous small grey frame and the background model only."""

    def __init__(self, width: int = 320, history: int = 30, global_share: float = 0.3, shift_share: float = 0.02):
        self.width = width
        self.global_share = global_share
        self.shift_share = shift_share
        self._subtractor = cv2.createBackgroundSubtractorMOG2(history=history, varThreshold=25, detectShadows=False)
        self._previous: np.ndarray | None = None
        self._window: np.ndarray | None = None

    def update(self, frame_bgr: np.ndarray) -> Motion:
        height, width = frame_bgr.shape[:2]
        scale = min(1.0, self.width / width)
        size = (max(16, round(width * scale)), max(16, round(height * scale)))
        small = cv2.resize(np.ascontiguousarray(frame_bgr), size, interpolation=cv2.INTER_AREA)
        grey = np.float32(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small)
        shift, reliable = (0.0, 0.0), False  # the first frame: everything is new
        if self._previous is not None:
            if self._window is None or self._window.shape != grey.shape:
                self._window = cv2.createHanningWindow(grey.shape[::-1], cv2.CV_32F)
            (dx, dy), response = cv2.phaseCorrelate(self._previous, grey, self._window)
            # A weak peak is no shift (a cut, or many things moving): nothing to compensate.
            reliable = response > 0.1
            shift = (dy / scale, dx / scale) if reliable else (0.0, 0.0)
        self._previous = grey
        mask = self._subtractor.apply(small)
        mask = cv2.dilate(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), np.ones((7, 7), np.uint8))
        share = float(np.count_nonzero(mask)) / mask.size
        moved = math.hypot(*shift) > self.shift_share * width
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        regions = [
            (math.floor(y / scale), min(width, math.ceil((x + w) / scale)), min(height, math.ceil((y + h) / scale)),
             math.floor(x / scale))
            for x, y, w, h, area in stats[1:count]
            if area >= 12
        ]  # fmt: skip
        return Motion(regions, share, shift, (not reliable) or moved or share > self.global_share)


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
    upsample: int = 1,
    max_pixels: int | None = None,
    detect_max_side: int = 1600,
    config: EngineConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """The ``(128,)`` encoding of the one face in a reference photo.

    Raises :class:`UnreadableImage`, :class:`NoFaceFound`, :class:`MultipleFaces` or
    :class:`FaceTooSmall` (in that order of checks). The face size is the smaller side of its
    box. Large photos are shrunk for detection to about ``detect_max_side`` px, but never so
    far that a face of ``min_face_px`` would drop below what HOG finds (~80 px after
    upsampling); the encoding is computed at full resolution with ``config``'s encoding
    model, which must be the one the worker uses on frames.
    """
    rgb = _decode_image_rgb(bytes(image_bytes), max_pixels)
    height, width = rgb.shape[:2]
    scale = min(1.0, detect_max_side / max(height, width))
    scale = min(1.0, max(scale, 80 / (max(min_face_px, 1) * 2**upsample)))
    boxes = _locate(_resize_rgb(rgb, scale), scale, rgb.shape, upsample, config.detector_model)
    if not boxes:
        raise NoFaceFound()
    if len(boxes) > 1:
        raise MultipleFaces(len(boxes))
    top, right, bottom, left = boxes[0]
    size_px = min(bottom - top, right - left)
    if size_px < min_face_px:
        raise FaceTooSmall(size_px, min_face_px)
    return _encode_rgb(rgb, boxes, config)[0]


# --------------------------------------------------------------------------- video


class VideoSource:
    """A video file or a network stream (rtsp/http(s)/...), read frame by frame.

    ``loop=True`` replays a file forever, as a demo camera: at the end it reopens the file and
    continues; indexes and media time keep increasing. Problems raise :class:`SourceError`
    with the source (password redacted) and the reason: cannot open, no frames, a file that
    ends before its declared length (truncated/corrupt), a stream that stops. A file is cut if
    shorter than its container declares, or if it decodes clearly fewer frames than recorded;
    Matroska records no count (OpenCV's is an estimate). :meth:`live`: a live feed.
    """

    #: A file may report a frame count slightly above what it decodes; beyond this it is truncated.
    FRAME_COUNT_TOLERANCE = 0.02

    def __init__(
        self,
        source: str | os.PathLike,
        *,
        loop: bool = False,
        open_timeout_seconds: float = 5.0,
        read_timeout_seconds: float = 5.0,
        fallback_fps: float = 25.0,
    ):
        self.source = os.fspath(source)
        self.label = redact(self.source)
        self.is_stream = urlsplit(self.source).scheme.lower() in STREAM_SCHEMES
        self.loop = loop
        # A playlist (recognition.video.read_playlist) plays its files one after the other as one feed.
        self._files = read_playlist(self.source) if is_playlist(self.source) else [self.source]
        self._file_index = 0
        self._timeouts = (int(open_timeout_seconds * 1000), int(read_timeout_seconds * 1000))
        self._fallback_fps = fallback_fps
        self._capture = None
        self.frames_read = 0  # frames delivered since opening, across loops
        self._frames_this_pass = 0
        self.loops = 0
        self._open()

    # -- opening

    @property
    def _path(self) -> str:
        return self._files[self._file_index]

    def _open(self) -> None:
        if len(self._files) > 1:
            self.label = f"{redact(self.source)} ({os.path.basename(self._path)})"
        if not self.is_stream:
            if not os.path.exists(self._path):
                raise SourceError(self.label, "cannot open: the file does not exist")
            if not os.path.isfile(self._path):
                raise SourceError(self.label, "cannot open: not a file")
        open_ms, read_ms = self._timeouts
        # Timeouts make an unreachable camera fail within seconds instead of FFmpeg's default.
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, open_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, read_ms]
        try:
            capture = cv2.VideoCapture(self._path, cv2.CAP_FFMPEG, params)
        except cv2.error as exc:
            raise SourceError(self.label, f"cannot open: {exc}") from None
        if not capture.isOpened():
            capture.release()
            why = (
                f"unreachable, refused, no answer within {open_ms / 1000:g} s, or not a video stream"
                if self.is_stream
                else "not a readable video (corrupt, truncated or unsupported format)"
            )
            raise SourceError(self.label, f"cannot open: {why}")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if math.isfinite(fps) and 0 < fps <= 1000 else self._fallback_fps
        count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        known = not self.is_stream and math.isfinite(count) and count > 0 and not is_matroska(self._path)
        self.frame_count = int(count) if known else None
        self._capture = capture
        self._frames_this_pass = 0
        # Grab the first frame now so a source without frames fails here, not in the worker loop.
        self._pending = capture.grab()
        if not self._pending:
            self.close()
            raise SourceError(self.label, "opened but delivered no frames (empty, corrupt or no signal)")

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self):
        if getattr(self, "_capture", None) is not None:
            self.close()

    # -- reading

    @property
    def position_seconds(self) -> float:
        """Media time of the last delivered frame's end: frames read / fps (across loops)."""
        return self.frames_read / self.fps

    def grab(self) -> bool:
        """Advance one frame without decoding it. False at the end of a file (without loop).

        Raises SourceError when a stream stops or a file ends well before its declared length.
        """
        if self._capture is None:
            raise SourceError(self.label, "is closed")
        if self._pending:
            self._pending = False
            ok = True
        else:
            ok = self._capture.grab()
        if ok:
            self.frames_read += 1
            self._frames_this_pass += 1
            return True
        if self.is_stream:
            raise SourceError(self.label, f"stopped delivering frames after {self.frames_read} frames")
        if self.frame_count and self._frames_this_pass < self.frame_count * (1 - self.FRAME_COUNT_TOLERANCE) - 1:
            raise SourceError(
                self.label,
                f"ended after {self._frames_this_pass} of {self.frame_count} frames: file truncated or corrupt",
            )
        if container_truncated(self._path):
            raise SourceError(
                self.label, f"ended after {self._frames_this_pass} frames: file truncated (shorter than its container)"
            )
        if self._file_index + 1 < len(self._files):
            self._file_index += 1  # the playlist's next file
        elif not self.loop:
            return False
        else:
            self._file_index = 0
            self.loops += 1
        self.close()
        self._open()  # raises if the file became unreadable; a file without frames cannot loop forever
        return self.grab()

    def retrieve(self) -> np.ndarray:
        """Decode the frame last grabbed."""
        ok, frame = self._capture.retrieve() if self._capture is not None else (False, None)
        if not ok or frame is None:
            raise SourceError(self.label, f"frame {self.frames_read - 1} cannot be decoded (corrupt)")
        return frame

    def read(self) -> tuple[bool, np.ndarray | None]:
        """``(True, frame)``, or ``(False, None)`` at the end of a file that does not loop."""
        if not self.grab():
            return False, None
        return True, self.retrieve()

    def live(self, sample_fps: float, **clock) -> LiveFeed:
        """This source as a live feed: newest frame first, frames missed while busy skipped."""
        return LiveFeed(self, sample_fps, **clock)

    def iter_sampled(self, sample_fps: float) -> Iterator[SampledFrame]:
        """Yield about ``sample_fps`` frames per second of media, decoding only those.

        Frame ``i`` is yielded when ``floor(i * sample_fps / fps)`` reaches a new value, so
        sampling is even and the first frame is always included; skipped frames are only
        grabbed (no decode). Ends at the end of a file unless ``loop``; a broken source raises
        SourceError (after the frames it did deliver).
        """
        if not sample_fps > 0:
            raise ValueError("sample_fps must be positive")
        ratio = sample_fps / self.fps
        last_slot = -1
        while self.grab():
            index = self.frames_read - 1
            slot = math.floor(index * ratio + 1e-9)
            if slot > last_slot:
                last_slot = slot
                yield SampledFrame(index=index, media_time_seconds=index / self.fps, frame=self.retrieve())
