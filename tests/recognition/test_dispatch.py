"""The dispatcher: one scan per covered camera, none for any other; dead workers are replaced."""

from datetime import timedelta

from recognition import services
from recognition.models import Scan
from tests.recognition.conftest import LIN, START, make_case


def test_dispatch_queues_only_covered_cameras_without_a_live_scan(w, clock):
    make_case(w, people=(LIN,), cameras=w.cameras[:2])
    queued = []
    assert services.scan_dispatch(queue=queued.append) == []  # before the window
    clock.move_to(START)
    assert services.scan_dispatch(queue=queued.append) == [w.cameras[0].pk, w.cameras[1].pk]
    # Queued but not started yet: not queued again.
    assert services.scan_dispatch(queue=queued.append) == []
    assert queued == [w.cameras[0].pk, w.cameras[1].pk]


def test_a_live_scan_holds_the_camera_and_a_dead_one_is_closed_and_replaced(w, clock):
    make_case(w, people=(LIN,), cameras=w.cameras[:1])
    clock.move_to(START)
    first = services.scan_start(camera_id=w.cameras[0].pk, worker="a")
    assert services.scan_start(camera_id=w.cameras[0].pk, worker="b") is None  # one per camera
    from django.core.cache import cache

    cache.clear()
    assert services.scan_dispatch(queue=lambda _: None) == []
    # The worker dies: no heartbeat for longer than RECOGNITION_SCAN_STALE_SECONDS.
    clock.move_to(START + timedelta(seconds=16))
    assert services.scan_dispatch(queue=lambda _: None) == [w.cameras[0].pk]
    first.refresh_from_db()
    assert first.stop_reason == "worker_lost"
    assert services.scan_start(camera_id=w.cameras[0].pk, worker="c") is not None
    assert Scan.objects.filter(stopped_at__isnull=True).count() == 1
