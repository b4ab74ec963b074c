"""The retention schedule (R19): each rule deletes exactly what is due, holds what is under review or restricted,
records each run once, and leaves a trail that still verifies."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import checks
from django.core.management import call_command

from audits.models import AuditEvent
from office.models import DeletionRecord
from office.services.retention import SCHEDULE, retention_due, retention_run
from office.services.subject_requests import (
    subject_request_carry_out,
    subject_request_item_decide,
    subject_request_record,
    subject_restriction_lift,
)
from oversight.models import Case, DataSubjectRequestItem, Person
from recognition.models import Alert, AlertReview
from tests.office.retention_helpers import alert_for, audits_verify_ok, photo_for, review
from tests.oversight.factories import END, START, approved_case
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db

AT = START + timedelta(hours=1)


@pytest.fixture
def activity(world, clock):
    case = approved_case(world)
    v1, v2 = world.verifiers
    photo_for(case.persons.order_by("pk").first(), uploaded_by=world.requester)
    clock.move_to(AT)
    rejected = review(alert_for(case, n=1), v1, "reject")
    verified = alert_for(case, n=2)
    review(verified, v1, "confirm")
    review(verified, v2, "confirm")
    under_review = review(alert_for(case, n=3), v1, "confirm")
    unreviewed = alert_for(case, n=4)
    return case, {"rejected": rejected.pk, "verified": verified.pk, "under": under_review.pk, "new": unreviewed.pk}


def alive(ids) -> set[str]:
    present = set(Alert.objects.filter(pk__in=ids.values()).values_list("pk", flat=True))
    return {name for name, pk in ids.items() if pk in present}


def test_every_rule_deletes_on_its_own_clock_and_holds_what_is_under_review(activity, clock):
    case, ids = activity
    clock.move_to(AT + timedelta(days=6))
    assert retention_run()["recognition.alerts_rejected"] == 0
    assert alive(ids) == {"rejected", "verified", "under", "new"}

    clock.move_to(AT + timedelta(days=7, minutes=1))  # a false alert leaves 7 days after its rejection
    assert retention_due()["recognition.alerts_rejected"] == 1
    counts = retention_run()
    assert counts["recognition.alerts_rejected"] == 1
    assert alive(ids) == {"verified", "under", "new"}
    assert not AlertReview.objects.filter(alert_id=ids["rejected"]).exists()
    # R12: the watchlist outlives the case (0 hours) only while sightings of its person await their verifiers
    assert ReferencePhoto.objects.filter(person__case=case).exists()

    clock.move_to(END + timedelta(days=30, minutes=1))  # unreviewed: 30 days after the case's end
    retention_run()
    assert alive(ids) == {"verified", "under"}  # under review: held

    clock.move_to(END + timedelta(days=90, minutes=1))  # ... until 90 days after the end
    retention_run()
    assert alive(ids) == {"verified"}
    # no sighting awaits verification any more: the reference photo goes with this run
    assert not ReferencePhoto.objects.filter(person__case=case).exists()

    clock.move_to(AT + timedelta(days=180, minutes=1))  # verified: 180 days after the verification
    retention_run()
    assert alive(ids) == set()
    assert Person.objects.filter(case=case).count() == 2  # persons: 180 days after the end

    clock.move_to(END + timedelta(days=180, minutes=1))
    assert retention_run()["oversight.persons"] == 2
    assert not Person.objects.filter(case=case).exists()

    clock.move_to(END + timedelta(days=365, minutes=1))
    retention_run()
    case = Case.objects.get(pk=case.pk)
    assert case.text_reduced_at is not None and "Witness" not in case.evidence and not case.impact_assessment
    assert case.reference and case.status == "approved"  # the row and its facts stay

    # nothing due any more: a further run records nothing (idempotent)
    runs = AuditEvent.objects.filter(event_type="retention.applied").count()
    assert set(retention_run().values()) == {0}
    assert AuditEvent.objects.filter(event_type="retention.applied").count() == runs
    # what went, per rule, stays: counts and identifiers, never content
    by_rule = {(r.rule, r.kind): r.count for r in DeletionRecord.objects.filter(case=case)}
    assert by_rule[("recognition.alerts_rejected", "recognition.Alert")] == 1
    assert by_rule[("recognition.alerts_verified", "recognition.AlertReview")] == 2
    assert by_rule[("oversight.persons", "oversight.Person")] == 2
    for event in AuditEvent.objects.filter(event_type="retention.applied"):
        assert "Looks like" not in event.data and "CROP" not in event.data
    audits_verify_ok()


def test_one_run_is_one_event_with_counts_and_ids_per_rule(activity, clock):
    case, ids = activity
    clock.move_to(END + timedelta(days=31))
    retention_run()
    event = AuditEvent.objects.get(event_type="retention.applied")
    rules = json.loads(event.data)["rules"]
    assert rules["recognition.alerts_rejected"]["kinds"]["recognition.Alert"]["ids"] == [ids["rejected"]]
    assert rules["recognition.alerts_unreviewed"]["kinds"]["recognition.Alert"]["ids"] == [ids["new"]]
    assert rules["recognition.alerts_unreviewed"]["cases"] == [case.pk]


def test_batches_are_bounded_and_the_next_run_takes_the_rest(world, clock):
    case = approved_case(world)
    clock.move_to(AT)
    for n in range(5):
        alert_for(case, n=n)
    clock.move_to(END + timedelta(days=31))
    assert retention_run(batch_size=2)["recognition.alerts_unreviewed"] == 2
    assert retention_run(batch_size=2)["recognition.alerts_unreviewed"] == 2
    assert retention_run(batch_size=2)["recognition.alerts_unreviewed"] == 1
    assert not Alert.objects.exists()


def test_a_restriction_holds_items_out_of_retention_until_lifted(activity, world, clock):
    case, ids = activity
    request = subject_request_record(actor=world.dpo, kind="restriction", subject_name="Jana Novakova")
    items = list(request.items.all())
    for item in items:
        # Restricting the case's record would hold everything of the case (Petr too): the office restricts Jana's.
        if item.target_label == "oversight.Case":
            subject_request_item_decide(actor=world.dpo, item=item, decision="no_action", reasons="Only Jana's data")
        else:
            subject_request_item_decide(actor=world.dpo, item=item, decision="restrict")
    subject_request_carry_out(actor=world.dpo, request=request)
    clock.move_to(END + timedelta(days=400))
    retention_run()
    # Jana is the case's first person: every alert is about her; all held, her person row too
    assert alive(ids) == {"rejected", "verified", "under", "new"}
    assert Person.objects.filter(case=case, full_name="Jana Novakova").exists()
    assert not Person.objects.filter(case=case, full_name="Petr Svoboda").exists()
    person_item = DataSubjectRequestItem.objects.get(request=request, target_label="oversight.Person")
    subject_restriction_lift(actor=world.dpo, item=person_item, reason="The court case is closed.")
    # R17, R19: the reason stays on the item; the event names the item and copies no typed words.
    person_item.refresh_from_db()
    assert person_item.lift_reason == "The court case is closed."
    lifted = AuditEvent.objects.filter(event_type="subject_request.restriction_lifted").latest("seq")
    assert "court case" not in lifted.data and f"oversight.DataSubjectRequestItem:{person_item.pk}" in lifted.data
    retention_run()
    assert alive(ids) == {"rejected", "verified", "under", "new"}  # each alert is restricted in its own right
    for item in request.items.exclude(pk=person_item.pk):
        subject_restriction_lift(actor=world.dpo, item=item, reason="The court case is closed.")
    retention_run()
    assert alive(ids) == set()
    retention_run()  # the person waited for their alerts; the next run takes them
    assert not Person.objects.filter(case=case).exists()


def test_an_open_request_holds_what_it_found(activity, world, clock):
    case, ids = activity
    subject_request_record(actor=world.dpo, kind="access", subject_name="jana  NOVÁKOVÁ")
    clock.move_to(END + timedelta(days=400))
    retention_run()
    assert alive(ids) == {"rejected", "verified", "under", "new"}


def test_the_dry_run_command_changes_nothing_and_ends_with_one_json_line(activity, clock):
    clock.move_to(END + timedelta(days=31))
    out = StringIO()
    call_command("retention_apply", "--dry-run", stdout=out)
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert counts["recognition.alerts_rejected"] == 1 and counts["recognition.alerts_unreviewed"] == 1
    assert Alert.objects.count() == 4
    out = StringIO()
    call_command("retention_apply", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["recognition.alerts_unreviewed"] == 1
    assert Alert.objects.count() == 2


def test_every_period_is_checked_against_its_legal_bounds(settings):
    codes = {rule.code for rule in SCHEDULE}
    assert {
        "recognition.alerts_rejected",
        "recognition.alerts_unreviewed",
        "recognition.alerts_verified",
        "recognition.scans",
        "watchlists.ReferencePhoto",
        "oversight.persons",
        "oversight.case_text",
    } <= codes
    assert not [m for m in checks.run_checks() if m.id.startswith("oversight.E02")]
    settings.RETENTION_VERIFIED_ALERT_DAYS = 5000
    settings.RETENTION_UNDER_REVIEW_MAX_DAYS = 10
    ids = {m.id for m in checks.run_checks()}
    assert {"oversight.E020", "oversight.E021"} <= ids


def test_the_schedule_is_declared_once_and_everything_reads_it(settings, activity):
    """Each rule names a real setting; the command's JSON has exactly one count per rule (plus R9 and the cut)."""
    for rule in SCHEDULE:
        assert isinstance(getattr(settings, rule.setting), int), rule.setting
        assert rule.action in ("delete", "reduce") and rule.minimum <= getattr(settings, rule.setting) <= rule.maximum
    out = StringIO()
    call_command("retention_apply", "--dry-run", stdout=out)
    keys = set(json.loads(out.getvalue().strip().splitlines()[-1]))
    assert keys == {r.code for r in SCHEDULE} | {"oversight.urgency_purge", "audits.trail_cut"}


def test_the_run_also_cuts_the_audit_trail_older_than_its_retention(activity, clock, settings, tmp_path):
    """R18: the same run archives and cuts the trail's due prefix at a signed checkpoint; the rest still verifies."""
    from audits.models import AuditCut
    from audits.services import audit_checkpoint_create

    settings.AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    settings.AUDIT_RETENTION_DAYS = 183
    call_command("audits_keygen", "--if-missing", stdout=StringIO())
    checkpoint = audit_checkpoint_create(actor="test")
    clock.move_to(AT + timedelta(days=200))
    assert retention_due()["audits.trail_cut"] == checkpoint.seq
    counts = retention_run()
    assert counts["audits.trail_cut"] == checkpoint.seq
    assert AuditCut.objects.get().seq_to == checkpoint.seq
    assert not AuditEvent.objects.filter(seq__lte=checkpoint.seq).exists()
    assert audits_verify_ok()
    assert retention_run()["audits.trail_cut"] == 0  # nothing more is due
