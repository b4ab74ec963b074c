"""A case cannot be submitted or started while a person has no ready reference face (R3)."""

import pytest
from django.core.exceptions import ValidationError

from oversight import registry, services
from oversight.models import Case
from tests.oversight.factories import NOW, draft_case
from watchlists import selectors as watchlist_selectors
from watchlists.selectors import case_reference_face_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_person_not_ready(monkeypatch):
    def missing(*, case):
        return list(case.persons.order_by("id")[:1])

    # The real check watchlists registers with oversight, over a stand-in for photo readiness.
    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", case_reference_face_errors)
    monkeypatch.setattr(watchlist_selectors, "persons_without_ready_reference", missing)


def test_submission_is_refused_naming_the_persons(world, first_person_not_ready):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    first = case.persons.order_by("id").first()
    assert f"still missing for: {first.full_name}." in " ".join(refused.value.message_dict["persons"])
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_an_urgent_start_is_refused_too(world, first_person_not_ready):
    case = draft_case(world.requester, world.cameras, judge=world.judge, start=NOW)
    with pytest.raises(ValidationError) as refused:
        services.case_start_urgent(actor=world.requester, case=case, urgency_reason="Imminent.")
    assert "persons" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT
