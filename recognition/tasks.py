"""Celery tasks of the recognition app: thin, they take ids and call services (STYLE)."""

import socket

from celery import shared_task
from celery.signals import worker_shutting_down

from recognition import services
from recognition.worker import request_shutdown, scan_run


@worker_shutting_down.connect
def _scans_stop_on_shutdown(**kwargs) -> None:
    """A warm shutdown (Ctrl+C, SIGTERM) reaches the running scan: it stops between frames and releases its camera
    within about a second instead of finishing its segment. Scan workers run the solo pool (one process each), so
    the flag is seen by the task itself."""
    request_shutdown()


@shared_task(name="recognition.scan_camera", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_camera(camera_id: int) -> str:
    """Analyse one camera for one segment while the gate allows it; the dispatcher queues the next."""
    worker = f"{socket.gethostname()}:{scan_camera.request.hostname or ''}:{scan_camera.request.id or ''}"
    outcome = scan_run(camera_id=camera_id, worker=worker)
    return outcome.stop_reason


@shared_task(name="recognition.scans_dispatch", ignore_result=True)
def scans_dispatch() -> list[int]:
    """Beat: queue a scan for each camera the gate covers and no live scan holds."""
    return services.scan_dispatch(queue=scan_camera.delay)
