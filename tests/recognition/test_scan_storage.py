"""R11 (nothing of a non-matching face is kept), idempotent alerts, source errors, key rotation."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from audits.models import AuditEvent
from oversight.models import Camera
from recognition import services, worker
from recognition.models import Alert, CameraOutage, Scan
from recognition.sightings import SightingBuilder, TrackHit
from tests.recognition.conftest import ALEX, LIN, OBAMA, START, make_case, person_id
from watchlists import crypto
from watchlists.services import data_key_rotate


@pytest.mark.slow
def test_no_encoding_crop_or_image_of_a_non_matching_face_is_stored_anywhere(w, clock):
    make_case(w, people=(ALEX, OBAMA))  # neither is in the clip
    media_before = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    clock.move_to(START)
    outcome = worker.scan_run(camera_id=w.cameras[0].pk, realtime=False, loop=False)

    # Faces seen are distinct faces (tracks): the clip's few people, each counted once, never matched.
    assert outcome.faces_seen >= 2 and outcome.frames_analysed >= 45 and outcome.matches == 0
    assert not Alert.objects.exists()
    scan = Scan.objects.get(pk=outcome.scan_id)
    assert scan.faces_seen == outcome.faces_seen  # only the count survives
    # Media: only the (encrypted) reference photos uploaded before the scan.
    assert sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == media_before
    # Database: no bytea column outside the reference encodings holds anything; audit rows hold counts.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = 'bytea'"
        )
        columns = cursor.fetchall()
        for table, column in columns:
            if table == "watchlists_referencephoto":
                continue
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NOT NULL')
            assert cursor.fetchone()[0] == 0, (table, column)
    for event in AuditEvent.objects.filter(event_type__startswith="scan."):
        data = json.loads(event.data)
        assert not any(isinstance(v, list) and len(v) >= 128 for v in data.values())
        assert len(event.data) < 1000
    # Cache (Redis in CI): nothing was written by the scan.
    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):
        assert client.get_client().keys("*") == []


def test_a_corrupt_file_gives_the_camera_a_clear_error_and_the_task_returns(w, clock, tmp_path):
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    Camera.objects.filter(pk=w.cameras[0].pk).update(source=str(bad))
    make_case(w, people=(LIN,))
    clock.move_to(START)
    outcome = worker.scan_run(camera_id=w.cameras[0].pk, realtime=False)
    camera = Camera.objects.get(pk=w.cameras[0].pk)
    assert outcome.stop_reason == "source_error" and outcome.frames_read == 0
    assert "not a readable video" in camera.last_error and camera.last_error_at
    # A camera that cannot be opened is an outage, not a scan.
    assert outcome.scan_id is None and not Scan.objects.filter(camera=camera).exists()
    assert CameraOutage.objects.get(camera=camera).attempts == 1


def test_an_unreachable_stream_gives_the_camera_a_clear_error_and_the_task_returns(w, clock):
    Camera.objects.filter(pk=w.cameras[0].pk).update(source="http://127.0.0.1:9/x.mp4")
    make_case(w, people=(LIN,))
    clock.move_to(START)
    outcome = worker.scan_run(camera_id=w.cameras[0].pk)
    camera = Camera.objects.get(pk=w.cameras[0].pk)
    assert outcome.stop_reason == "source_error"
    assert camera.last_error.startswith("Video source http://127.0.0.1:9/x.mp4: cannot open")


def one_batch(case, person, captured_at, *, camera_id=None):
    """A batch in which one track of `person` matched in one frame: one sighting opened (through the builder)."""
    camera_id = camera_id or case.case_cameras.order_by("pk").first().camera_id
    builder = SightingBuilder(camera_id)
    hit = TrackHit(track_id=1, case_id=case.pk, person_id=person, distance=0.4, crop_jpeg=b"\xff\xd8fake-jpeg")
    return services.ScanBatch(
        frames_read=14,
        frames_analysed=1,
        events=builder.add_frame(7, captured_at, [hit]),
        faces_seen=2,
        matches=1,
        watchlist_versions={case.pk: "v1"},
        thresholds={case.pk: case.approved_threshold},
        case_references={case.pk: case.reference},
        first_frame_at=captured_at,
        last_frame_at=captured_at,
    )


def test_committing_the_same_batch_twice_creates_no_duplicate_alert(w, clock):
    case = make_case(w, people=(LIN,))
    clock.move_to(START + timedelta(seconds=5))
    scan = services.scan_start(camera_id=w.cameras[0].pk)
    batch = one_batch(case, person_id(case, LIN[0]), timezone.now() - timedelta(seconds=1))
    assert services.scan_batch_commit(scan_id=scan.pk, batch=batch)["alerts_created"] == 1
    assert services.scan_batch_commit(scan_id=scan.pk, batch=batch)["alerts_created"] == 0
    alert = Alert.objects.get()
    assert crypto.decrypt(bytes(alert.crop_blob), aad=f"recognition.Alert:{alert.pk}:crop".encode()).startswith(
        b"\xff\xd8"
    )
    assert AuditEvent.objects.filter(event_type="alert.created").count() == 1


def test_a_match_captured_before_the_window_is_fenced_out(w, clock):
    case = make_case(w, people=(LIN,))
    clock.move_to(START + timedelta(seconds=1))
    scan = services.scan_start(camera_id=w.cameras[0].pk)
    batch = one_batch(case, person_id(case, LIN[0]), START - timedelta(seconds=1))
    result = services.scan_batch_commit(scan_id=scan.pk, batch=batch)
    assert (result["alerts_created"], result["fenced_out"]) == (0, 1)


def test_key_rotation_reencrypts_alert_crops(w, clock):
    case = make_case(w, people=(LIN,))
    clock.move_to(START + timedelta(seconds=5))
    scan = services.scan_start(camera_id=w.cameras[0].pk)
    services.scan_batch_commit(scan_id=scan.pk, batch=one_batch(case, person_id(case, LIN[0]), timezone.now()))
    result = data_key_rotate()
    alert = Alert.objects.get()
    assert result["alert_crops"] == 1
    assert crypto.blob_key_id(bytes(alert.crop_blob)) == result["new_key"]
    assert crypto.decrypt(bytes(alert.crop_blob), aad=alert.aad("crop")) == b"\xff\xd8fake-jpeg"
