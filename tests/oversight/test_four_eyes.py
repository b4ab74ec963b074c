"""R7: nobody decides or votes on a case they requested: service, API, page, and the database itself."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from guardian.shortcuts import assign_perm

from oversight import services
from oversight.models import Case, Decision, Vote
from oversight.roles import Role
from tests.oversight.factories import commission_case, draft_case, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def requesting_judge(world):
    """A requester who also holds the judge role: the dangerous combination."""
    world.requester.groups.add(Group.objects.get(name=Role.JUDGE))
    return world.requester


def test_a_requester_cannot_name_themselves_as_judge(world, requesting_judge):
    with pytest.raises(ValidationError) as refused:
        draft_case(requesting_judge, world.cameras, judge=requesting_judge)
    assert "assigned_judge" in refused.value.message_dict
    assert not Case.objects.exists()


def test_service_refuses_the_requester_even_holding_the_decide_permission(world, requesting_judge):
    case = submitted_case(world)
    assign_perm("decide_case", requesting_judge, case)  # as if granted by mistake
    with pytest.raises(PermissionDenied, match="R7"):
        services.case_decide(
            actor=requesting_judge, case=case, granted=True, reasons="Necessary and proportionate for this search."
        )
    assert not Decision.objects.exists()
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_a_requester_on_the_commission_gets_no_vote(world):
    world.requester.groups.add(Group.objects.get(name=Role.COMMISSION_MEMBER))
    case = commission_case(world)
    assert "vote_case" not in case.requester.get_all_permissions(case)
    assign_perm("vote_case", world.requester, case)  # as if granted by mistake
    with pytest.raises(PermissionDenied, match="R7"):
        services.case_vote(
            actor=world.requester, case=case, granted=True, reasons="Necessary and proportionate for this search."
        )
    assert not Vote.objects.exists()


def test_the_requester_is_refused_through_the_api(world, client_for, requesting_judge):
    case = submitted_case(world)
    assign_perm("decide_case", requesting_judge, case)
    response = client_for(requesting_judge).post(
        reverse("api-cases-decide", args=[case.pk]),
        {"granted": True, "reasons": "Necessary and proportionate for this search."},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "R7" in response.json()["detail"]
    assert not Decision.objects.exists()


def test_the_requester_is_refused_through_the_page(world, client_for, requesting_judge):
    case = submitted_case(world)
    assign_perm("decide_case", requesting_judge, case)
    client = client_for(requesting_judge)
    assert client.get(reverse("oversight:case_decide", args=[case.pk])).status_code == 403
    response = client.post(
        reverse("oversight:case_decide", args=[case.pk]),
        {
            "granted": "yes",
            "reasons": "Necessary and proportionate for this search.",
            "start": "2026-03-02T09:00",
            "end": "2026-03-03T09:00",
            "threshold": "0.5",
        },
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def _insert(model, **values):
    with transaction.atomic():
        model.objects.create(**values)


def test_the_database_refuses_a_decision_by_the_requester(world):
    case = submitted_case(world)
    with pytest.raises(IntegrityError, match="decision_not_by_requester"):
        _insert(Decision, case=case, decided_by=world.requester, requester=world.requester, granted=False, reasons="x")


def test_the_database_refuses_a_vote_by_the_requester(world):
    case = commission_case(world)
    with pytest.raises(IntegrityError, match="vote_not_by_requester"):
        _insert(Vote, case=case, member=world.requester, requester=world.requester, granted=False, reasons="x")


def test_the_database_refuses_a_forged_requester_copy(world):
    """The requester column cannot be filled with someone else to slip past the check (composite key)."""
    case = submitted_case(world)
    with pytest.raises(IntegrityError, match="decision_requester_is_case_requester"):
        _insert(Decision, case=case, decided_by=world.requester, requester=world.judge, granted=False, reasons="x")
    case = commission_case(world)
    with pytest.raises(IntegrityError, match="vote_requester_is_case_requester"):
        _insert(Vote, case=case, member=world.requester, requester=world.judge, granted=False, reasons="x")


def test_the_database_refuses_a_case_judged_by_its_requester(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    with pytest.raises(IntegrityError, match="case_judge_not_requester"):
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(assigned_judge=world.requester)
