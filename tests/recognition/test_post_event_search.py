"""A post-event search of recorded footage, end to end on the real clip with the real engine (R24, R9-R11, R14, R16).

The sample clip is uploaded as a recording of the first camera; the judge narrows the capture-time range; the worker
analyses it as fast as it can, asking the gate before each batch; the sightings lie only inside the authorised range
and are verified by two people like live ones.
"""

import hashlib
import json
from datetime import timedelta

import pytest

from audits.models import AuditEvent
from oversight import services as case_services
from oversight.models import Case, Person
from recognition.models import Alert, AlertReview, Recording, Scan
from recognition.recording_worker import recording_analyse_run
from recognition.services import alert_review
from recognition.services.storage import ScanBatch
from recognition.worker import ScanHooks
from tests.recognition.conftest import CLIP, LIN, START
from tests.recognition.post_event import CLIP_STARTED, post_event_case, uploaded_and_checked

pytestmark = pytest.mark.slow


def batches_of(scan_id):
    events = AuditEvent.objects.filter(event_type="scan.batch", target_ref=f"recognition.Scan:{scan_id}")
    return [json.loads(e.data) for e in events.order_by("seq")]


def test_a_post_event_search_finds_the_person_only_inside_the_authorised_capture_range(w, clock):
    case = post_event_case(w, state="draft")
    recording = uploaded_and_checked(w.requester, case, w.cameras[0])

    # Stored encrypted, hashed on arrival, checked by the engine, timed by the declaration and the decoded duration.
    assert recording.status == Recording.Status.READY
    assert recording.sha256 == hashlib.sha256(CLIP.read_bytes()).hexdigest()
    assert recording.codec == "h264" and recording.frame_count == 275 and 9.1 < recording.duration_seconds < 9.2
    assert recording.capture_time_source == Recording.TimeSource.DECLARED
    assert recording.capture_start == CLIP_STARTED
    assert recording.capture_end == CLIP_STARTED + timedelta(seconds=recording.duration_seconds)
    sealed = (Recording.objects.get(pk=recording.pk), recording)[0]
    from recognition.services.recordings import recording_path

    stored = recording_path(sealed).read_bytes()
    assert b"ftyp" not in stored and b"moov" not in stored and len(stored) > len(CLIP.read_bytes())
    received = AuditEvent.objects.get(event_type="recording.received", case_ref=case.reference)
    assert json.loads(received.data)["sha256"] == recording.sha256

    case = case_services.case_submit(actor=w.requester, case=case)
    # Before the decision the gate is shut: nothing is decrypted, no scan starts.
    clock.move_to(START)
    assert recording_analyse_run(recording_id=recording.pk).stop_reason == Scan.StopReason.NO_SCOPE
    assert not Scan.objects.filter(recording=recording).exists()

    # The judge narrows the footage to start 4 s into the clip (Lin-Manuel is on screen from about 2.7 s).
    allowed_from = CLIP_STARTED + timedelta(seconds=4)
    case = case_services.case_decide(
        actor=w.judge,
        case=case,
        granted=True,
        reasons="Necessary: the attack's suspect passed this camera.",
        capture_start=allowed_from,
        capture_end=CLIP_STARTED + timedelta(minutes=5),
    )
    assert case.approved_capture_start == allowed_from
    approved = AuditEvent.objects.get(event_type="case.approved", case_ref=case.reference)
    assert json.loads(approved.data)["narrowed"]["capture_start"]["allowed"] == allowed_from.isoformat()

    outcome = recording_analyse_run(recording_id=recording.pk)

    assert outcome.stop_reason == Scan.StopReason.SOURCE_ENDED, outcome.detail
    recording.refresh_from_db()
    assert recording.analysis_finished_at is not None
    assert recording.analysed_share == 1.0
    batches = batches_of(outcome.scan_id)
    # Nothing before the authorised range was analysed: the first frame analysed is at or after it.
    assert min(b["first_frame_at"] for b in batches if b["first_frame_at"]) >= allowed_from.isoformat()
    analysed = sum(b["frames_analysed"] for b in batches)
    assert 24 <= analysed <= 28  # about 5.2 s of footage at 5 frames a second
    sightings = list(Alert.objects.filter(case=case))
    assert sightings, "Lin-Manuel Miranda is on screen from 4 s to about 7 s"
    lin = Person.objects.get(case=case, full_name=LIN[0])
    for sighting in sightings:
        assert sighting.recording_id == recording.pk and sighting.person_id == lin.pk
        assert allowed_from <= sighting.captured_at <= sighting.last_seen_at <= recording.capture_end
        assert sighting.closed_at is not None

    # Verified by two different people, like a live sighting (R14).
    sighting = sightings[0]
    alert_review(actor=w.verifiers[0], alert=sighting, verdict=AlertReview.Verdict.CONFIRM)
    sighting = alert_review(actor=w.verifiers[1], alert=sighting, verdict=AlertReview.Verdict.CONFIRM)
    assert sighting.status == Alert.Status.VERIFIED

    # Done once: a second run analyses nothing more.
    assert recording_analyse_run(recording_id=recording.pk).scan_id is None

    # The office's dossier, deployment records, annual report and notifications show it as its own kind (R16, R23).
    from office.reports.annual import annual_report
    from office.reports.dossier import case_dossier
    from office.reports.records import deployment_records
    from oversight.models import OfficeNotification

    case = Case.objects.get(pk=case.pk)
    sections = {section.key: section for section in case_dossier(case=case).sections}
    (row,) = sections["recordings"].rows
    assert row[0] == recording.pk and row[4].replace(" ", "") == recording.sha256 and "100" in row[8]
    (detail,) = sections["sighting_details"].rows
    assert f"recording {recording.pk}" in detail[1] and "Verified" in detail[5]
    (grouped_row,) = sections["sightings"].rows
    assert f"recording {recording.pk}" in grouped_row[1]
    # One operating period, made of the recording's segments only (none of the live camera's).
    from recognition.reports import operating_periods

    (period,) = operating_periods(case)
    assert period.frames_read == outcome.frames_read and period.sightings == 1
    assert period.first_frame_at <= period.last_frame_at  # on the wall clock, not the footage's capture times
    assert len(sections["periods"].rows) == 1
    (record,) = deployment_records(cases=[case])
    assert record.values["kind"] == "Post-event search of recorded footage" and record.values["footage"]
    assert record.values["alerts_verified"] == 1
    totals = annual_report(year=START.year).totals
    assert (totals["post_event_requests"], totals["post_event_approvals"], totals["post_event_uses"]) == (1, 1, 1)
    approved_note = OfficeNotification.objects.get(case=case, kind="approved")
    assert approved_note.content["kind"] == "post_event"
    assert approved_note.content["capture_start"] == allowed_from.isoformat()


