"""The verification screen: reference photos beside the crop for verifiers, one consultation per visit, filters and
pages on the alert list, the queue of alerts awaiting a verifier (R14, R17)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import AuditEvent
from oversight.models import Case
from recognition import services
from recognition.models import Alert
from tests.recognition.conftest import LIN, START, make_case, person_id
from tests.recognition.test_scan_storage import one_batch


@pytest.fixture
def alerts(w, clock):
    """Three sightings of Lin-Manuel, 10 seconds apart (each its own alert)."""
    case = make_case(w, people=(LIN,))
    clock.move_to(START + timedelta(seconds=40))
    scan = services.scan_start(camera_id=w.cameras[0].pk)
    for i in range(3):
        at = START + timedelta(seconds=5 + 10 * i)
        services.scan_batch_commit(scan_id=scan.pk, batch=one_batch(case, person_id(case, LIN[0]), at))
    return list(Alert.objects.order_by("captured_at"))


def consultations():
    return AuditEvent.objects.filter(event_type__in=["alert.viewed", "photo.viewed", "alert_list.viewed"]).count()


def test_a_visit_with_its_images_is_one_consultation_naming_the_reference_photos(w, alerts, client_for):
    verifier = client_for(w.verifiers[0])
    before = consultations()
    page = verifier.get(f"/alerts/{alerts[0].pk}/").content.decode()
    images = re.findall(r'<img class="(?:crop|reference)" src="([^"]+)"', page)
    assert len(images) >= 2  # the crop and at least one reference photo
    for url in images:
        response = verifier.get(url.replace("&amp;", "&"))
        assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    assert consultations() == before + 1
    event = AuditEvent.objects.filter(event_type="alert.viewed").latest("seq")
    assert event.data_dict["reference_photos"] and "1 of 2" not in page  # nobody confirmed yet
    assert "0 of 2 confirmations" in page
    # Without the page's token (an image opened on its own) the fetch is recorded.
    verifier.get(f"/alerts/{alerts[0].pk}/crop.jpg")
    assert consultations() == before + 2


def test_an_image_token_serves_once_in_its_session_and_never_after_sign_out(w, alerts, client_for):
    verifier = client_for(w.verifiers[0])
    page = verifier.get(f"/alerts/{alerts[0].pk}/").content.decode()
    crop = re.findall(r'<img class="crop" src="([^"]+)"', page)[0].replace("&amp;", "&")
    before = consultations()
    assert verifier.get(crop).status_code == 200
    assert consultations() == before  # the page's consultation covers this serving
    assert verifier.get(crop).status_code == 200
    assert consultations() == before + 1  # served again: a consultation of its own
    # Signed out and in again (a later session of the same person): the old URL is recorded anew.
    verifier.post("/accounts/logout/")
    later = client_for(w.verifiers[0])
    assert later.get(crop).status_code == 200
    assert consultations() == before + 2
    assert AuditEvent.objects.filter(event_type="alert.viewed").latest("seq").data_dict.get("part") == "crop"


def test_reference_photos_are_for_verifiers_only(w, alerts, client_for):
    photo = alerts[0].person.photos.first()
    for user in (w.requester, w.dpo, w.outsider):
        response = client_for(user).get(f"/alerts/{alerts[0].pk}/reference/{photo.pk}/")
        assert response.status_code == 404


def test_confirmations_are_counted_and_the_queue_moves_on(w, alerts, client_for):
    first, second = w.verifiers
    client = client_for(first)
    page = client.get(f"/alerts/{alerts[1].pk}/").content.decode()
    assert f'href="/alerts/{alerts[0].pk}/" id="previous-alert"' in page
    assert f'href="/alerts/{alerts[2].pk}/" id="next-alert"' in page
    services.alert_review(actor=first, alert=alerts[1], verdict="confirm")
    assert "1 of 2 confirmations" in client_for(second).get(f"/alerts/{alerts[1].pk}/").content.decode()
    # Reviewed by me: no longer awaiting me, still awaiting the other verifier.
    mine = client.get("/alerts/?awaiting=1").content.decode()
    assert f"/alerts/{alerts[1].pk}/" not in mine and f"/alerts/{alerts[0].pk}/" in mine
    assert f"/alerts/{alerts[1].pk}/" in client_for(second).get("/alerts/?awaiting=1").content.decode()


def test_the_list_filters_pages_and_records_one_consultation_per_request(w, alerts, client_for, settings):
    client = client_for(w.dpo)
    before = AuditEvent.objects.filter(event_type="alert_list.viewed").count()
    listing = client.get("/alerts/").content.decode()
    assert all(f"/alerts/{a.pk}/" in listing for a in alerts)
    services.alert_review(actor=w.verifiers[0], alert=alerts[0], verdict="reject", note="Not him.")
    rejected = client.get("/alerts/?status=rejected").content.decode()
    assert f"/alerts/{alerts[0].pk}/" in rejected and f"/alerts/{alerts[1].pk}/" not in rejected
    assert f"/alerts/{alerts[1].pk}/" not in client.get("/alerts/?case=FR-1999-0001").content.decode()
    assert AuditEvent.objects.filter(event_type="alert_list.viewed").count() == before + 3
    listed = AuditEvent.objects.filter(event_type="alert_list.viewed").latest("seq").data_dict
    assert listed["ids"] == [] and listed["filters"] == {"case": "FR-1999-0001"}


def test_a_page_of_25(w, alerts, client_for, monkeypatch):
    from recognition import views

    monkeypatch.setattr(views, "ALERTS_PER_PAGE", 2)
    client = client_for(w.dpo)
    first = client.get("/alerts/?sort=oldest").content.decode()
    assert "Page 1 of 2" in first and f"/alerts/{alerts[2].pk}/" not in first
    second = client.get("/alerts/?sort=oldest&page=2").content.decode()
    assert f"/alerts/{alerts[2].pk}/" in second and timezone.now()


def test_each_review_names_what_it_recorded_and_lands_on_the_next_sighting_waiting(w, alerts, client_for):
    """One step per decision: the verdict is recorded and the verifier is on the next sighting of their queue."""
    first, second = w.verifiers
    one, two = client_for(first), client_for(second)
    answer = one.post(f"/alerts/{alerts[1].pk}/review/", {"verdict": "confirm"})
    assert answer.status_code == 302 and answer["Location"] == f"/alerts/{alerts[0].pk}/"  # the oldest waiting
    page = one.get(answer["Location"]).content.decode()
    assert (
        f"Alert {alerts[1].pk} (Lin-Manuel Miranda on {w.cameras[0].name}): your confirmation is recorded; "
        "a second verifier must confirm it before anyone acts."
    ) in page
    assert "2 alerts wait for you" in page
    heading = one.get(f"/alerts/{alerts[1].pk}/").content.decode()
    assert '<span class="status status-new">Awaiting verification: 1 of 2 confirmations</span>' in heading
    answer = two.post(f"/alerts/{alerts[1].pk}/review/", {"verdict": "confirm"}, follow=True)
    assert "two people have now verified it." in answer.content.decode()
    verified = two.get(f"/alerts/{alerts[1].pk}/").content.decode()
    assert '<span class="status status-verified">Verified by two people</span>' in verified
    assert "verified by verifier_1, verifier_2" in verified
    page = one.post(f"/alerts/{alerts[2].pk}/review/", {"verdict": "reject"}, follow=True).content.decode()
    assert "your rejection is recorded; it is closed as not this person and nobody acts on it." in page
    rejected = one.get(f"/alerts/{alerts[2].pk}/").content.decode()
    assert '<span class="status status-rejected">' in rejected
    assert "rejected as not this person by verifier_1: nobody acts on it" in rejected
    assert "None: the sighting was rejected as not this person" in rejected
    assert "Recorded once two people have verified" not in rejected
    # A refused review says why, claims nothing, and stays on the sighting.
    answer = one.post(f"/alerts/{alerts[1].pk}/review/", {"verdict": "reject"})
    assert answer["Location"] == f"/alerts/{alerts[1].pk}/"
    page = one.get(answer["Location"]).content.decode()
    assert "You have already reviewed this alert" in page and "is recorded" not in page


def test_the_last_review_of_the_queue_lands_on_the_list_saying_nothing_else_waits(w, alerts, client_for):
    client = client_for(w.verifiers[0])
    for alert in alerts[:2]:
        services.alert_review(actor=w.verifiers[0], alert=alert, verdict="reject")
    answer = client.post(f"/alerts/{alerts[2].pk}/review/", {"verdict": "confirm"})
    assert answer["Location"] == "/alerts/?awaiting=1"
    page = client.get(answer["Location"]).content.decode()
    assert "No other alert is waiting for you." in page
    assert "No alert waits for your verification." in page


def test_the_queue_puts_urgent_cases_first_then_the_oldest_and_keeps_the_verifiers_filter(w, alerts, client_for, clock):
    """An urgent case's sighting, newer than all three, still comes first (R9)."""
    case = alerts[0].case
    other = make_case(w, people=(LIN,), cameras=[w.cameras[1]])
    Case.objects.filter(pk=other.pk).update(is_urgent=True, urgency_reason="Imminent threat.", urgent_started_at=START)
    scan = services.scan_start(camera_id=w.cameras[1].pk)
    services.scan_batch_commit(
        scan_id=scan.pk, batch=one_batch(other, person_id(other, LIN[0]), START + timedelta(seconds=35))
    )
    newest = Alert.objects.get(case=other)
    client = client_for(w.verifiers[0])
    listing = client.get("/alerts/?awaiting=1").content.decode()
    order = [int(pk) for pk in re.findall(r'href="/alerts/(\d+)/"', listing)]
    assert order == [newest.pk] + [a.pk for a in alerts]
    # Filtered to the first case, a review lands on the next sighting of that case only.
    answer = client.post(f"/alerts/{alerts[0].pk}/review/", {"verdict": "confirm", "case": case.reference})
    assert answer["Location"] == f"/alerts/{alerts[1].pk}/?case={case.reference}"
    page = client.get(answer["Location"]).content.decode()
    assert f'name="case" value="{case.reference}"' in page and "2 alerts wait for you" in page
    answer = client.post(f"/alerts/{alerts[1].pk}/review/", {"verdict": "confirm", "camera": w.cameras[1].pk})
    assert answer["Location"] == f"/alerts/{newest.pk}/?camera={w.cameras[1].pk}"
