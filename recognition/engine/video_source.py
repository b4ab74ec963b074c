"""Video input for the recognition worker: a file, a playlist of files or a network stream, read frame by frame
(part of the face engine: the only code that opens video with OpenCV)."""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import cv2
import numpy as np

from recognition.matching import SourceError
from recognition.video import (
    STREAM_SCHEMES,
    LiveFeed,
    SampledFrame,
    container_truncated,
    is_matroska,
    is_playlist,
    read_playlist,
    redact,
)


def _playlist_position(files: list[str], now: float) -> int:
    """Which file of a looping playlist plays at wall-clock time `now` (whole files, as long as they decode)."""
    durations = {path: _file_seconds(path, os.stat(path).st_mtime_ns) for path in set(files)}
    position = now % sum(durations[path] for path in files)
    for index, path in enumerate(files):
        if position < durations[path]:
            return index
        position -= durations[path]
    return 0


@functools.lru_cache(maxsize=64)
def _file_seconds(path: str, _mtime_ns: int) -> float:
    """How long a file plays: the frames it really delivers (a Matroska header only estimates them) over its rate."""
    capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        frames = 0
        while capture.grab():
            frames += 1
    finally:
        capture.release()
    return frames / fps if math.isfinite(fps) and fps > 0 and frames else 1.0


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
        wall_clock: Callable[[], float] = time.time,
    ):
        self.source = os.fspath(source)
        self.label = redact(self.source)
        self.is_stream = urlsplit(self.source).scheme.lower() in STREAM_SCHEMES
        self.loop = loop
        # A playlist (recognition.video.read_playlist) plays its files one after the other as one feed.
        self._files = read_playlist(self.source) if is_playlist(self.source) else [self.source]
        self._file_index = 0
        self._timeouts = (int(open_timeout_seconds * 1000), int(read_timeout_seconds * 1000))
        if loop and len(self._files) > 1:
            # A looping playlist is a street, not a recording: it plays on whether or not anyone reads it, so a
            # scan (each segment, each worker) joins it where the wall clock says, like a live camera.
            self._file_index = _playlist_position(self._files, wall_clock())
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


@dataclasses.dataclass(frozen=True)
class VideoProbe:
    """What a recording holds, as the decoder sees it (R24): the codec, size, rate and the frames it really decodes."""

    codec: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration_seconds: float


def probe_video(path: str | os.PathLike) -> VideoProbe:
    """Open a recording and read it to its end (grabbing, decoding only the first frame): raises SourceError when it
    is not a video, cannot be decoded, or ends before its container says (truncated)."""
    with VideoSource(path) as source:
        capture = source._capture
        fourcc = int(capture.get(cv2.CAP_PROP_FOURCC)) if capture is not None else 0
        codec = "".join(chr((fourcc >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ") if fourcc else ""
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)) if capture is not None else 0
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) if capture is not None else 0
        source.grab()
        source.retrieve()  # the first frame decodes: not only a container without pictures
        while source.grab():
            pass
        frames = source.frames_read
        return VideoProbe(
            codec=codec or "unknown",
            width=width,
            height=height,
            fps=source.fps,
            frame_count=frames,
            duration_seconds=frames / source.fps,
        )
