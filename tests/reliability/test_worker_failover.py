"""Real Celery workers against real PostgreSQL and Redis.

A scan worker is killed with SIGKILL in the middle of a scan: a replacement worker picks
the camera up again within 30 seconds and no alert is duplicated. A Redis broker that
restarts does not stop a running worker from taking the next tasks.
The face engine runs for real: the camera plays the sample clip in which the sought person appears.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from oversight import services as case_services
from oversight.models import Objective, Person
from recognition import services as recognition_services
from recognition.models import Alert, Scan
from tests.oversight.factories import deployment_with_opinion, draft_case
from watchlists.services import reference_photo_encode, reference_photo_upload

ROOT = Path(__file__).resolve().parents[2]
FACES = ROOT / "tests" / "fixtures" / "faces"
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_broker(tmp_path):
    """A Redis server of this test's own, so that restarting it disturbs nobody else."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed; scripts/services.sh provides it")
    port = _free_port()

    def start():
        return subprocess.Popen(
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    state = {"proc": start(), "port": port}
    _wait(lambda: _redis_ping(port), 10, "redis to start")

    def restart():
        state["proc"].kill()
        state["proc"].wait()
        time.sleep(1)
        state["proc"] = start()
        _wait(lambda: _redis_ping(port), 10, "redis to restart")

    state["restart"] = restart
    state["url"] = f"redis://127.0.0.1:{port}/0"
    yield state
    state["proc"].kill()
    state["proc"].wait()


def _redis_ping(port) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _wait(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _worker_env(broker_url: str) -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DEBUG="1",
        OVERSIGHT_TESTING="0",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=broker_url,
        DATA_KEY_FILE=str(settings.DATA_KEY_FILE),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        OVERSIGHT_VAR_DIR=str(Path(settings.MEDIA_ROOT).parent / "var"),
        OPENBLAS_NUM_THREADS="1",
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    env.pop("CACHE_URL", None)  # the worker's cache is its own memory; nothing depends on sharing it
    return env


def _start_worker(broker_url: str, name: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            CELERY,
            "-A",
            "config",
            "worker",
            "-Q",
            "scans",
            "--concurrency",
            "1",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=_worker_env(broker_url),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
    )


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


def _dispatch(broker_url: str) -> list[int]:
    """What beat does every RECOGNITION_DISPATCH_SECONDS: queue scans for covered, unheld cameras."""
    from kombu import Connection

    from config.celery import app

    with Connection(broker_url) as conn:
        return recognition_services.scan_dispatch(
            queue=lambda camera_id: app.send_task(
                "recognition.scan_camera", args=[camera_id], queue="scans", connection=conn
            )
        )


@pytest.fixture
def live_case(requester, judge, platform_admin, dpo):
    for code, label in [("victims", "(a) Victims"), ("threat", "(b) Threat"), ("suspect", "(c) Suspect")]:
        Objective.objects.get_or_create(code=code, defaults={"label": label})
    camera = case_services.camera_create(
        actor=platform_admin, name="Metro Mustek entrance", location_label="Mustek", source=str(CLIP)
    )
    deployment_with_opinion(platform_admin, dpo, [camera])
    now = timezone.now()
    case = draft_case(
        requester,
        [camera],
        judge=judge,
        start=now + timedelta(seconds=1),
        end=now + timedelta(hours=2),
        persons=[("Lin-Manuel Miranda", "suspect")],
        camera_count=1,
    )
    person = Person.objects.get(case=case)
    photo = reference_photo_upload(
        actor=requester,
        person=person,
        data=(FACES / "people" / "lin_manuel_miranda_1.png").read_bytes(),
        source="Press photo",
        legal_basis="Police Act s. 42",
        captured_at=now.date(),
    )
    reference_photo_encode(photo_id=photo.pk)
    case = case_services.case_submit(actor=requester, case=case)
    case = case_services.case_decide(actor=judge, case=case, granted=True, reasons="Necessary.")
    time.sleep(1.1)  # the window opens one second after it was drafted (real time: the workers are real)
    return camera


def _running_scan(camera_id):
    return Scan.objects.filter(camera_id=camera_id, stopped_at__isnull=True).order_by("-pk").first()


def test_killed_worker_is_replaced_and_the_camera_picked_up_within_30_seconds(live_case, redis_broker, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("real workers need a server database")
    camera, broker = live_case, redis_broker["url"]
    first = _start_worker(broker, "first", tmp_path / "first.log")
    second = None
    try:
        assert _dispatch(broker) == [camera.pk]
        # The first worker analyses the camera: a running scan with alerts of the sought person.
        _wait(lambda: Alert.objects.filter(camera=camera).exists(), 90, "the first alerts")
        scan = _running_scan(camera.pk)
        assert scan is not None and scan.worker.startswith(socket.gethostname())

        _kill(first)
        killed_at, killed_at_clock = time.monotonic(), timezone.now()
        sightings_at_kill = Alert.objects.filter(camera=camera).count()
        second = _start_worker(broker, "second", tmp_path / "second.log")

        # Beat keeps dispatching every 2 seconds; the dead worker's scan goes stale and is replaced. The new scan
        # continues the sighting left open (the person is still in view) or opens a new one after a gap.
        def picked_up():
            _dispatch(broker)
            new = _running_scan(camera.pk)
            return (
                new is not None
                and new.pk != scan.pk
                and Alert.objects.filter(camera=camera, last_seen_at__gt=killed_at_clock).exists()
            )

        resumed_at = _wait(lambda: picked_up() or time.sleep(1.75), 60, "the camera to be picked up again")
        assert resumed_at - killed_at < 30, f"picked up after {resumed_at - killed_at:.1f} s"
        scan.refresh_from_db()
        assert scan.stop_reason == "worker_lost"
        # No sighting was raised twice: the open one was continued (at most new appearances were added).
        assert Alert.objects.filter(camera=camera).count() >= sightings_at_kill
        duplicates = (
            Alert.objects.values("case_id", "person_id", "camera_id", "frame_key")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert list(duplicates) == []
        assert Scan.objects.filter(camera=camera, stopped_at__isnull=True).count() == 1
    finally:
        _kill(first)
        if second is not None:
            _kill(second)


def test_worker_keeps_taking_tasks_after_redis_restarts(live_case, redis_broker, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("real workers need a server database")
    camera, broker = live_case, redis_broker["url"]
    worker = _start_worker(broker, "steady", tmp_path / "steady.log")
    try:
        _wait(lambda: b"ready" in (tmp_path / "steady.log").read_bytes(), 60, "the worker to be ready")
        redis_broker["restart"]()
        # The restarted Redis is empty: the next dispatch queues the camera and the same worker takes it.
        assert _dispatch(broker) == [camera.pk]
        _wait(lambda: Alert.objects.filter(camera=camera).exists(), 90, "alerts after the restart")
        assert worker.poll() is None, "the worker process exited"
    finally:
        _kill(worker)
