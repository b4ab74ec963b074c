"""R10: no frame is read unless an active case covers the camera; a revocation stops the scan
and nothing captured after it is stored (the fenced write)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oversight import services as case_services
from recognition import engine, worker
from recognition.analysis import CameraAnalyser, FrameAnalysis
from recognition.models import Alert, Scan
from tests.recognition.conftest import END, LIN, START, make_case


@pytest.fixture
def no_video(monkeypatch):
    """Any attempt to open a camera fails the test: zero frames read means never opened."""

    def refuse(*args, **kwargs):
        raise AssertionError("the video source was opened")

    monkeypatch.setattr(engine, "VideoSource", refuse)


def scan(camera):
    return worker.scan_run(camera_id=camera.pk, realtime=False, loop=False)


@pytest.mark.parametrize("state", ["draft", "submitted", "denied", "revoked"])
def test_no_frame_is_read_for_a_case_that_is_not_active(w, clock, no_video, state):
    make_case(w, people=(LIN,), state=state)
    clock.move_to(START + timedelta(minutes=1))
    outcome = scan(w.cameras[0])
    assert outcome.scan_id is None and outcome.frames_read == 0 and outcome.stop_reason == "no_scope"
    assert not Scan.objects.exists()


def test_no_frame_is_read_before_the_start_or_after_the_end_of_the_window(w, clock, no_video):
    make_case(w, people=(LIN,))
    clock.move_to(START - timedelta(seconds=1))
    assert scan(w.cameras[0]).frames_read == 0
    clock.move_to(END)
    assert scan(w.cameras[0]).frames_read == 0
    assert not Scan.objects.exists()


def test_no_frame_is_read_for_a_camera_outside_every_scope(w, clock, no_video):
    make_case(w, people=(LIN,), cameras=w.cameras[:1])
    clock.move_to(START)
    for camera in w.cameras[1:]:
        assert scan(camera).frames_read == 0
    assert not Scan.objects.exists()


@pytest.mark.slow
def test_a_revocation_in_the_middle_of_an_open_sighting_stores_nothing_captured_after_it(w, clock):
    """R10 with sightings: the open sighting keeps the last-seen time stored before the revocation, not a later one."""
    case = make_case(w, people=(LIN,))
    clock.move_to(START)
    revoked = {}
    batches = []

    def after_process(batch):
        batches.append(batch)
        if batch.last_frame_at:
            clock.move_to(batch.last_frame_at)  # the wall clock keeps up with the video it plays
        # Lin-Manuel is on screen from about 4 s to 7 s: revoke at 5.5 s, in a batch whose sighting is open
        # (analysed, not yet committed).
        seconds = (batch.first_frame_at - START).total_seconds() if batch.first_frame_at else 0
        if not revoked and seconds > 5.5 and any(e.kind == "updated" for e in batch.events):
            case_services.case_revoke(actor=w.judge, case=case, reason="Found him.")
            revoked["at"] = timezone.now()
            revoked["batch"] = len(batches)
            revoked["frames"] = {e.sighting.last_frame for e in batch.events}

    outcome = worker.scan_run(
        camera_id=w.cameras[0].pk, realtime=False, loop=False, hooks=worker.ScanHooks(after_process=after_process)
    )
    assert outcome.stop_reason == Scan.StopReason.REVOKED
    # The batch in flight was analysed, then refused at commit; no further batch was read (the last hook call,
    # if any, only closes the sighting).
    assert len([b for b in batches if b.frames_analysed]) == revoked["batch"]
    sighting = Alert.objects.get(case=case)  # one sighting, one alert
    assert sighting.last_seen_at < revoked["at"]
    assert not set(sighting.frames) & revoked["frames"]
    assert sighting.closed_at == sighting.last_seen_at  # the scan's end closed it, at what was already stored
    scan_row = Scan.objects.get(pk=outcome.scan_id)
    assert scan_row.stop_reason == "revoked"


def _sees_nobody(self, frame, captured_at, frame_index, scope):
    """A fake analyser for tests about the gate, not about faces."""
    return FrameAnalysis(frame_index, captured_at, [], 0, 0, 0, 0, 0, False)


def test_an_expired_window_ends_the_scan_at_the_next_batch(w, clock, monkeypatch):
    """Fake engine: this test is about the gate, not about faces."""
    make_case(w, people=(LIN,))
    clock.move_to(END - timedelta(seconds=2))
    calls = []

    def after_process(batch):
        calls.append(batch)
        clock.move_to(END + timedelta(seconds=1))

    monkeypatch.setattr(CameraAnalyser, "analyse", _sees_nobody)
    outcome = worker.scan_run(
        camera_id=w.cameras[0].pk, realtime=False, loop=False, hooks=worker.ScanHooks(after_process=after_process)
    )
    assert outcome.stop_reason == Scan.StopReason.CASE_ENDED
    # One batch of at most half a second of video (29.97 fps), then the gate closes.
    assert len(calls) == 1 and 0 < outcome.frames_read <= 15


def test_a_failing_gate_stops_the_scan(w, clock, monkeypatch):
    make_case(w, people=(LIN,))
    clock.move_to(START)
    monkeypatch.setattr(CameraAnalyser, "analyse", _sees_nobody)
    real = worker.case_scopes_for_camera
    answers = iter([real, real])

    def flaky(**kwargs):
        fn = next(answers, None)
        if fn is None:
            raise RuntimeError("database went away")
        return fn(**kwargs)

    monkeypatch.setattr(worker, "case_scopes_for_camera", flaky)
    outcome = worker.scan_run(camera_id=w.cameras[0].pk, realtime=False, loop=False)
    assert outcome.stop_reason == Scan.StopReason.GATE_ERROR
    assert Scan.objects.get(pk=outcome.scan_id).stop_reason == "gate_error"
