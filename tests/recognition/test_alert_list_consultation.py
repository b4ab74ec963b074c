"""R17: /api/alerts/ names the persons found: each answer is one consultation naming the alerts shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditEvent
from recognition import services
from recognition.models import Alert
from tests.recognition.conftest import LIN, START, make_case, person_id
from tests.recognition.test_scan_storage import one_batch


@pytest.fixture
def alert(w, clock):
    case = make_case(w, people=(LIN,))
    clock.move_to(START + timedelta(seconds=5))
    scan = services.scan_start(camera_id=w.cameras[0].pk)
    services.scan_batch_commit(scan_id=scan.pk, batch=one_batch(case, person_id(case, LIN[0]), timezone.now()))
    return Alert.objects.get()


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


def test_each_alert_list_answer_records_exactly_one_consultation(w, alert, client_for):
    client = client_for(w.verifiers[0])
    for _ in range(2):
        response = client.get(reverse("api-alerts-list"), {"limit": 10})
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [alert.pk]
    first, second = events("alert_list.viewed")
    assert first.actor_label == w.verifiers[0].username
    assert first.data_dict == {
        "interface": "api",
        "ids": [alert.pk],
        "count": 1,
        "total": 1,
        "filters": {"limit": "10"},
        "cases": [alert.case.reference],
    }
    assert second.data_dict == first.data_dict
    # The list is not a consultation of each alert's details.
    assert events("alert.viewed") == []


def test_an_alert_list_shows_and_records_nothing_of_others_cases(w, alert, client_for):
    response = client_for(w.other_unit_requester).get(reverse("api-alerts-list"))
    assert response.json()["results"] == []
    [event] = events("alert_list.viewed")
    assert (event.data_dict["ids"], event.data_dict["cases"]) == ([], [])
