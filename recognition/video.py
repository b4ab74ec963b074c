"""Video input helpers without OpenCV: sampled frames, live pacing, container checks.

- :class:`LiveFeed` reads a :class:`recognition.engine.VideoSource` as a live camera with a
  bounded delay: each request gets the newest frame broadcast by now (at most ``sample_fps``
  of them per second), so when analysis is slower than the feed, the frames broadcast while
  we were busy are skipped instead of queueing up. A file plays as a live feed on the wall
  clock (frame ``i`` is broadcast ``i / fps`` seconds after the first request); a network
  stream is drained by a reader thread that keeps only the newest frame. ``frames_analysed``
  and ``frames_skipped`` give camera health its analysed frames per second and skipped share.
- :func:`container_truncated` tells from a file's own size fields whether it was cut: MP4 and
  MOV boxes, RIFF (AVI) and Matroska/WebM segments declare their length.

Pure Python (the source object is duck-typed: ``grab()``, ``retrieve()``, ``fps``,
``frames_read``, ``is_stream``); the engine is the module that imports OpenCV.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import numpy as np

__all__ = ["STREAM_SCHEMES", "LiveFeed", "SampledFrame", "container_truncated", "is_matroska", "redact"]

STREAM_SCHEMES = ("rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt")


@dataclass(frozen=True)
class SampledFrame:
    index: int
    """Frames since the source was opened (continues across loops)."""
    media_time_seconds: float
    """``index / fps``: position in the (looped) media, not wall-clock time."""
    frame: np.ndarray = field(repr=False)
    received_seconds: float | None = None
    """Live feeds: the clock reading (``LiveFeed``'s clock) at which the frame was broadcast
    (files) or arrived (streams); capture-to-result delay is measured from it."""


def redact(source: str) -> str:
    """The source for messages and logs, with any password of the URL removed."""
    parts = urlsplit(source)
    if parts.password is None:
        return source
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


# --------------------------------------------------------------------------- container sizes


def _read_vint(data: bytes, offset: int) -> tuple[int, int] | None:
    """EBML variable-length integer at ``offset``: (value, length), value -1 for "unknown"."""
    if offset >= len(data) or data[offset] == 0:
        return None
    length = 8 - data[offset].bit_length() + 1
    if offset + length > len(data):
        return None
    value = data[offset] & (0xFF >> length)
    for byte in data[offset + 1 : offset + length]:
        value = (value << 8) | byte
    return (-1 if value == (1 << (7 * length)) - 1 else value), length


def is_matroska(path: str | os.PathLike) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"\x1a\x45\xdf\xa3"


def container_truncated(path: str | os.PathLike) -> bool | None:
    """True if the file is shorter than its container declares, False if it is complete,
    None if the format is not one we know (or declares no length)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(64)
        if head[:4] == b"RIFF" and len(head) >= 8:
            return size < 8 + int.from_bytes(head[4:8], "little")
        if head[:4] == b"\x1a\x45\xdf\xa3":
            header = _read_vint(head, 4)
            if header is None or header[0] < 0:
                return None
            offset = 4 + header[1] + header[0]
            if offset + 4 > size:
                return True
            handle.seek(offset)
            segment = handle.read(12)
            if segment[:4] != b"\x18\x53\x80\x67":
                return None
            length = _read_vint(segment, 4)
            if length is None or length[0] < 0:
                return None  # a live recording may leave the size unknown
            return size < offset + 4 + length[1] + length[0]
        if head[4:8] in (b"ftyp", b"styp", b"moov", b"mdat", b"free", b"wide", b"skip"):
            offset = 0
            while offset < size:
                handle.seek(offset)
                box = handle.read(16)
                if len(box) < 8:
                    return True
                length = int.from_bytes(box[:4], "big")
                if length == 1:
                    if len(box) < 16:
                        return True
                    length = int.from_bytes(box[8:16], "big")
                elif length == 0:
                    return False  # the last box runs to the end of the file
                if length < 8:
                    return None
                offset += length
            return offset > size
    return None


# --------------------------------------------------------------------------- live feeds


class LiveFeed:
    """The newest frame of a source, at most ``sample_fps`` per second; see the module doc.

    ``frames_skipped`` counts the frames that sampling at ``sample_fps`` would have analysed
    but that went by while the caller was busy; ``frames_analysed`` counts delivered frames.
    ``clock`` and ``sleep`` are injectable so tests can play "slow analysis" without waiting.
    """

    def __init__(
        self,
        source,
        sample_fps: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not sample_fps > 0:
            raise ValueError("sample_fps must be positive")
        self.source = source
        self.sample_fps = sample_fps
        self._ratio = sample_fps / source.fps
        self._clock, self._sleep = clock, sleep
        self._anchor: float | None = None
        self._last_slot = -1
        self.frames_analysed = 0
        self.frames_skipped = 0
        self._reader: _StreamReader | None = None

    @property
    def started_at(self) -> float | None:
        """Clock reading of the first request: ``received_seconds - started_at`` is a frame's
        offset from the start of the feed (add it to the wall-clock start to stamp it)."""
        return self._anchor

    @property
    def frames_read(self) -> int:
        return self.source.frames_read

    @property
    def skipped_share(self) -> float:
        total = self.frames_analysed + self.frames_skipped
        return self.frames_skipped / total if total else 0.0

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stop()

    def __iter__(self) -> Iterator[SampledFrame]:
        while True:
            sample = self.next()
            if sample is None:
                return
            yield sample

    def next(self) -> SampledFrame | None:
        """The next frame to analyse, or None at the end of a file that does not loop."""
        if self._anchor is None:
            self._anchor = self._clock()
        if self.source.is_stream:
            return self._next_from_stream()
        fps = self.source.fps
        # Ahead of the feed: wait for the broadcast of the first frame of the next sampling slot.
        due = self._anchor + math.ceil((self._last_slot + 1) / self._ratio - 1e-9) / fps
        now = self._clock()
        if now < due:
            self._sleep(due - now)
            now = max(self._clock(), due)
        newest = max(math.floor((now - self._anchor) * fps + 1e-9), self.source.frames_read)
        while self.source.frames_read <= newest:
            if not self.source.grab():
                return None
        index = self.source.frames_read - 1
        return self._deliver(index, self.source.retrieve(), self._anchor + index / fps)

    def _deliver(self, index: int, frame: np.ndarray, received: float) -> SampledFrame:
        slot = math.floor(index * self._ratio + 1e-9)
        self.frames_skipped += max(0, slot - self._last_slot - 1)
        self._last_slot = max(slot, self._last_slot + 1)
        self.frames_analysed += 1
        return SampledFrame(index, index / self.source.fps, frame, received)

    def _next_from_stream(self) -> SampledFrame | None:
        if self._reader is None:
            self._reader = _StreamReader(self.source, self._clock)
        due = self._anchor + (self._last_slot + 1) / self.sample_fps
        now = self._clock()
        if now < due:
            self._sleep(due - now)
        got = self._reader.newest_after(getattr(self, "_delivered_index", -1))
        if got is None:
            return None
        index, frame, received = got
        self._delivered_index = index
        return self._deliver(index, frame, received)


class _StreamReader:
    """Grabs a stream's frames as they arrive, in a daemon thread; decodes only on request.

    OpenCV captures are not thread-safe: the consumer decodes only between two grabs
    (``_wanted`` holds the reader back, ``_grabbing`` says a grab is under way), and then the
    frame it decodes is the newest one.
    """

    def __init__(self, source, clock: Callable[[], float]):
        self.source, self._clock = source, clock
        self._state = threading.Condition()
        self._index, self._received, self._error, self._ended = -1, 0.0, None, False
        self._wanted = self._grabbing = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="live-stream-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping:
            with self._state:
                while self._wanted:
                    self._state.wait(0.1)
                self._grabbing = True
            try:
                ok = self.source.grab()  # blocks until the next frame arrives (lock not held)
                index = self.source.frames_read - 1
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                with self._state:
                    self._grabbing = False
                    self._error = exc
                    self._state.notify_all()
                return
            with self._state:
                self._grabbing = False
                if not ok:
                    self._ended = True
                else:
                    self._index, self._received = index, self._clock()
                self._state.notify_all()
                if not ok:
                    return

    def newest_after(self, delivered: int):
        """(index, frame, received) of the newest frame after ``delivered``, waiting for one."""
        with self._state:
            while self._index <= delivered and self._error is None and not self._ended:
                self._state.wait(0.5)
            if self._index <= delivered:
                if self._error is not None:
                    raise self._error
                return None
            # Stop the reader before its next grab and let a grab in progress finish: then
            # the last grabbed frame is self._index and nobody grabs while we decode it.
            self._wanted = True
            while self._grabbing:
                self._state.wait(0.1)
            try:
                return self._index, self.source.retrieve(), self._received
            except Exception:
                # The stream stopped right after this frame: a failed grab leaves nothing to decode.
                if self._error is not None:
                    raise self._error from None
                if self._ended:
                    return None
                raise
            finally:
                self._wanted = False
                self._state.notify_all()

    def stop(self) -> None:
        self._stopping = True


# --------------------------------------------------------------------------- playlists

PLAYLIST_SUFFIX = ".playlist"
PLAYLIST_MAX_ENTRIES = 10_000


def is_playlist(source: str) -> bool:
    return source.lower().endswith(PLAYLIST_SUFFIX) and "://" not in source


def read_playlist(path: str) -> list[str]:
    """The files a playlist plays one after the other, as one camera's feed (the demo's street: a sought person's
    clip between minutes of strangers). One file per line, relative to the playlist's folder; ``name x N`` plays a
    file N times in a row; blank lines and lines starting with ``#`` are ignored. Files may differ in size.
    Raises SourceError (from recognition.matching) naming the line that is wrong."""
    from recognition.matching import SourceError

    label = redact(path)
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(label, f"cannot open the playlist: {exc.__class__.__name__}") from None
    folder = os.path.dirname(os.path.abspath(path))
    files: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, times = line.rpartition(" x ")
        if not name or not times.strip().isdigit():
            name, times = line, "1"
        count = int(times)
        target = os.path.normpath(os.path.join(folder, name.strip()))
        if not 1 <= count <= PLAYLIST_MAX_ENTRIES or not os.path.isfile(target):
            problem = "is not a file" if count >= 1 else "repeats a file 0 times"
            raise SourceError(label, f"line {number} of the playlist {problem}: {name.strip()}")
        files.extend([target] * count)
        if len(files) > PLAYLIST_MAX_ENTRIES:
            raise SourceError(label, f"the playlist lists more than {PLAYLIST_MAX_ENTRIES} files")
    if not files:
        raise SourceError(label, "the playlist lists no file")
    return files


# --------------------------------------------------------------------------- recordings arriving in chunks (R24)

MP4_BOXES = (b"ftyp", b"styp", b"moov", b"mdat", b"free", b"wide", b"skip")
_MP4_EPOCH_OFFSET = 2_082_844_800  # seconds from 1904-01-01 (MP4's epoch) to 1970-01-01


class ContainerError(ValueError):
    """The bytes are not a video container we accept, or its structure is broken; the message says which."""


def container_kind(head: bytes) -> str | None:
    """The container of a file from its first bytes: "mp4" (MP4/MOV), "matroska" (MKV/WebM), "avi", or None."""
    if head[4:8] in MP4_BOXES:
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


def container_walk(state: dict, offset: int, data: bytes) -> dict:
    """Follow a container's top-level structure as its bytes arrive in order, without keeping them.

    ``state`` is what the previous call returned ({} before the first chunk, which must start at offset 0). For MP4
    the walk moves from box to box (``next`` is where the next box starts; ``carry`` keeps a box header cut by a
    chunk's end), so at the end :func:`container_complete` knows whether the file stops inside a box. For AVI the
    RIFF header gives the whole length; Matroska's segment header gives it when the recorder wrote one.
    Raises ContainerError when the bytes are not a container we accept or a box is malformed.
    """
    state = dict(state)
    if offset == 0:
        kind = container_kind(data[:16])
        if kind is None:
            raise ContainerError("not a video file we accept (MP4 or MOV, Matroska or WebM, AVI)")
        state = {"kind": kind, "next": 0, "carry": "", "expected": None}
        if kind == "avi":
            state["expected"] = 8 + int.from_bytes(data[4:8], "little")
        elif kind == "matroska":
            header = _read_vint(data, 4)
            if header is not None and header[0] >= 0:
                start = 4 + header[1] + header[0]
                if data[start : start + 4] == b"\x18\x53\x80\x67":
                    length = _read_vint(data, start + 4)
                    if length is not None and length[0] >= 0:
                        state["expected"] = start + 4 + length[1] + length[0]
    if state.get("kind") != "mp4":
        return state
    carry = bytes.fromhex(state["carry"])
    buffer_start = offset - len(carry)
    buffer = carry + data
    position = state["next"]
    while True:
        local = position - buffer_start
        if local >= len(buffer):
            carry = b""
            break
        header = buffer[local : local + 16]
        if len(header) < 8 or (len(header) < 16 and header[:4] == b"\x00\x00\x00\x01"):
            carry = buffer[local:]  # the box header goes on in the next chunk
            break
        length = int.from_bytes(header[:4], "big")
        if length == 1:
            length = int.from_bytes(header[8:16], "big")
        elif length == 0:
            state["expected"] = -1  # the last box runs to the end of the file
            carry = b""
            position = offset + len(data)
            break
        if length < 8:
            raise ContainerError(f"a box at byte {position} has an impossible length ({length})")
        position += length
    state["next"], state["carry"] = position, carry.hex()
    return state


def container_complete(state: dict, size: int) -> str | None:
    """After the last byte: None if the container's structure ends exactly at ``size``, else why it does not."""
    kind, expected = state.get("kind"), state.get("expected")
    if kind == "mp4":
        if expected == -1:
            return None
        if state["next"] != size or state.get("carry"):
            return "the file is truncated: it ends inside a part of the video (MP4 box)"
        return None
    if expected is not None and expected > size:
        return "the file is truncated: it is shorter than its container declares"
    return None


def mp4_creation_time(path: str | os.PathLike):
    """The recording's start as its MP4/MOV header states it (``mvhd`` creation time, UTC), or None when the file
    states none (0, or not an MP4). A recorder's clock may be wrong: callers compare it with what is declared."""
    from datetime import UTC, datetime

    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        offset = 0
        while offset + 8 <= size:
            handle.seek(offset)
            header = handle.read(16)
            length, kind = int.from_bytes(header[:4], "big"), header[4:8]
            skip = 8
            if length == 1:
                length, skip = int.from_bytes(header[8:16], "big"), 16
            elif length == 0:
                length = size - offset
            if length < 8:
                return None
            if kind == b"moov":
                body = handle.seek(offset + skip) and handle.read(min(length - skip, 1 << 20))
                index = body.find(b"mvhd")
                if index < 4:
                    return None
                version = body[index + 4]
                raw = body[index + 8 : index + 16]
                seconds = int.from_bytes(raw, "big") if version == 1 else int.from_bytes(raw[:4], "big")
                if seconds <= _MP4_EPOCH_OFFSET:
                    return None
                return datetime.fromtimestamp(seconds - _MP4_EPOCH_OFFSET, tz=UTC)
            offset += length
    return None
