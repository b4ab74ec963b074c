"""Uploading recordings for a post-event search (R24): checked while streaming, refused in words, nothing kept of a
refused file; capture times from the file's metadata, or declared with evidence; forged or missing times handled."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import AuditEvent
from recognition.models import Recording
from recognition.recording_worker import recording_check_run
from recognition.services.recordings import (
    RecordingRefused,
    recording_chunk_append,
    recording_create,
    recording_declare_capture_time,
    recording_path,
)
from tests.recognition.conftest import CLIP, FACES
from tests.recognition.post_event import CLIP_STARTED, post_event_case, upload, uploaded_and_checked

MP4_EPOCH = 2_082_844_800


def clip_with_creation_time(when) -> bytes:
    """The sample clip with its MP4 header stating `when` as its creation time (mvhd, version 0)."""
    data = bytearray(CLIP.read_bytes())
    at = data.index(b"mvhd")
    assert data[at + 4] == 0
    data[at + 8 : at + 12] = int(when.timestamp() + MP4_EPOCH).to_bytes(4, "big")
    return bytes(data)


def nothing_stored(recording: Recording) -> bool:
    return not recording_path(recording).exists() and recording.status == Recording.Status.REFUSED


@pytest.fixture
def case(w):
    return post_event_case(w, state="draft")


def test_a_file_that_is_no_video_is_refused_at_its_first_chunk_and_nothing_is_kept(
    w, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RecordingRefused) as refused:
        upload(w.requester, case, w.cameras[0], (FACES / "people" / "obama_1.jpg").read_bytes())
    assert "not a video file we accept" in refused.value.messages[0]
    recording = Recording.objects.get(case=case)
    assert nothing_stored(recording) and recording.received_bytes == 0
    assert AuditEvent.objects.filter(event_type="recording.refused", case_ref=case.reference).exists()


def test_a_truncated_upload_is_refused_when_it_completes_and_nothing_is_kept(
    w, case, django_capture_on_commit_callbacks
):
    cut = CLIP.read_bytes()[:500_000]  # ends inside the media box, before the index (moov)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RecordingRefused) as refused:
        upload(w.requester, case, w.cameras[0], cut)
    assert "truncated" in refused.value.messages[0]
    assert nothing_stored(Recording.objects.get(case=case))


def test_a_file_cut_inside_its_index_is_refused_too(w, case, django_capture_on_commit_callbacks):
    cut = CLIP.read_bytes()[:-100]  # the index box (moov) is the last: cut inside it
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RecordingRefused):
        upload(w.requester, case, w.cameras[0], cut)
    assert nothing_stored(Recording.objects.get(case=case))


def test_chunks_must_arrive_in_order_and_a_repeated_chunk_changes_nothing(w, case):
    data = CLIP.read_bytes()
    recording = upload(w.requester, case, w.cameras[0], data[:300_000], complete=False, declared_start=None)
    recording = Recording.objects.get(pk=recording.pk)
    recording.declared_size = len(data)
    recording.save(update_fields=["declared_size"])
    with pytest.raises(ValidationError) as wrong:
        recording_chunk_append(actor=w.requester, recording_id=recording.pk, offset=400_000, data=data[400_000:500_000])
    assert "next one starts at byte 300" in wrong.value.messages[0]
    size = recording_path(recording).stat().st_size
    again = recording_chunk_append(actor=w.requester, recording_id=recording.pk, offset=0, data=data[:131072])
    assert again.received_bytes == 300_000 and recording_path(recording).stat().st_size == size
    with pytest.raises(PermissionDenied):
        recording_chunk_append(actor=w.judge, recording_id=recording.pk, offset=300_000, data=data[300_000:400_000])


def test_a_file_larger_than_declared_is_refused(w, case, django_capture_on_commit_callbacks):
    data = CLIP.read_bytes()
    recording = recording_create(actor=w.requester, case=case, camera_id=w.cameras[0].pk, file_name="a.mp4", size=1000)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RecordingRefused):
        recording_chunk_append(actor=w.requester, recording_id=recording.pk, offset=0, data=data[:2000])
    assert nothing_stored(Recording.objects.get(pk=recording.pk))


def test_the_size_limit_and_the_cases_own_cameras_are_checked_before_any_byte(w, case, settings):
    settings.RECORDING_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as errors:
        recording_create(actor=w.requester, case=case, camera_id=w.cameras[2].pk, file_name="a.mp4", size=2 << 20)
    assert set(errors.value.message_dict) == {"camera", "size"}
    assert not Recording.objects.exists()


def test_a_live_case_takes_no_recordings_and_an_outsider_may_not_add_one(w):
    from tests.recognition.conftest import make_case

    live = make_case(w, state="draft")
    with pytest.raises(ValidationError) as errors:
        recording_create(actor=w.requester, case=live, camera_id=w.cameras[0].pk, file_name="a.mp4", size=10)
    assert "post-event" in errors.value.message_dict["case"][0]
    with pytest.raises(PermissionDenied):
        recording_create(actor=w.outsider, case=live, camera_id=w.cameras[0].pk, file_name="a.mp4", size=10)


def test_the_files_own_capture_time_is_used_where_it_states_one(w, case):
    recorded = CLIP_STARTED + timedelta(seconds=30)  # within the tolerance of the declaration
    recording = uploaded_and_checked(w.requester, case, w.cameras[0], data=clip_with_creation_time(recorded))
    assert recording.status == Recording.Status.READY
    assert recording.capture_time_source == Recording.TimeSource.METADATA
    assert recording.capture_start == recorded == recording.metadata_capture_start


def test_a_declared_time_that_contradicts_the_file_is_refused_as_forged(w, case, django_capture_on_commit_callbacks):
    stated = CLIP_STARTED - timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        recording = uploaded_and_checked(w.requester, case, w.cameras[0], data=clip_with_creation_time(stated))
    assert nothing_stored(recording)
    assert "contradicts the one the file states" in recording.failure_reason


def test_a_recording_without_a_time_of_its_own_waits_for_a_declaration_with_evidence(w, case):
    recording = uploaded_and_checked(w.requester, case, w.cameras[0], declared_start=None)
    assert recording.status == Recording.Status.NEEDS_CAPTURE_TIME and recording.capture_start is None
    # Not analysed meanwhile: the gate cannot place its frames in time.
    with pytest.raises(ValidationError) as errors:
        recording_declare_capture_time(
            actor=w.requester, recording_id=recording.pk, capture_start=CLIP_STARTED, evidence=""
        )
    assert "capture_evidence" in errors.value.message_dict
    with pytest.raises(ValidationError):
        recording_declare_capture_time(
            actor=w.requester,
            recording_id=recording.pk,
            capture_start=CLIP_STARTED + timedelta(days=3),  # would end in the future: forged
            evidence="Clock on screen.",
        )
    recording = recording_declare_capture_time(
        actor=w.requester, recording_id=recording.pk, capture_start=CLIP_STARTED, evidence="Clock on screen."
    )
    assert recording.status == Recording.Status.READY and recording.capture_time_source == "declared"
    assert AuditEvent.objects.filter(event_type="recording.capture_time_declared").count() == 1


def test_a_declared_start_needs_evidence_and_cannot_lie_in_the_future(w, case):
    with pytest.raises(ValidationError) as errors:
        upload(w.requester, case, w.cameras[0], declared_start=CLIP_STARTED + timedelta(days=30), evidence="")
    assert set(errors.value.message_dict) == {"capture_start", "capture_evidence"}


def test_a_stored_recording_is_sealed_chunk_by_chunk_and_a_cut_or_altered_file_never_decrypts(w, case):
    recording = upload(w.requester, case, w.cameras[0])
    path = recording_path(recording)
    sealed = path.read_bytes()
    path.write_bytes(sealed[: len(sealed) // 2])  # cut after some whole records, or inside one
    assert recording_check_run(recording_id=recording.pk) == "refused"
    recording.refresh_from_db()
    assert recording.status == Recording.Status.REFUSED and "unreadable" in recording.failure_reason


def test_a_key_rotation_reseals_stored_recordings_and_retires_the_old_key(w, case):
    from io import StringIO

    from django.core.management import call_command

    from watchlists import crypto

    recording = upload(w.requester, case, w.cameras[0])
    old_key = crypto.current_key_id()
    call_command("watchlists_rotate_key", stdout=StringIO())
    new_key = crypto.current_key_id()
    assert new_key != old_key and list(crypto.load_keyring().key_ids) == [new_key]
    with open(recording_path(recording), "rb") as sealed:
        keys = set()
        while (blob := crypto.read_record(sealed)) is not None:
            keys.add(crypto.blob_key_id(blob))
    assert keys == {new_key}
    assert recording_check_run(recording_id=recording.pk) == Recording.Status.READY  # still opens, in order


def test_a_file_shaped_like_a_video_that_does_not_decode_is_refused_by_the_engine(
    w, case, django_capture_on_commit_callbacks
):
    data = bytearray(CLIP.read_bytes())
    start = data.index(b"mdat") + 4
    data[start : start + 600_000] = bytes(600_000)  # the boxes stand, the pictures are gone
    with django_capture_on_commit_callbacks(execute=True):
        recording = uploaded_and_checked(w.requester, case, w.cameras[0], data=bytes(data))
    assert nothing_stored(recording) and recording.failure_reason.startswith("Refused:")
    assert recording.sha256 == "" and recording.capture_start is None


def test_the_dispatcher_queues_a_ready_recording_only_while_its_case_allows_it(w, case, clock):
    from django.core.cache import cache

    from oversight import services as case_services
    from recognition.services import recordings_dispatch
    from tests.recognition.conftest import START

    recording = uploaded_and_checked(w.requester, case, w.cameras[0])
    queued: list[int] = []
    assert recordings_dispatch(queue=queued.append) == []  # a draft: the gate is shut
    case_services.case_submit(actor=w.requester, case=case)
    case_services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary.")
    assert recordings_dispatch(queue=queued.append) == []  # granted, but its window has not begun
    clock.move_to(START)
    assert recordings_dispatch(queue=queued.append) == [recording.pk] == queued
    cache.clear()
    Recording.objects.filter(pk=recording.pk).update(analysis_finished_at=START)
    assert recordings_dispatch(queue=queued.append) == []  # analysed already


def test_the_footage_is_destroyed_at_the_cases_end_under_the_retention_schedule(
    w, case, clock, django_capture_on_commit_callbacks
):
    """R19: rule recognition.recordings, RECORDING_RETENTION_HOURS_AFTER_END (0) after case_ended_at."""
    from office.services.retention import retention_run
    from oversight import services as case_services
    from tests.recognition.conftest import START

    recording = uploaded_and_checked(w.requester, case, w.cameras[0])
    case_services.case_submit(actor=w.requester, case=case)
    case = case_services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary.")
    clock.move_to(START)
    assert retention_run()["recognition.recordings"] == 0  # running: kept
    case_services.case_revoke(actor=w.judge, case=case, reason="Found.")
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run()["recognition.recordings"] == 1
    recording.refresh_from_db()
    assert recording.status == Recording.Status.DESTROYED and recording.sha256  # the record of what was searched
    assert not recording_path(recording).exists()
    assert retention_run()["recognition.recordings"] == 0