def test_a_revocation_mid_recording_stops_it_within_a_batch_and_stores_nothing_after(w, clock, settings):
    settings.RECORDING_BATCH_SECONDS = 1.0
    case = post_event_case(w, state="draft")
    recording = uploaded_and_checked(w.requester, case, w.cameras[0])
    case_services.case_submit(actor=w.requester, case=case)
    case = case_services.case_decide(actor=w.judge, case=Case.objects.get(pk=case.pk), granted=True, reasons="Yes.")
    clock.move_to(START)
    committed: list[ScanBatch] = []

    def revoke_at_the_third_batch(batch: ScanBatch) -> None:
        committed.append(batch)
        if len(committed) == 3:
            case_services.case_revoke(actor=w.judge, case=Case.objects.get(pk=case.pk), reason="Found.")

    outcome = recording_analyse_run(recording_id=recording.pk, hooks=ScanHooks(after_process=revoke_at_the_third_batch))

    assert outcome.stop_reason == Scan.StopReason.REVOKED
    # The batch under way when the revocation came was fenced out; no batch followed it.
    assert len(committed) == 3
    batches = batches_of(outcome.scan_id)
    assert len(batches) == 3 and batches[-1]["alerts_created"] == 0
    recording.refresh_from_db()
    assert recording.analysis_finished_at is None and recording.analysed_until_seconds <= 3.0 + 1e-6
    assert not Alert.objects.filter(case=case).exists()  # Lin-Manuel appears only after 2.7 s: fenced, never stored


def test_an_urgent_post_event_search_runs_before_its_decision_and_a_refusal_purges_everything(
    w, clock, django_capture_on_commit_callbacks
):
    """R9, R24: an urgent start opens the gate for 48 hours (not the 24 of a live use); the refusal deletes the
    sightings and the footage at once, leaving the hash, times and counts."""
    from office.services.leftovers import case_leftovers
    from office.services.retention import case_data_purge
    from oversight.selectors import case_scope_for_recording
    from tests.oversight.factories import NOW

    case = post_event_case(w, state="draft", start=NOW, end=NOW + timedelta(hours=60))
    recording = uploaded_and_checked(w.requester, case, w.cameras[0])
    case = case_services.case_start_urgent(
        actor=w.requester, case=case, urgency_reason="A bomb threat on the metro: the suspect must be found now."
    )
    assert case.urgency_ends_at == case.urgent_started_at + timedelta(hours=48)
    outcome = recording_analyse_run(recording_id=recording.pk)
    assert outcome.stop_reason == Scan.StopReason.SOURCE_ENDED
    assert Alert.objects.filter(case=case, recording=recording).exists()
    # Filed within the 48 hours: the gate stays open past the 24 hours of a live urgency, until the decision.
    clock.move_to(NOW + timedelta(hours=30))
    case = case_services.case_submit(actor=w.requester, case=case)
    assert case_scope_for_recording(case_id=case.pk, camera_id=w.cameras[0].pk, at=NOW + timedelta(hours=30))

    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_decide(actor=w.judge, case=case, granted=False, reasons="The urgency was not shown.")
    assert case_scope_for_recording(case_id=case.pk, camera_id=w.cameras[0].pk, at=NOW + timedelta(hours=30)) is None
    with django_capture_on_commit_callbacks(execute=True):
        counts = case_data_purge(case_id=case.pk)
    assert counts["recognition.Recording"] == 1 and counts["recognition.Alert"] >= 1
    assert not Alert.objects.filter(case=case).exists()
    recording.refresh_from_db()
    assert recording.status == Recording.Status.DESTROYED and recording.sha256  # the record of what was searched
    left = {kind: items for kind, items in case_leftovers(case=Case.objects.get(pk=case.pk)).items() if items}
    assert left == {}


def test_an_urgent_post_event_search_not_filed_within_48_hours_lapses(w, clock):
    from oversight.selectors import case_scope_for_recording
    from oversight.services import case_expire_due
    from tests.oversight.factories import NOW

    case = post_event_case(w, state="draft", start=NOW, end=NOW + timedelta(hours=60))
    case = case_services.case_start_urgent(actor=w.requester, case=case, urgency_reason="Bomb threat.")
    at = NOW + timedelta(hours=47)
    assert case_scope_for_recording(case_id=case.pk, camera_id=w.cameras[0].pk, at=at)
    assert case_expire_due(now=at) == []
    at = NOW + timedelta(hours=48, minutes=1)
    assert case_scope_for_recording(case_id=case.pk, camera_id=w.cameras[0].pk, at=at) is None
    assert case_expire_due(now=at) == [case.reference]
    assert Case.objects.get(pk=case.pk).data_deletion_due_at is not None
