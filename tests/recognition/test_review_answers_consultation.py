"""The API's answers to a review and to an outcome name the person found, as a detail answer does: each is one
consultation (R17), recorded like the detail API's; a refused review answers without the name and records none."""

from datetime import timedelta

import pytest
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


def _views(alert, user):
    return list(
        AuditEvent.objects.filter(
            event_type="alert.viewed", target_ref=f"recognition.Alert:{alert.pk}", actor_label=user.username
        ).order_by("seq")
    )


def test_each_review_answer_records_one_consultation_as_the_detail_api_does(w, alert, client_for):
    first = w.verifiers[0]
    api = client_for(first)
    answer = api.post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["person_name"] == LIN[0]
    [view] = _views(alert, first)
    assert view.case_ref == alert.case.reference
    assert api.get(f"/api/alerts/{alert.pk}/").status_code == 200
    review_view, detail_view = _views(alert, first)
    assert (
        review_view.data_dict
        == detail_view.data_dict
        == {
            "part": "details",
            "interface": "api",
            "access_basis": "alert_verifier",
        }
    )
    # Confirming again is a no-op, but the answer names the person again: one more consultation.
    api.post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}, content_type="application/json")
    assert len(_views(alert, first)) == 3


def test_a_refused_review_names_nobody_and_records_no_consultation(w, alert, client_for):
    first = w.verifiers[0]
    services.alert_review(actor=first, alert=alert, verdict="confirm")
    answer = client_for(first).post(
        f"/api/alerts/{alert.pk}/review/", {"verdict": "reject"}, content_type="application/json"
    )
    assert answer.status_code == 400 and LIN[0] not in answer.content.decode()
    assert _views(alert, first) == []
    assert client_for(w.requester).post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}).status_code == 403
    assert _views(alert, w.requester) == []


def test_each_outcome_answer_records_one_consultation(w, alert, client_for):
    first, second = w.verifiers
    services.alert_review(actor=first, alert=alert, verdict="confirm")
    services.alert_review(actor=second, alert=alert, verdict="confirm")
    answer = client_for(second).post(
        f"/api/alerts/{alert.pk}/outcome/", {"outcome": "no_action"}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["person_name"] == LIN[0]
    [view] = _views(alert, second)
    assert view.data_dict == {"part": "details", "interface": "api", "access_basis": "alert_verifier"}
    refused = client_for(second).post(
        f"/api/alerts/{alert.pk}/outcome/", {"outcome": "other"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert len(_views(alert, second)) == 1
