"""Sightings: the matches of face tracks on one camera turned into events a database can store.

A sighting is one sought person (of one case) seen on one camera, continuously or with gaps
of at most ``gap_seconds`` between matched frames. It opens on the first matched frame,
updates its last-seen time, matched frames, best distance and best crop while the person
stays, and closes when a frame is analysed more than ``gap_seconds`` after the last match
(or when the scan ends). One sighting, one alert.

Idempotent persistence. Every event carries the sighting's whole current state and its
:class:`SightingKey` ``(camera, case, person, first captured instant)``, which never
changes once the sighting opened. A database layer stores an event as an upsert on that
key (unique constraint): create the row if it is missing, otherwise update it only if the
event is newer (``frames_matched`` larger, or ``closed`` newly true). Replaying a batch of
events after a worker died (the task is redelivered and analyses the same frames again)
then changes nothing and creates nothing twice. :func:`coalesce` keeps the last event per
key, so a batch writes each sighting once. To continue a sighting across scan segments, the
worker passes the open sightings it loaded back to :meth:`SightingBuilder.resume`.

The fenced write (R10) stays with the caller, and events make it simple: an "opened" or
"updated" event is the state right after one frame, so ``sighting.last_captured_at`` is that
frame's capture instant. Drop every such event captured after its case's window ended or
was revoked, then :func:`coalesce` what is left: the state stored is the one before the
cut-off, and nothing captured later (not even a later last-seen time) reaches the database.

Pure Python: no NumPy, OpenCV or Django.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Sighting", "SightingBuilder", "SightingConfig", "SightingEvent", "SightingKey", "TrackHit", "coalesce"]


@dataclass(frozen=True)
class SightingConfig:
    """``gap_seconds``: a matched frame at most this long after the previous match of the
    same (case, person) continues the sighting; a longer gap closes it. ``max_frames_listed``
    bounds ``Sighting.frames`` (the frame indexes kept for the record); the count goes on."""

    gap_seconds: float = 3.0
    max_frames_listed: int = 10_000

    def __post_init__(self):
        if not self.gap_seconds > 0:
            raise ValueError("gap_seconds must be positive")
        if self.max_frames_listed < 1:
            raise ValueError("max_frames_listed must be >= 1")


@dataclass(frozen=True)
class TrackHit:
    """One matching track in one analysed frame (what the analyser reports, without pixels
    other than the optional crop). ``crop_jpeg`` is set when this frame gave the track a
    better view (every other face blurred); None otherwise."""

    track_id: int
    case_id: Hashable
    person_id: Hashable
    distance: float
    template_id: Hashable = None
    crop_jpeg: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SightingKey:
    """Stable identity of a sighting: unique in the database, the same on every retry."""

    camera_id: Hashable
    case_id: Hashable
    person_id: Hashable
    first_captured_at: datetime


@dataclass(frozen=True)
class Sighting:
    """The state of a sighting after some frame. Immutable: every event holds its own copy."""

    key: SightingKey
    first_frame: int
    last_frame: int
    last_captured_at: datetime
    frames_matched: int
    frames: tuple[int, ...]
    best_distance: float
    best_frame: int
    best_captured_at: datetime
    best_template_id: Hashable = None
    best_crop_jpeg: bytes | None = field(default=None, repr=False)
    closed: bool = False

    @property
    def case_id(self) -> Hashable:
        return self.key.case_id

    @property
    def person_id(self) -> Hashable:
        return self.key.person_id

    @property
    def first_captured_at(self) -> datetime:
        return self.key.first_captured_at


@dataclass(frozen=True)
class SightingEvent:
    """``kind``: "opened", "updated" or "closed"; ``sighting``: the whole state after it."""

    kind: str
    sighting: Sighting

    @property
    def key(self) -> SightingKey:
        return self.sighting.key


@dataclass
class _Open:
    state: Sighting


class SightingBuilder:
    """Sightings of one camera. Call :meth:`add_frame` for every analysed frame, in capture
    order, with the matching tracks of that frame (an empty list too: time passing closes
    sightings); call :meth:`close_all` when the scan stops."""

    def __init__(self, camera_id: Hashable, config: SightingConfig | None = None):
        self.camera_id = camera_id
        self.config = config or SightingConfig()
        self._open: dict[tuple[Hashable, Hashable], _Open] = {}
        self._last_captured_at: datetime | None = None

    @property
    def open_sightings(self) -> list[Sighting]:
        return [o.state for o in self._open.values()]

    def resume(self, sighting: Sighting) -> None:
        """Continue a sighting that an earlier scan of this camera left open (loaded from the
        database). Its next matched frame within ``gap_seconds`` updates it; otherwise the
        next frame analysed closes it."""
        if sighting.key.camera_id != self.camera_id:
            raise ValueError("the sighting belongs to another camera")
        if not sighting.closed:
            self._open[(sighting.case_id, sighting.person_id)] = _Open(sighting)

    def add_frame(self, frame_index: int, captured_at: datetime, hits: Iterable[TrackHit]) -> list[SightingEvent]:
        """Events caused by one analysed frame: closes first, then opens and updates."""
        if self._last_captured_at is not None and captured_at < self._last_captured_at:
            raise ValueError("frames must be added in capture order")
        self._last_captured_at = captured_at
        events = self._close_stale(captured_at)
        best: dict[tuple[Hashable, Hashable], TrackHit] = {}
        crops: dict[tuple[Hashable, Hashable], TrackHit] = {}
        for hit in hits:
            group = (hit.case_id, hit.person_id)
            if group not in best or hit.distance < best[group].distance:
                best[group] = hit
            if hit.crop_jpeg is not None and (group not in crops or hit.distance < crops[group].distance):
                crops[group] = hit
        for group, hit in best.items():
            current = self._open.get(group)
            if current is None:
                key = SightingKey(self.camera_id, hit.case_id, hit.person_id, captured_at)
                crop = crops.get(group)
                state = Sighting(
                    key=key,
                    first_frame=frame_index,
                    last_frame=frame_index,
                    last_captured_at=captured_at,
                    frames_matched=1,
                    frames=(frame_index,),
                    best_distance=hit.distance,
                    best_frame=frame_index,
                    best_captured_at=captured_at,
                    best_template_id=hit.template_id,
                    best_crop_jpeg=crop.crop_jpeg if crop else None,
                )
                self._open[group] = _Open(state)
                events.append(SightingEvent("opened", state))
                continue
            state = current.state
            changes = dict(
                last_frame=frame_index,
                last_captured_at=captured_at,
                frames_matched=state.frames_matched + 1,
            )
            if len(state.frames) < self.config.max_frames_listed:
                changes["frames"] = (*state.frames, frame_index)
            crop = crops.get(group)
            # A better distance moves the best frame; its crop replaces the old one only if this
            # frame brought one (a track reports a crop when its view got better).
            if hit.distance < state.best_distance:
                changes.update(best_distance=hit.distance, best_frame=frame_index, best_captured_at=captured_at)
                changes["best_template_id"] = hit.template_id
            if crop is not None and (state.best_crop_jpeg is None or crop.distance <= state.best_distance):
                changes["best_crop_jpeg"] = crop.crop_jpeg
            current.state = dataclasses.replace(state, **changes)
            events.append(SightingEvent("updated", current.state))
        return events

    def close_all(self) -> list[SightingEvent]:
        """Close every open sighting (the scan stops)."""
        events = [SightingEvent("closed", dataclasses.replace(o.state, closed=True)) for o in self._open.values()]
        self._open.clear()
        return events

    def _close_stale(self, now: datetime) -> list[SightingEvent]:
        events = []
        for group in list(self._open):
            state = self._open[group].state
            if (now - state.last_captured_at).total_seconds() > self.config.gap_seconds:
                del self._open[group]
                events.append(SightingEvent("closed", dataclasses.replace(state, closed=True)))
        return events


def coalesce(events: Iterable[SightingEvent]) -> list[SightingEvent]:
    """The last event of each sighting, in order of first appearance; "opened" is kept as the
    kind when the sighting opened within these events (the row must be created), and the
    last state wins (it includes every earlier change)."""
    merged: dict[SightingKey, SightingEvent] = {}
    for event in events:
        earlier = merged.get(event.key)
        kind = event.kind
        if earlier is not None and earlier.kind == "opened":
            kind = "opened"
        merged[event.key] = SightingEvent(kind, event.sighting)
    return list(merged.values())
