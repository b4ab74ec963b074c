"""After two people verify an alert, a verifier records what happened (no action, engaged, arrested, other)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
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


def test_an_outcome_needs_a_verified_alert_and_a_verifier(w, alert):
    first, second = w.verifiers
    with pytest.raises(ValidationError):
        services.alert_record_outcome(actor=first, alert=alert, outcome="arrested")
    services.alert_review(actor=first, alert=alert, verdict="confirm")
    services.alert_review(actor=second, alert=alert, verdict="confirm")
    for user in (w.requester, w.judge, w.dpo, w.outsider):
        with pytest.raises(PermissionDenied):
            services.alert_record_outcome(actor=user, alert=alert, outcome="arrested")
    with pytest.raises(ValidationError) as exc:
        services.alert_record_outcome(actor=first, alert=alert, outcome="other")
    assert "note" in exc.value.message_dict
    services.alert_record_outcome(actor=second, alert=alert, outcome="engaged")
    services.alert_record_outcome(actor=second, alert=alert, outcome="engaged")
    alert.refresh_from_db()
    assert (alert.outcome, alert.outcome_recorded_by) == ("engaged", second)
    events = AuditEvent.objects.filter(event_type="alert.outcome_recorded")
    assert [e.data_dict["to"] for e in events] == ["engaged"]


def test_the_outcome_through_the_page_and_the_api(w, alert, client_for):
    first, second = w.verifiers
    services.alert_review(actor=first, alert=alert, verdict="confirm")
    services.alert_review(actor=second, alert=alert, verdict="confirm")
    page = client_for(first)
    assert "Record outcome" in page.get(f"/alerts/{alert.pk}/").content.decode()
    assert page.post(f"/alerts/{alert.pk}/outcome/", {"outcome": "arrested"}).status_code == 302
    assert Alert.objects.get().outcome == "arrested"
    api = client_for(second)
    response = api.post(f"/api/alerts/{alert.pk}/outcome/", {"outcome": "no_action"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["outcome"] == "no_action"
    assert client_for(w.outsider).post(f"/api/alerts/{alert.pk}/outcome/", {"outcome": "other"}).status_code == 404
    assert (
        client_for(w.requester)
        .post(f"/api/alerts/{alert.pk}/outcome/", {"outcome": "other"}, content_type="application/json")
        .status_code
        == 403
    )


def test_the_outcome_form_preselects_nothing_and_the_page_says_who_recorded_it(w, alert, client_for):
    first, second = w.verifiers
    services.alert_review(actor=first, alert=alert, verdict="confirm")
    services.alert_review(actor=second, alert=alert, verdict="confirm")
    client = client_for(first)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    form = page.split('<select id="outcome"')[1].split("</select>")[0]
    assert form.count(" selected") == 1 and '<option value="" selected>' in form
    answer = client.post(f"/alerts/{alert.pk}/outcome/", {"outcome": ""}, follow=True).content.decode()
    assert "Choose no action, engaged, arrested or other." in answer
    alert.refresh_from_db()
    assert alert.outcome == "" and alert.outcome_recorded_by is None  # nothing half-written
    client.post(f"/alerts/{alert.pk}/outcome/", {"outcome": "engaged"})
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "recorded by verifier_1," in page
