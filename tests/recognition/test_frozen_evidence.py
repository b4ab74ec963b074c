"""R14, R16: the evidence two verifiers reviewed is the evidence stored. A sighting that goes on after its first
review keeps its crop, distance, best frame and frames; later frames open a continuation reviewed in its turn."""

from datetime import timedelta

from audits.models import AuditEvent
from recognition import services
from recognition.models import Alert
from recognition.sightings import SightingBuilder, TrackHit
from tests.recognition.conftest import LIN, START, make_case, person_id
from tests.recognition.test_sighting_storage import events_batch
from watchlists import crypto


def _crop(alert):
    return crypto.decrypt(bytes(alert.crop_blob), aad=alert.aad("crop"))


def _setup(w, clock):
    case = make_case(w, people=(LIN,))
    camera = w.cameras[0].pk
    clock.move_to(START + timedelta(seconds=30))
    scan = services.scan_start(camera_id=camera)
    return case, scan, SightingBuilder(camera), person_id(case, LIN[0])


def test_a_sighting_that_continues_after_a_confirmation_keeps_its_reviewed_crop_byte_for_byte(w, clock):
    case, scan, builder, lin = _setup(w, clock)
    t0 = START + timedelta(seconds=1)
    first = builder.add_frame(0, t0, [TrackHit(1, case.pk, lin, 0.45, crop_jpeg=b"\xff\xd8reviewed")])
    services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, first, t0))
    reviewed = Alert.objects.get()
    services.alert_review(actor=w.verifiers[0], alert=reviewed, verdict="confirm")
    services.alert_review(actor=w.verifiers[1], alert=reviewed, verdict="confirm")
    before = Alert.objects.get(pk=reviewed.pk)

    t1 = t0 + timedelta(seconds=1)
    later = builder.add_frame(6, t1, [TrackHit(1, case.pk, lin, 0.30, crop_jpeg=b"\xff\xd8closer")])
    result = services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, later, t1))

    assert result["alerts_created"] == 1
    after = Alert.objects.get(pk=reviewed.pk)
    assert _crop(after) == _crop(before) == b"\xff\xd8reviewed"
    assert (after.distance, after.best_frame_index, after.frames, after.frames_matched) == (0.45, 0, [0], 1)
    assert after.status == Alert.Status.VERIFIED and not after.is_open  # the continuation carries on
    continuation = Alert.objects.get(continues=reviewed)
    assert continuation.status == Alert.Status.NEW and continuation.frames == [6]
    assert continuation.distance == 0.30 and _crop(continuation) == b"\xff\xd8closer"
    assert continuation.captured_at == t1 and continuation.is_open
    event = AuditEvent.objects.filter(
        event_type="alert.created", target_ref=f"recognition.Alert:{continuation.pk}"
    ).get()
    assert event.data_dict["continues"] == reviewed.pk


def test_a_continuation_without_a_closer_view_has_no_image_of_its_own_and_later_frames_extend_it(w, clock):
    case, scan, builder, lin = _setup(w, clock)
    t0 = START + timedelta(seconds=1)
    events = builder.add_frame(0, t0, [TrackHit(1, case.pk, lin, 0.30, crop_jpeg=b"\xff\xd8best")])
    services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, events, t0))
    reviewed = Alert.objects.get()
    services.alert_review(actor=w.verifiers[0], alert=reviewed, verdict="confirm")  # one review freezes it

    for index, distance in ((6, 0.45), (12, 0.40)):
        at = t0 + timedelta(seconds=index / 6)
        events = builder.add_frame(index, at, [TrackHit(1, case.pk, lin, distance, crop_jpeg=b"\xff\xd8worse")])
        services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, events, at))

    assert Alert.objects.count() == 2
    frozen = Alert.objects.get(pk=reviewed.pk)
    assert (frozen.frames, frozen.distance, _crop(frozen)) == ([0], 0.30, b"\xff\xd8best")
    continuation = Alert.objects.get(continues=reviewed)
    assert continuation.frames == [6, 12] and continuation.frames_matched == 2
    assert continuation.crop_blob is None and continuation.best_captured_at is None


def test_a_sighting_changes_in_place_until_its_first_review(w, clock):
    case, scan, builder, lin = _setup(w, clock)
    t0 = START + timedelta(seconds=1)
    for index, distance in ((0, 0.45), (6, 0.35)):
        at = t0 + timedelta(seconds=index / 6)
        events = builder.add_frame(index, at, [TrackHit(1, case.pk, lin, distance, crop_jpeg=bytes([index]))])
        services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, events, at))
    alert = Alert.objects.get()
    assert alert.frames == [0, 6] and alert.distance == 0.35 and _crop(alert) == bytes([6])


def test_a_rejected_sighting_is_frozen_too_and_a_replayed_batch_creates_no_second_continuation(w, clock):
    case, scan, builder, lin = _setup(w, clock)
    t0 = START + timedelta(seconds=1)
    first = builder.add_frame(0, t0, [TrackHit(1, case.pk, lin, 0.45, crop_jpeg=b"\xff\xd8a")])
    services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, first, t0))
    services.alert_review(actor=w.verifiers[0], alert=Alert.objects.get(), verdict="reject")
    t1 = t0 + timedelta(seconds=1)
    later = builder.add_frame(6, t1, [TrackHit(1, case.pk, lin, 0.40, crop_jpeg=b"\xff\xd8b")])
    services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, later, t1))
    again = services.scan_batch_commit(scan_id=scan.pk, batch=events_batch(case, first + later, t1))
    assert again["alerts_created"] == 0
    assert Alert.objects.count() == 2
    assert Alert.objects.get(continues__isnull=True).frames == [0]
