"""A camera that cannot be read: one outage per episode, retried with a growing pause, never a scan row per attempt."""

from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse

from oversight.models import Camera
from recognition import services, worker
from recognition.models import CameraOutage, Scan
from tests.recognition.conftest import CLIP, LIN, START, make_case

UNREACHABLE = "http://127.0.0.1:9/camera.mp4"  # nothing listens on the discard port: refused at once


def test_the_pause_between_attempts_doubles_up_to_a_minute():
    assert [services.retry_pause_seconds(n) for n in range(1, 9)] == [2, 4, 8, 16, 32, 60, 60, 60]


def dispatched(now) -> list[int]:
    cache.clear()  # the dispatcher's "already queued" keys: each call here is a fresh dispatch
    queued: list[int] = []
    services.scan_dispatch(queue=queued.append, now=now)
    return queued


def test_an_unreachable_camera_is_one_outage_retried_with_backoff_and_ended_when_it_answers(w, clock):
    camera = w.cameras[0]
    Camera.objects.filter(pk=camera.pk).update(source=UNREACHABLE)
    make_case(w, people=(LIN,), cameras=[camera])
    clock.move_to(START)

    attempts_at = []
    for attempt in range(1, 5):
        outcome = worker.scan_run(camera_id=camera.pk, realtime=False, max_seconds=5)
        assert outcome.stop_reason == "source_error" and outcome.scan_id is None
        outage = CameraOutage.objects.get(camera=camera)
        assert outage.attempts == attempt and outage.ended_at is None
        assert outage.last_error.startswith(f"Video source {UNREACHABLE}: cannot open")
        pause = (outage.retry_at - outage.last_attempt_at).total_seconds()
        assert pause == services.retry_pause_seconds(attempt)
        # The dispatcher leaves the camera alone until the next attempt is due, then queues it.
        assert camera.pk not in dispatched(outage.retry_at - timedelta(seconds=0.5))
        assert camera.pk in dispatched(outage.retry_at + timedelta(seconds=0.5))
        attempts_at.append(outage.last_attempt_at)
        clock.move_to(outage.retry_at + timedelta(seconds=0.5))

    assert not Scan.objects.filter(camera=camera).exists()  # attempts are not scans
    camera.refresh_from_db()
    assert camera.last_error.startswith(f"Video source {UNREACHABLE}")
    started = CameraOutage.objects.get(camera=camera).started_at
    assert started == attempts_at[0]

    # The camera answers again: the scan runs and the outage ends; one record for the whole episode.
    Camera.objects.filter(pk=camera.pk).update(source=str(CLIP))
    outcome = worker.scan_run(camera_id=camera.pk, realtime=False, loop=False, max_seconds=1)
    assert outcome.scan_id is not None and outcome.stop_reason != "source_error"
    outage = CameraOutage.objects.get(camera=camera)
    assert outage.ended_at is not None and outage.attempts == 4 and outage.started_at == started
    assert camera.pk not in services.cameras_waiting_to_retry(now=outage.ended_at)


def test_the_camera_list_and_the_administrators_home_page_show_the_outage_in_the_readers_language(
    w, clock, client_for, settings
):
    camera = w.cameras[0]
    Camera.objects.filter(pk=camera.pk).update(source=UNREACHABLE)
    make_case(w, people=(LIN,), cameras=[camera])
    clock.move_to(START)
    worker.scan_run(camera_id=camera.pk, realtime=False, max_seconds=5)
    worker.scan_run(camera_id=camera.pk, realtime=False, max_seconds=5)

    client = client_for(w.platform_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    listing = client.get(reverse("oversight:camera_list")).content.decode()
    assert "nedostupná od" in listing and "pokusů: 2" in listing
    assert f"Zdroj videa {UNREACHABLE}: nelze otevřít: nedostupný, spojení odmítnuto" in listing
    assert "Analyzované snímky za sekundu" in listing and "Příliš malé obličeje" in listing
    home = client.get("/").content.decode()
    assert "Nedostupné (opakované pokusy s rostoucí pauzou):" in home and "pokusů: 2" in home

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get(reverse("oversight:camera_list")).content.decode()
    assert "unreachable since" in listing and "(2 attempts," in listing
    assert f"Video source {UNREACHABLE}: cannot open: unreachable, refused" in listing


class _OpensThenFails:
    """A camera that accepts the connection and then delivers nothing (a stream that hangs up at once): the video
    source is stood in for because this test is about the outage record, not about decoding."""

    is_stream = True

    def __init__(self, source, **_kwargs):
        from recognition import engine

        self._error = engine.SourceError(source, "stopped delivering frames after 0 frames")
        self.fps, self.frames_read, self.loop = 25.0, 0, False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def iter_sampled(self, _fps):
        raise self._error
        yield  # a generator, as the real one


def test_a_camera_that_opens_but_delivers_nothing_stays_one_outage(w, clock, monkeypatch):
    from recognition import engine

    camera = w.cameras[0]
    make_case(w, people=(LIN,), cameras=[camera])
    clock.move_to(START)
    monkeypatch.setattr(engine, "VideoSource", _OpensThenFails)
    for attempt in range(1, 4):
        outcome = worker.scan_run(camera_id=camera.pk, realtime=False, max_seconds=5)
        assert outcome.stop_reason == "source_error"
        outage = CameraOutage.objects.get(camera=camera)  # one episode, however often it opened
        assert outage.attempts == attempt and outage.ended_at is None
        clock.move_to(outage.retry_at + timedelta(seconds=0.5))
    # Its empty leases analysed nothing: no operating period, no frame counted anywhere.
    assert not Scan.objects.filter(camera=camera, frames_read__gt=0).exists()
