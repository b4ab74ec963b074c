"""R6: the commission decides by quorum and majority (settings COMMISSION_QUORUM, COMMISSION_MAJORITY)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case, Vote
from tests.oversight.factories import END, START, commission_case, draft_case

pytestmark = pytest.mark.django_db


def vote(member, case, granted, **scope):
    return services.case_vote(
        actor=member, case=case, granted=granted, reasons="Proportionate." if granted else "Not proportionate.", **scope
    )


def status(case):
    return Case.objects.get(pk=case.pk).status


def cast(world, case, ballots):
    for member, granted in zip(world.commission, ballots, strict=False):
        vote(member, case, granted)
    return status(case)


@pytest.mark.parametrize(
    ("ballots", "outcome"),
    [
        ([True, True, True], Case.Status.APPROVED),
        ([True, True, False], Case.Status.APPROVED),
        ([True, False, False], Case.Status.DENIED),
        ([False, False, False], Case.Status.DENIED),
    ],
)
def test_default_quorum_of_three_and_simple_majority(world, ballots, outcome):
    case = commission_case(world)
    vote(world.commission[0], case, ballots[0])
    vote(world.commission[1], case, ballots[1])
    assert status(case) == Case.Status.SUBMITTED  # below the quorum nothing is decided
    vote(world.commission[2], case, ballots[2])
    assert status(case) == outcome


def test_a_tie_is_not_a_majority(world, settings):
    settings.COMMISSION_QUORUM = 4
    case = commission_case(world)
    assert cast(world, case, [True, True, False, False]) == Case.Status.DENIED


def test_a_change_of_setting_applies_to_the_next_tally(world, settings):
    settings.COMMISSION_QUORUM = 4
    case = commission_case(world)
    assert cast(world, case, [True, True, True]) == Case.Status.SUBMITTED  # 3 votes: below the new quorum
    vote(world.commission[3], case, False)
    assert status(case) == Case.Status.APPROVED  # 3 of 4 > 1/2

    settings.COMMISSION_MAJORITY = 0.75  # now strictly more than three quarters are needed
    other = commission_case(world)
    assert cast(world, other, [True, True, True, False]) == Case.Status.DENIED


def test_the_approval_takes_the_strictest_scope_of_the_favourable_votes(world):
    case = commission_case(world)
    persons = list(case.persons.order_by("id").values_list("id", flat=True))
    cams = [world.cameras[0].pk, world.cameras[1].pk]
    vote(world.commission[0], case, True, start=START + timedelta(hours=2), threshold=0.5)
    vote(world.commission[1], case, True, end=END - timedelta(hours=3), person_ids=persons[:1])
    vote(world.commission[2], case, False)  # a vote against does not shape the scope
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert case.approved_start == START + timedelta(hours=2)
    assert case.approved_end == END - timedelta(hours=3)
    assert case.approved_threshold == 0.5
    assert list(case.persons.filter(in_scope=True).values_list("id", flat=True)) == persons[:1]
    assert sorted(case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True)) == cams
    approved = AuditEvent.objects.filter(event_type="case.approved").get()
    assert approved.actor_label == "commission"
    assert {k: approved.data_dict["tally"][k] for k in ("votes", "in_favour", "against")} == {
        "votes": 3,
        "in_favour": 2,
        "against": 1,
    }
    assert approved.data_dict["narrowed"]["persons_excluded"] == persons[1:]
    assert AuditEvent.objects.filter(event_type="case.vote_cast").count() == 3


def test_favourable_votes_with_no_common_scope_deny(world):
    case = commission_case(world)
    persons = list(case.persons.order_by("id").values_list("id", flat=True))
    vote(world.commission[0], case, True, person_ids=persons[:1])
    vote(world.commission[1], case, True, person_ids=persons[1:])
    vote(world.commission[2], case, True, person_ids=persons[:1])
    assert status(case) == Case.Status.DENIED
    assert AuditEvent.objects.filter(event_type="case.denied").get().data_dict["why"] == "no common scope"


def test_voting_twice_the_same_way_changes_nothing_and_a_vote_is_final(world):
    case = commission_case(world)
    vote(world.commission[0], case, True)
    before = AuditEvent.objects.count()
    vote(world.commission[0], case, True)
    assert AuditEvent.objects.count() == before and Vote.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        vote(world.commission[0], case, False)
    assert "granted" in refused.value.message_dict
    assert Vote.objects.get().granted is True


def test_no_vote_after_the_decision(world):
    case = commission_case(world)
    cast(world, case, [True, True, True])
    with pytest.raises(ValidationError) as refused:
        vote(world.commission[3], case, True)
    assert "status" in refused.value.message_dict
    assert Vote.objects.count() == 3


def test_a_vote_against_needs_reasons(world):
    case = commission_case(world)
    with pytest.raises(ValidationError) as refused:
        services.case_vote(actor=world.commission[0], case=case, granted=False, reasons=" ")
    assert "reasons" in refused.value.message_dict
    assert not Vote.objects.exists()


def test_only_commission_members_vote_and_judges_do_not(world):
    case = commission_case(world)
    for outsider in (world.judge, world.dpo, world.colleague, world.platform_admin):
        with pytest.raises(PermissionDenied):
            vote(outsider, case, True)
    judge_case = draft_case(world.requester, world.cameras, judge=world.judge)
    services.case_submit(actor=world.requester, case=judge_case)
    with pytest.raises(PermissionDenied):
        vote(world.commission[0], judge_case, True)
    assert not Vote.objects.exists()


def test_a_commission_too_small_for_the_quorum_cannot_receive_a_case(world, settings):
    settings.COMMISSION_QUORUM = 6  # five members exist
    case = draft_case(world.requester, world.cameras, authority="commission")
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    assert "authority" in refused.value.message_dict
    assert status(case) == Case.Status.DRAFT


def test_each_member_gets_the_case_at_submission(world):
    case = commission_case(world)
    for member in world.commission:
        assert member.has_perm("oversight.vote_case", case) and member.has_perm("oversight.view_case", case)
    submitted = AuditEvent.objects.filter(event_type="case.submitted").get()
    assert submitted.data_dict["commission_members"] == [m.pk for m in world.commission]
