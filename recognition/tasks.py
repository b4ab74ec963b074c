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
    """Beat: queue a scan for each camera the gate covers and no live scan holds, and the analysis of each recording
    a post-event case lets through (R24)."""
    queued = services.scan_dispatch(queue=scan_camera.delay)
    services.recordings_dispatch(queue=lambda recording_id: recording_analyse.delay(recording_id))
    return queued


@shared_task(name="recognition.recording_check", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def recording_check(recording_id: int) -> str:
    """Check an uploaded recording with the face engine: decodes to its end, hash, capture time (R24)."""
    from recognition.recording_worker import recording_check_run

    return recording_check_run(recording_id=recording_id)


@shared_task(name="recognition.recording_analyse", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def recording_analyse(recording_id: int) -> str:
    """Analyse one segment of a recording while its post-event case allows it; the dispatcher queues the next."""
    from recognition.recording_worker import recording_analyse_run

    worker = f"{socket.gethostname()}:{recording_analyse.request.hostname or ''}:{recording_analyse.request.id or ''}"
    return recording_analyse_run(recording_id=recording_id, worker=worker).stop_reason
