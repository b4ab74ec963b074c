"""One shape for CASE_APPROVED whoever decides, and one answer to "when did this case end"."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case
from oversight.selectors import case_ended_at
from tests.oversight.factories import END, NOW, START, approved_case, commission_case, submitted_case, urgent_case

pytestmark = pytest.mark.django_db


def approval_event(case) -> dict:
    return AuditEvent.objects.get(case_ref=case.reference, event_type="case.approved").data_dict


def test_case_approved_has_the_same_keys_after_a_judge_and_after_the_commission(world):
    judged = submitted_case(world)
    services.case_decide(
        actor=world.judge, case=judged, granted=True, reasons="Proportionate.", end=END - timedelta(hours=2)
    )
    voted = commission_case(world)
    for member in world.commission[:3]:
        services.case_vote(
            actor=member, case=voted, granted=True, reasons="Proportionate.", end=END - timedelta(hours=2)
        )

    by_judge, by_commission = approval_event(judged), approval_event(voted)
    assert by_judge.keys() == by_commission.keys()
    assert by_judge["authority"] == "judge" and by_commission["authority"] == "commission"
    assert by_judge["decided_by"] == world.judge.pk and by_commission["decided_by"] == "commission"
    assert by_judge["tally"] is None and by_commission["tally"]["in_favour"] == 3
    # The narrowing is described the same way too.
    expected_end = {"requested": END.isoformat(), "allowed": (END - timedelta(hours=2)).isoformat()}
    assert by_judge["narrowed"] == {"end": expected_end} == by_commission["narrowed"]


def test_case_denied_has_the_same_keys_after_a_judge_and_after_the_commission(world):
    judged = submitted_case(world)
    services.case_decide(actor=world.judge, case=judged, granted=False, reasons="Not necessary.")
    voted = commission_case(world)
    for member in world.commission[:3]:
        services.case_vote(actor=member, case=voted, granted=False, reasons="Not necessary.")
    denied = {
        case.pk: AuditEvent.objects.get(case_ref=case.reference, event_type="case.denied").data_dict
        for case in (judged, voted)
    }
    assert denied[judged.pk].keys() == denied[voted.pk].keys()


def test_a_grant_needs_written_reasons_like_a_refusal(world):
    case = submitted_case(world)
    with pytest.raises(ValidationError) as refused:
        services.case_decide(actor=world.judge, case=case, granted=True, reasons="  ")
    assert "reasons" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_a_revoked_case_ends_at_its_revocation_not_at_its_decision(world, clock):
    case = approved_case(world)
    decided_at = Case.objects.get(pk=case.pk).decided_at
    clock.move_to(START + timedelta(hours=3))
    services.case_revoke(actor=world.judge, case=case, reason="The person was found.")
    case.refresh_from_db()
    assert case_ended_at(case=case, now=START + timedelta(hours=4)) == START + timedelta(hours=3)
    assert case_ended_at(case=case, now=START + timedelta(hours=4)) != decided_at


def test_an_expired_case_ends_at_its_window_end_not_at_its_decision(world, clock):
    case = approved_case(world)
    clock.move_to(END + timedelta(minutes=5))
    services.case_expire_due(now=END + timedelta(minutes=5))
    case.refresh_from_db()
    assert case.status == Case.Status.EXPIRED
    assert case_ended_at(case=case, now=END + timedelta(hours=1)) == END


def test_a_case_past_its_window_has_ended_before_expiry_marks_it(world, clock):
    case = approved_case(world)
    assert case_ended_at(case=case, now=NOW) is None
    assert case_ended_at(case=case, now=END + timedelta(seconds=1)) == END


def test_a_refused_urgent_case_ends_at_the_refusal(world, clock):
    case = urgent_case(world)
    services.case_submit(actor=world.requester, case=case)
    clock.move_to(NOW + timedelta(hours=2))
    services.case_decide(actor=world.judge, case=case, granted=False, reasons="Not justified.")
    case.refresh_from_db()
    assert case_ended_at(case=case, now=NOW + timedelta(hours=3)) == NOW + timedelta(hours=2)


def test_watchlist_destruction_starts_its_clock_at_the_real_end(world, clock, settings):
    """The bug: for an approved then revoked case the clock started at the decision."""
    from office.services.retention import retention_run

    def watchlist_destroy_due(*, now):
        """The retention run's photo rule: the one path that destroys watchlists (R12)."""
        return [case.reference] if retention_run(now=now)["watchlists.ReferencePhoto"] else []

    settings.WATCHLIST_RETENTION_HOURS_AFTER_END = 2
    case = approved_case(world)  # decided at NOW
    clock.move_to(START + timedelta(hours=3))
    services.case_revoke(actor=world.judge, case=case, reason="Found.")
    from oversight.models import Person
    from watchlists.models import ReferencePhoto

    person = Person.objects.filter(case=case).first()
    ReferencePhoto.objects.create(
        person=person, source="s", legal_basis="b", captured_at=NOW.date(), image_format="JPEG", width=1, height=1
    )
    # Two hours after the decision, but only one hour after the revocation: kept.
    assert watchlist_destroy_due(now=START + timedelta(hours=4)) == []
    assert ReferencePhoto.objects.filter(person__case=case).exists()
    assert watchlist_destroy_due(now=START + timedelta(hours=5, minutes=1)) == [case.reference]
