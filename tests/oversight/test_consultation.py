"""R17: every view of a case's details is recorded: who, which case, through which interface, on what basis."""

import pytest
from django.urls import reverse

from audits.models import AuditEvent
from tests.oversight.factories import submitted_case

pytestmark = pytest.mark.django_db


def viewed():
    return list(AuditEvent.objects.filter(event_type="case.viewed").order_by("seq"))


def test_the_api_detail_is_recorded(world, client_for):
    case = submitted_case(world)
    response = client_for(world.judge).get(reverse("api-cases-detail", args=[case.pk]))
    assert response.status_code == 200
    assert response.json()["reference"] == case.reference
    [event] = viewed()
    assert (event.actor_label, event.case_ref) == (world.judge.username, case.reference)
    assert event.data_dict == {"interface": "api", "part": "details", "access": "judge"}


def test_the_page_detail_is_recorded(world, client_for):
    case = submitted_case(world)
    client_for(world.dpo).get(reverse("oversight:case_detail", args=[case.pk]))
    client_for(world.requester).get(reverse("oversight:case_detail", args=[case.pk]))
    assert [(e.actor_label, e.data_dict["interface"], e.data_dict["access"]) for e in viewed()] == [
        (world.dpo.username, "page", "data_protection_review"),
        (world.requester.username, "page", "requester"),
    ]


def test_the_impact_assessment_download_is_recorded(world, client_for):
    case = submitted_case(world)
    response = client_for(world.judge).get(reverse("oversight:case_impact_assessment", args=[case.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert viewed()[-1].data_dict["part"] == "impact_assessment"


def test_refused_views_record_no_consultation(world, client_for):
    case = submitted_case(world)
    assert client_for(world.outsider).get(reverse("api-cases-detail", args=[case.pk])).status_code == 404
    assert client_for(world.second_judge).get(reverse("oversight:case_detail", args=[case.pk])).status_code == 404
    assert viewed() == []


def test_lists_are_not_consultations_of_details(world, client_for):
    submitted_case(world)
    client_for(world.dpo).get(reverse("api-cases-list"))
    client_for(world.dpo).get(reverse("oversight:case_list"))
    assert viewed() == []
