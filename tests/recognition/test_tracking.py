"""The tracker joins detections into tracks, predicts between them and forgets ended tracks (R11)."""

import dataclasses

import pytest

from recognition.tracking import Track, Tracker, TrackerConfig, box_iou


def box(cy, cx, size=40):
    half = size // 2
    return (cy - half, cx + half, cy + half, cx - half)


def test_a_face_moving_steadily_stays_one_track_and_its_position_is_predicted():
    tracker = Tracker()
    ids = set()
    for step in range(6):
        update = tracker.update([box(100, 100 + 20 * step)], step * 0.2)
        ids |= set(update.assigned)
    assert ids == {1}
    # 100 px/s to the right: 0.4 s later the centre should be 40 px further.
    predicted = tracker.predict(1.0 + 0.4)
    assert box_iou(predicted[1], box(100, 100 + 20 * 5 + 40)) > 0.9


def test_two_faces_crossing_paths_keep_their_tracks():
    tracker = Tracker()
    first = tracker.update([box(100, 100), box(100, 300)], 0.0)
    left_id, right_id = first.assigned  # started in detection order
    for step in range(1, 4):
        # Given in the other order: the assignment, not the order, decides.
        update = tracker.update([box(100, 300 - 30 * step), box(100, 100 + 30 * step)], step * 0.2)
        assert update.assigned == {left_id: 1, right_id: 0}
        assert update.started == ()


def test_a_detection_too_far_from_every_prediction_starts_a_new_track():
    tracker = Tracker(TrackerConfig(max_jump=1.0))
    tracker.update([box(100, 100)], 0.0)
    update = tracker.update([box(100, 400)], 0.2)
    assert update.started == (2,)
    assert 1 not in update.assigned


def test_a_face_that_changes_size_too_much_is_not_the_same_track():
    tracker = Tracker(TrackerConfig(max_size_ratio=1.5))
    tracker.update([box(100, 100, 40)], 0.0)
    assert tracker.update([box(100, 100, 80)], 0.2).started == (2,)


def test_a_track_coasts_through_a_short_gap_and_ends_after_max_gap_seconds():
    tracker = Tracker(TrackerConfig(max_gap_seconds=1.0))
    tracker.update([box(100, 100)], 0.0)
    assert tracker.update([], 0.8).ended == ()
    assert tracker.update([box(100, 104)], 0.9).assigned == {1: 0}
    assert tracker.update([], 1.8).ended == ()
    assert tracker.update([], 2.0).ended == (1,)
    assert len(tracker) == 0
    assert tracker.predict(2.0) == {}


def test_camera_shift_moves_the_predictions():
    tracker = Tracker()
    tracker.update([box(100, 100)], 0.0)
    tracker.shift(0, 50)
    assert tracker.update([box(100, 150)], 0.2).assigned == {1: 0}


def test_a_track_holds_only_its_box_and_motion():
    """R11: nothing in a track can hold pixels or an encoding."""
    tracker = Tracker()
    tracker.update([box(100, 100)], 0.0)
    track = tracker.tracks[1]
    assert {f.name for f in dataclasses.fields(Track)} == {
        "track_id",
        "box",
        "first_seen_seconds",
        "last_seen_seconds",
        "hits",
        "velocity",
        "_measured",
    }
    assert all(isinstance(v, int) for v in track.box)


def test_end_all_forgets_every_track():
    tracker = Tracker()
    tracker.update([box(100, 100), box(300, 300)], 0.0)
    assert tracker.end_all() == (1, 2)
    assert tracker.tracks == {}
    assert tracker.tracks_started == 2


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError):
        TrackerConfig(max_gap_seconds=0)
    with pytest.raises(ValueError):
        TrackerConfig(max_size_ratio=0.5)
