"""Alerts: only people who may see the case see its alerts (others get 404); every view is audited (R17);
two different verifiers make an alert actionable (R14)."""

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


def test_outsider_and_other_requesters_get_404(w, alert, client_for):
    for user in (w.outsider, w.other_unit_requester):
        client = client_for(user)
        assert client.get(f"/alerts/{alert.pk}/").status_code == 404
        assert client.get(f"/alerts/{alert.pk}/crop.jpg").status_code == 404
        assert client.get(f"/api/alerts/{alert.pk}/").status_code == 404
        assert client.get("/api/alerts/").json()["results"] == []
        assert b"No alert matches these filters" in client.get("/alerts/").content
    assert not AuditEvent.objects.filter(event_type="alert.viewed").exists()
    assert client_for(None).get("/alerts/").status_code == 302


def test_requester_judge_and_dpo_see_the_alert_and_each_view_is_audited(w, alert, client_for):
    for user in (w.requester, w.judge, w.dpo, w.verifiers[0]):
        client = client_for(user)
        assert [a["id"] for a in client.get("/api/alerts/").json()["results"]] == [alert.pk]
        assert client.get(f"/alerts/{alert.pk}/").status_code == 200
        crop = client.get(f"/alerts/{alert.pk}/crop.jpg")
        assert crop.status_code == 200 and crop.content == b"\xff\xd8fake-jpeg"
        assert crop["Content-Type"] == "image/jpeg"
    views = AuditEvent.objects.filter(event_type="alert.viewed", target_ref=f"recognition.Alert:{alert.pk}")
    assert views.count() == 8
    assert set(views.values_list("actor_label", flat=True)) == {
        w.requester.username,
        w.judge.username,
        w.dpo.username,
        w.verifiers[0].username,
    }


def test_alert_list_api_query_count_is_fixed(w, alert, client_for, django_assert_max_num_queries):
    client = client_for(w.requester)
    with django_assert_max_num_queries(8):
        assert client.get("/api/alerts/").status_code == 200


def test_two_different_verifiers_make_an_alert_verified_and_nobody_reviews_twice(w, alert, client_for):
    first, second = w.verifiers
    api = client_for(first)
    assert api.post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}).json()["status"] == "new"
    # The same person again: the same verdict is a no-op, a different one is refused.
    assert api.post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}).json()["status"] == "new"
    assert api.post(f"/api/alerts/{alert.pk}/review/", {"verdict": "reject"}).status_code == 400
    # A requester (not a verifier) may not verify.
    assert client_for(w.requester).post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}).status_code == 403
    assert client_for(second).post(f"/api/alerts/{alert.pk}/review/", {"verdict": "confirm"}).json()["status"] == (
        "verified"
    )
    assert AuditEvent.objects.filter(event_type="alert.verified").count() == 2
