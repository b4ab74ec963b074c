"""R17: a list that names cases is one consultation per answer, naming the cases shown, the page and the count."""

import pytest
from django.urls import reverse

from audits.models import AuditEvent
from tests.oversight.factories import submitted_case

pytestmark = pytest.mark.django_db


def list_events():
    return list(AuditEvent.objects.filter(event_type="case_list.viewed").order_by("seq"))


def test_each_api_list_answer_records_one_consultation_naming_the_cases_shown(world, client_for):
    cases = [submitted_case(world) for _ in range(3)]
    client = client_for(world.dpo)
    response = client.get(reverse("api-cases-list"), {"limit": 2})
    assert response.status_code == 200
    shown = [row["id"] for row in response.json()["results"]]
    [event] = list_events()
    assert event.actor_label == world.dpo.username
    assert event.data_dict == {
        "interface": "api",
        "ids": shown,
        "count": 2,
        "total": 3,
        "filters": {"limit": "2"},
        "cases": sorted(c.reference for c in cases if c.pk in shown),
    }
    client.get(reverse("api-cases-list"), {"limit": 2, "offset": 2})
    assert len(list_events()) == 2
    assert list_events()[-1].data_dict["ids"] == [cases[0].pk]


def test_a_list_records_only_what_the_user_may_see(world, client_for):
    submitted_case(world)
    response = client_for(world.outsider).get(reverse("api-cases-list"))
    assert response.json()["count"] == 0
    [event] = list_events()
    assert (event.actor_label, event.data_dict["ids"], event.data_dict["count"]) == (world.outsider.username, [], 0)


def test_the_list_records_no_consultation_of_any_case_detail(world, client_for):
    submitted_case(world)
    client_for(world.judge).get(reverse("api-cases-list"))
    assert not AuditEvent.objects.filter(event_type="case.viewed").exists()


def test_a_refused_list_records_nothing(client):
    assert client.get(reverse("api-cases-list")).status_code == 403
    assert list_events() == []
