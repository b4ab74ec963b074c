"""Track matches become sightings: one per continuous appearance, idempotent keys, fence-friendly events."""

from datetime import UTC, datetime, timedelta

import pytest

from recognition.sightings import SightingBuilder, SightingConfig, SightingKey, TrackHit, coalesce

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def at(index, fps=5.0):
    return T0 + timedelta(seconds=index / fps)


def hit(distance=0.4, track_id=1, person="lin", case="case-1", crop=None):
    return TrackHit(track_id=track_id, case_id=case, person_id=person, distance=distance, crop_jpeg=crop)


def run(builder, frames):
    """frames: {index: [hits]} over a range; every index in between is analysed with no hit."""
    events = []
    for index in range(max(frames) + 1):
        events += builder.add_frame(index, at(index), frames.get(index, []))
    return events + builder.close_all()


def test_a_continuous_appearance_is_one_sighting_with_its_frames():
    builder = SightingBuilder("cam-1")
    events = run(builder, {i: [hit(0.5 - i / 100)] for i in range(3, 10)})
    assert [e.kind for e in events] == ["opened"] + ["updated"] * 6 + ["closed"]
    final = events[-1].sighting
    assert final.key == SightingKey("cam-1", "case-1", "lin", at(3))
    assert (final.first_frame, final.last_frame, final.frames_matched) == (3, 9, 7)
    assert final.frames == tuple(range(3, 10))
    assert final.best_distance == pytest.approx(0.41)
    assert final.best_frame == 9
    assert final.closed


def test_a_gap_shorter_than_the_limit_is_merged_and_a_longer_one_starts_a_new_sighting():
    builder = SightingBuilder("cam-1", SightingConfig(gap_seconds=2.0))
    frames = {i: [hit()] for i in [0, 1, 2, 10, 11, 30]}  # 5 fps: gap 1.6 s merged, 3.8 s not
    sightings = [e.sighting for e in run(builder, frames) if e.kind == "closed"]
    assert [(s.first_frame, s.last_frame, s.frames) for s in sightings] == [(0, 11, (0, 1, 2, 10, 11)), (30, 30, (30,))]


def test_two_tracks_of_the_same_person_in_one_frame_count_once():
    builder = SightingBuilder("cam-1")
    events = builder.add_frame(0, at(0), [hit(0.5, track_id=1), hit(0.3, track_id=2)])
    assert len(events) == 1
    assert events[0].sighting.best_distance == 0.3
    assert events[0].sighting.frames_matched == 1


def test_each_case_and_person_has_its_own_sighting():
    builder = SightingBuilder("cam-1")
    events = builder.add_frame(0, at(0), [hit(person="lin"), hit(person="lin", case="case-2"), hit(person="alex")])
    assert sorted((e.key.case_id, e.key.person_id) for e in events) == [
        ("case-1", "alex"),
        ("case-1", "lin"),
        ("case-2", "lin"),
    ]


def test_the_best_crop_follows_the_best_distance():
    builder = SightingBuilder("cam-1")
    builder.add_frame(0, at(0), [hit(0.5, crop=b"first")])
    builder.add_frame(1, at(1), [hit(0.45)])  # better distance, no new view: the crop stays
    builder.add_frame(2, at(2), [hit(0.52, crop=b"worse")])  # a crop of a worse match is not taken
    events = builder.add_frame(3, at(3), [hit(0.3, crop=b"best")])
    state = events[-1].sighting
    assert (state.best_distance, state.best_frame, state.best_crop_jpeg) == (0.3, 3, b"best")


def test_replaying_the_same_frames_gives_the_same_keys_and_states():
    """A redelivered task analyses the same frames again: the events upsert onto the same rows."""
    frames = {i: [hit(0.4)] for i in range(5)}
    first, second = run(SightingBuilder("cam-1"), frames), run(SightingBuilder("cam-1"), frames)
    assert [e.sighting for e in first] == [e.sighting for e in second]


def test_coalesce_keeps_the_last_state_and_remembers_the_opening():
    builder = SightingBuilder("cam-1")
    events = []
    for index in range(4):
        events += builder.add_frame(index, at(index), [hit()])
    merged = coalesce(events)
    assert len(merged) == 1
    assert merged[0].kind == "opened"
    assert merged[0].sighting.frames_matched == 4


def test_fencing_by_capture_instant_keeps_nothing_captured_after_the_cut_off():
    builder = SightingBuilder("cam-1")
    events = []
    for index in range(10):
        events += builder.add_frame(index, at(index), [hit()])
    revoked_at = at(5) + timedelta(milliseconds=10)
    kept = coalesce(e for e in events if e.sighting.last_captured_at <= revoked_at)
    assert kept[0].sighting.last_frame == 5
    assert kept[0].sighting.frames == tuple(range(6))


def test_a_resumed_sighting_continues_within_the_gap():
    first = SightingBuilder("cam-1")
    first.add_frame(0, at(0), [hit()])
    left_open = first.open_sightings[0]
    second = SightingBuilder("cam-1")
    second.resume(left_open)
    events = second.add_frame(5, at(5), [hit()])
    assert [e.kind for e in events] == ["updated"]
    assert events[0].key == left_open.key


def test_frames_out_of_order_are_refused():
    builder = SightingBuilder("cam-1")
    builder.add_frame(1, at(1), [])
    with pytest.raises(ValueError, match="capture order"):
        builder.add_frame(0, at(0), [])
