"""Sightings in the database: one row per sighting, continued across scan segments, idempotent, closed when stale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recognition import services, worker
from recognition.models import Alert
from recognition.sightings import SightingBuilder, TrackHit
from tests.recognition.conftest import ALEX, LIN, START, make_case, person_id


def events_batch(case, events, at):
    """A batch carrying these sighting events of `case` (one analysed frame at `at`)."""
    return services.ScanBatch(
        frames_read=3,
        frames_analysed=1,
        events=events,
        watchlist_versions={case.pk: "v1"},
        thresholds={case.pk: case.approved_threshold},
        case_references={case.pk: case.reference},
        first_frame_at=at,
        last_frame_at=at,
    )


def test_a_sighting_is_updated_not_raised_again_and_a_replayed_batch_changes_nothing(w, clock):
    case = make_case(w, people=(LIN,))
    camera = w.cameras[0].pk
    lin = person_id(case, LIN[0])
    clock.move_to(START + timedelta(seconds=10))
    scan = services.scan_start(camera_id=camera)
    builder = SightingBuilder(camera)
    t0 = START + timedelta(seconds=1)
    first = builder.add_frame(0, t0, [TrackHit(1, case.pk, lin, 0.45, crop_jpeg=b"\xff\xd8first")])
    later = builder.add_frame(6, t0 + timedelta(seconds=1), [TrackHit(1, case.pk, lin, 0.35, crop_jpeg=b"\xff\xd8x")])
    assert services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, first, t0))["alerts_created"] == 1
    result = services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, later, t0))
    assert (result["alerts_created"], result["sightings_updated"]) == (0, 1)
    again = services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, first + later, t0))
    assert (again["alerts_created"], again["sightings_updated"]) == (0, 0)
    sighting = Alert.objects.get()
    assert sighting.frames == [0, 6] and sighting.frames_matched == 2
    assert sighting.distance == 0.35 and sighting.best_frame_index == 6
    assert sighting.captured_at == t0 and sighting.last_seen_at == t0 + timedelta(seconds=1) and sighting.is_open


@pytest.mark.slow
def test_a_person_still_in_view_continues_the_sighting_in_the_next_segment(w, clock, settings):
    """Segment ends leave the sighting open; the next segment of the same camera continues it: one alert."""
    # The next segment replays the clip from its start, where his face is under the 50 px minimum until frame 84
    # (2.8 s): a gap of 5 s lets the continuation be seen in the clip.
    settings.RECOGNITION_SIGHTING_GAP_SECONDS = 5.0
    case = make_case(w, people=(LIN,), match_threshold=0.5)
    clock.move_to(START)
    first = worker.scan_run(camera_id=w.cameras[0].pk, realtime=False, loop=False, max_seconds=5.5)
    assert first.stop_reason == "segment_end"
    sighting = Alert.objects.get(case=case)
    assert sighting.is_open  # he is on screen at 5.5 s
    seen_until = sighting.last_seen_at
    clock.move_to(START + timedelta(seconds=first.media_seconds))  # the next segment starts where this one ended
    second = worker.scan_run(camera_id=w.cameras[0].pk, realtime=False, loop=False, max_seconds=4)
    assert second.stop_reason == "segment_end"
    sighting.refresh_from_db()
    assert Alert.objects.filter(case=case).count() == 1  # continued, not raised again
    assert sighting.last_seen_at > seen_until and sighting.is_open


def test_a_sighting_no_scan_continues_is_closed_by_the_dispatcher(w, clock):
    case = make_case(w, people=(LIN,))
    camera = w.cameras[0].pk
    clock.move_to(START + timedelta(seconds=2))
    scan = services.scan_start(camera_id=camera)
    at = START + timedelta(seconds=1)
    events = SightingBuilder(camera).add_frame(0, at, [TrackHit(1, case.pk, person_id(case, LIN[0]), 0.4)])
    services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, events, at))
    services.scan_stop(scan_id=scan.pk, reason="worker_lost")
    clock.move_to(START + timedelta(minutes=1))
    services.scan_dispatch(queue=lambda camera_id: None, now=timezone.now())
    sighting = Alert.objects.get()
    assert sighting.closed_at == sighting.last_seen_at == at


def test_decrypted_templates_of_a_case_that_left_the_scope_leave_the_worker_memory(w, clock):
    """R12: a scan keeps decrypted templates only for the cases in scope now, not until the worker restarts."""
    from oversight.selectors import case_scopes_for_camera
    from recognition import engine

    first = make_case(w, people=(LIN,))
    second = make_case(w, people=(ALEX,))
    clock.move_to(START + timedelta(seconds=1))
    both = case_scopes_for_camera(camera=w.cameras[0].pk, at=timezone.now())
    assert {s.case_id for s in both} == {first.pk, second.pk}
    state = worker._ScopeState()
    state.refresh(both, engine)
    assert {key[0] for key in worker._TEMPLATE_CACHE} == {first.pk, second.pk}
    state.refresh([s for s in both if s.case_id == second.pk], engine)
    assert {key[0] for key in worker._TEMPLATE_CACHE} == {second.pk}
