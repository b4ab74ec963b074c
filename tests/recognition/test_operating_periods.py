"""Operating periods (R16, STYLE habit 14): one per case and camera, from the first frame analysed to the last, with
totals and its interruptions summarised inside; the segments behind it are counted, never listed.

Segments are written through the services as a worker writes them (scan_start, scan_batch_commit, scan_stop, the
dispatcher's stale check, outages); the expected figures are the test's own sums of what it wrote.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight import registry, services
from recognition import services as recognition
from recognition.models import Scan
from recognition.reports import interruption_seconds, operating_periods, usage_for_cases
from tests.oversight.factories import draft_case
from tests.recognition.conftest import END, START

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_faces_ready(monkeypatch):
    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", lambda case: {})


def _approved(w, cameras):
    case = draft_case(w.requester, cameras, judge=w.judge, start=START, end=END, camera_count=len(cameras))
    case = services.case_submit(actor=w.requester, case=case)
    return services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary.")


def _segment(clock, case, camera, *, at, worker, frames=100, faces=7, stop=True, seconds=45):
    clock.move_to(at)
    scan = recognition.scan_start(camera_id=camera.pk, worker=worker)
    clock.move_to(at + timedelta(seconds=seconds - 1))
    recognition.scan_batch_commit(
        scan_id=scan.pk,
        batch=recognition.ScanBatch(
            frames_read=frames * 5,
            frames_analysed=frames,
            faces_seen=faces,
            watchlist_versions={case.pk: "v1"},
            thresholds={case.pk: case.effective_threshold},
            case_references={case.pk: case.reference},
            first_frame_at=at,
            last_frame_at=at + timedelta(seconds=seconds - 1),
        ),
    )
    if stop:
        clock.move_to(at + timedelta(seconds=seconds))
        recognition.scan_stop(scan_id=scan.pk, reason="segment_end")
    return at + timedelta(seconds=seconds)


def test_one_period_per_camera_with_its_totals_gaps_outages_and_workers(w, clock):
    hall, entrance = w.cameras[1], w.cameras[0]
    case = _approved(w, [entrance, hall])
    # Before the use began: the camera was analysed for nobody's case (not counted for this one).
    _segment(clock, case, hall, at=START - timedelta(minutes=10), worker="w1")

    # The hall: three segments back to back (two workers), a worker that dies, ten minutes without analysis,
    # then two more.
    at = START + timedelta(seconds=1)
    written = []
    for worker in ("w1", "w2", "w1"):
        written.append((worker, 100, 7))
        at = _segment(clock, case, hall, at=at, worker=worker) + timedelta(seconds=2)
    written.append(("w3", 100, 7))
    died = _segment(clock, case, hall, at=at, worker="w3", stop=False)
    clock.move_to(died + timedelta(seconds=16))
    assert recognition.scans_close_stale()  # the dispatcher notices: stopped 16 s after its last frame
    at = died + timedelta(minutes=10)
    for worker in ("w2", "w2"):
        written.append((worker, 60, 3))
        at = _segment(clock, case, hall, at=at, worker=worker, frames=60, faces=3) + timedelta(seconds=2)

    # The entrance: unreachable for a while (three attempts, one outage), then one segment.
    clock.move_to(START + timedelta(minutes=1))
    for _attempt in range(3):
        outage = recognition.camera_outage_record(camera_id=entrance.pk, message="Video source x: cannot open.")
        clock.move_to(outage.retry_at)
    outage_started = START + timedelta(minutes=1)
    entrance_at = outage.retry_at
    recognition.camera_outage_end(camera_id=entrance.pk)
    _segment(clock, case, entrance, at=entrance_at, worker="w1", frames=40, faces=2)

    clock.move_to(END + timedelta(hours=1))
    periods = {p.camera.pk: p for p in operating_periods(case)}
    assert list(periods) == sorted(periods, key=lambda pk: {hall.pk: hall.name, entrance.pk: entrance.name}[pk])

    period = periods[hall.pk]
    assert period.segments == len(written) == 6  # the segment before the use is not this case's
    assert period.frames_analysed == sum(f for _w, f, _faces in written)
    assert period.frames_read == 5 * period.frames_analysed
    assert period.faces == sum(faces for _w, _f, faces in written)
    assert period.first_frame_at == START + timedelta(seconds=1)
    assert period.last_frame_at == at - timedelta(seconds=3)
    # One interruption: from the dead worker's last frame to the next segment ten minutes later; hand-overs of 3 s
    # between live workers are not interruptions.
    assert interruption_seconds() < 10 * 60
    assert period.interruptions == 1
    assert period.interrupted_seconds == pytest.approx(10 * 60 + 1, abs=0.5)  # from its last frame
    workers = [worker for worker, _f, _faces in written]
    assert period.workers == len(set(workers)) == 3
    assert period.worker_changes == sum(a != b for a, b in zip(workers, workers[1:], strict=False)) == 4
    assert period.outages == 0 and not period.running

    period = periods[entrance.pk]
    assert period.segments == 1 and period.frames_analysed == 40 and period.faces == 2
    assert period.outages == 1 and period.outage_attempts == 3
    assert period.outage_seconds == pytest.approx((entrance_at - outage_started).total_seconds(), abs=1)

    usage = usage_for_cases([case])[case.pk]
    assert usage["operating_periods"] == 2
    assert usage["faces_processed"] == sum(faces for _w, _f, faces in written) + 2


def test_the_periods_cost_the_same_queries_however_many_segments(w, clock):
    hall = w.cameras[1]
    case = _approved(w, [hall])
    at = START + timedelta(seconds=1)
    at = _segment(clock, case, hall, at=at, worker="w1") + timedelta(seconds=2)
    clock.move_to(END + timedelta(hours=1))
    with CaptureQueriesContext(connection) as few:
        operating_periods(case)
    for _ in range(30):
        clock.move_to(at)
        at = _segment(clock, case, hall, at=at, worker="w1", frames=10) + timedelta(seconds=2)
    clock.move_to(END + timedelta(hours=1))
    with CaptureQueriesContext(connection) as many:
        periods = operating_periods(case)
    assert len(many) == len(few)
    assert periods[0].segments == 31 == Scan.objects.filter(camera=hall).count()


def test_a_camera_that_never_delivered_has_no_period_frames_but_shows_its_outage(w, clock):
    entrance = w.cameras[0]
    case = _approved(w, [entrance])
    clock.move_to(START + timedelta(minutes=5))
    recognition.camera_outage_record(camera_id=entrance.pk, message="Video source x: cannot open.")
    clock.move_to(START + timedelta(minutes=6))
    (period,) = operating_periods(case)
    assert period.first_frame_at is None and period.segments == 0
    assert period.outages == 1 and period.outage_seconds == pytest.approx(60, abs=1)
    assert not Scan.objects.filter(camera=entrance).exists()  # attempts are not segments
    assert usage_for_cases([case])[case.pk]["operating_periods"] == 0
