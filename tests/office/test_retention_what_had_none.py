"""R19 for what had no retention yet: the reasons of decisions and votes and a camera's reason in a case (reduced
with the case's own text), data-subject requests (deleted after their period unless a restriction of theirs still
holds) and audit export files with their rows. Each is a line of the one schedule."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from audits.models import AuditEvent, AuditExport
from audits.services import audit_export_request, audit_export_run
from office.models import DeletionRecord
from office.services.retention import SCHEDULE, retention_run
from office.services.subject_requests import (
    subject_request_carry_out,
    subject_request_item_decide,
    subject_request_items_decide,
    subject_request_record,
)
from oversight import services
from oversight.models import CASE_TEXT_REMOVED, CaseCamera, DataSubjectRequest, Decision, Vote
from tests.audits.helpers import fill_log
from tests.oversight.factories import END, START, approved_case, commission_case

pytestmark = pytest.mark.django_db


def test_each_has_its_line_in_the_one_schedule():
    codes = {rule.code for rule in SCHEDULE}
    assert {
        "oversight.decision_reasons",
        "oversight.vote_reasons",
        "oversight.camera_reasons",
        "oversight.subject_requests",
        "audits.exports",
    } <= codes


def test_decision_vote_and_camera_reasons_leave_with_the_case_text(world, clock):
    judged = approved_case(world)
    voted = commission_case(world)
    for member in world.commission[:3]:
        services.case_vote(actor=member, case=voted, granted=False, reasons=f"{member.username}: not necessary")
    clock.move_to(START + timedelta(days=364))  # the refused commission case ended at its decision (before START)
    counts = retention_run()
    assert counts["oversight.decision_reasons"] == counts["oversight.vote_reasons"] == 0
    assert Decision.objects.get(case=judged).reasons == "Necessary and proportionate."

    clock.move_to(END + timedelta(days=366))
    counts = retention_run()
    assert counts["oversight.decision_reasons"] == 1 and counts["oversight.vote_reasons"] == 3
    assert counts["oversight.camera_reasons"] == CaseCamera.objects.count()
    assert Decision.objects.get(case=judged).reasons == CASE_TEXT_REMOVED
    assert set(Vote.objects.values_list("reasons", flat=True)) == {CASE_TEXT_REMOVED}
    assert set(CaseCamera.objects.values_list("reason", flat=True)) == {CASE_TEXT_REMOVED}
    assert Vote.objects.filter(granted=False).count() == 3  # who voted how stays
    event = AuditEvent.objects.filter(event_type="retention.applied").latest("seq")
    assert "not necessary" not in event.data
    assert DeletionRecord.objects.filter(rule="oversight.vote_reasons", kind="oversight.Vote", count=3).exists()
    assert retention_run()["oversight.vote_reasons"] == 0  # reduced once


def test_a_restricted_case_keeps_its_reasons(world, clock):
    case = approved_case(world)
    request = subject_request_record(actor=world.dpo, kind="restriction", subject_name="Jana Novakova")
    subject_request_items_decide(actor=world.dpo, request=request, decision="no_action", reasons="Only the case")
    subject_request_item_decide(
        actor=world.dpo, item=request.items.get(target_label="oversight.Case"), decision="restrict"
    )
    subject_request_carry_out(actor=world.dpo, request=request)
    clock.move_to(END + timedelta(days=400))
    assert retention_run()["oversight.decision_reasons"] == 0
    assert Decision.objects.get(case=case).reasons == "Necessary and proportionate."


def test_completed_requests_leave_after_their_period_unless_a_restriction_holds(world, clock, settings):
    settings.RETENTION_SUBJECT_REQUEST_DAYS = 365
    approved_case(world)
    clock.move_to(START)
    done = subject_request_record(actor=world.dpo, kind="access", subject_name="Jana Novakova")
    subject_request_items_decide(actor=world.dpo, request=done, decision="disclose")
    subject_request_carry_out(actor=world.dpo, request=done)
    restricting = subject_request_record(actor=world.dpo, kind="restriction", subject_name="Jana Novakova")
    subject_request_items_decide(actor=world.dpo, request=restricting, decision="restrict")
    subject_request_carry_out(actor=world.dpo, request=restricting)
    still_open = subject_request_record(actor=world.dpo, kind="access", subject_name="Petr Svoboda")

    clock.move_to(START + timedelta(days=364))
    assert retention_run()["oversight.subject_requests"] == 0
    clock.move_to(START + timedelta(days=366))
    assert retention_run()["oversight.subject_requests"] == 1
    assert set(DataSubjectRequest.objects.values_list("pk", flat=True)) == {restricting.pk, still_open.pk}
    kinds = set(DeletionRecord.objects.filter(rule="oversight.subject_requests").values_list("kind", flat=True))
    assert kinds == {"oversight.DataSubjectRequest", "oversight.DataSubjectRequestItem"}


def test_export_files_and_rows_leave_after_their_period(
    world, clock, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.AUDIT_EXPORT_DIR = str(tmp_path / "exports")
    settings.RETENTION_EXPORT_DAYS = 30
    call_command("audits_keygen", stdout=io.StringIO())
    fill_log(10)
    job = audit_export_request(filters={}, justification="Complaint", recipients="Board", actor=world.dpo)
    assert audit_export_run(export_id=job.pk).status == "done"
    job.refresh_from_db()
    files = [tmp_path / "exports" / job.directory, tmp_path / "exports" / f"{job.directory}.zip"]
    assert all(f.exists() for f in files)
    clock.move_to(job.finished_at + timedelta(days=29))
    assert retention_run()["audits.exports"] == 0
    clock.move_to(job.finished_at + timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):  # the files go after commit
        assert retention_run()["audits.exports"] == 1
    assert not AuditExport.objects.exists() and not [f for f in files if f.exists()]
    assert AuditEvent.objects.filter(event_type="audit.exported", seq=job.disclosure_seq).exists()  # R17 stays
