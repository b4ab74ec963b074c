"""Data protection office reviewers browse, verify and export; nobody else may."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import AuditEvent
from tests.audits.helpers import disclosure_of, fill_log

pytestmark = pytest.mark.django_db

PAGES = ["audits:event_list", "audits:verify", "audits:export"]


@pytest.mark.parametrize("page", PAGES)
def test_reviewer_sees_the_pages(client_for, dpo, page):
    fill_log(3)
    assert client_for(dpo).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["requester", "judge", "outsider", "platform_admin"])
def test_other_roles_are_refused(client_for, request, page, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(reverse(page)).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("audits:event_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_browsing_filters_and_is_itself_recorded(client_for, dpo):
    fill_log(30)
    response = client_for(dpo).get(reverse("audits:event_list"), {"case_ref": "FR-2026-0003"})
    assert response.status_code == 200
    shown = [e.case_ref for e in response.context["page"]]
    assert shown and set(shown) == {"FR-2026-0003"}
    consulted = AuditEvent.objects.filter(event_type="audit.viewed").get()
    assert consulted.actor_label == dpo.username
    assert json.loads(consulted.data)["filters"] == {"case_ref": "FR-2026-0003"}


def test_bad_date_range_is_refused_with_a_message(client_for, dpo):
    response = client_for(dpo).get(
        reverse("audits:event_list"), {"since": "2026-11-28 10:00", "until": "2026-11-27 10:00"}
    )
    assert response.status_code == 200
    assert "must be later than" in response.content.decode()


def test_export_records_the_disclosure_before_the_data(client_for, dpo):
    fill_log(12)
    response = client_for(dpo).post(
        reverse("audits:export"),
        {"justification": "Annual review", "recipients": "DPO board", "format": "csv", "case_ref": "FR-2026-0001"},
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("seq,occurred_at,event_type")
    assert len(lines) == 1 + AuditEvent.objects.filter(case_ref="FR-2026-0001").count()
    disclosure = AuditEvent.objects.get(event_type="audit.exported")
    data = json.loads(disclosure.data)
    typed = disclosure_of(disclosure)
    assert (typed.justification, typed.recipients, data["rows"]) == ("Annual review", "DPO board", 1)
    assert "Annual review" not in disclosure.data


def test_export_without_justification_is_refused_and_not_recorded(client_for, dpo):
    response = client_for(dpo).post(reverse("audits:export"), {"recipients": "x", "format": "csv"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event_type="audit.exported").exists()


def test_export_requires_csrf_token(dpo):
    c = Client(enforce_csrf_checks=True)
    c.force_login(dpo)
    response = c.post(reverse("audits:export"), {"justification": "x", "recipients": "y", "format": "csv"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(event_type="audit.exported").exists()


def test_verify_page_reports_intact_chain(client_for, dpo):
    fill_log(5)
    response = client_for(dpo).get(reverse("audits:verify"))  # signing in adds an auth.login event
    assert response.context["result"].ok
    assert f"Intact: {AuditEvent.objects.count()} events" in response.content.decode()


def test_api_lists_events_for_reviewer_only(client_for, dpo, outsider):
    fill_log(3)
    response = client_for(dpo).get("/api/audits/events/", {"event_type": "case"})
    assert response.status_code == 200
    assert [e["seq"] for e in response.json()["results"]] == [3, 2, 1]
    assert response.json()["results"][0]["data"] == {"i": 2, "note": "čeština ✓", "via": "test"}
    assert client_for(outsider).get("/api/audits/events/").status_code == 403
    assert client_for(dpo).get("/api/audits/verify/").json()["ok"] is True


def test_a_superuser_reads_no_trail_and_no_case_by_being_a_superuser(client_for, roles, requester):
    from django.contrib.auth import get_user_model

    from tests.watchlists.factories import draft_case

    admin = get_user_model().objects.create_superuser("root", password="x" * 12)
    case = draft_case(requester)
    fill_log(2)
    c = client_for(admin)
    assert c.get("/admin/").status_code == 200  # accounts are theirs to administer
    for path in ("/admin/audits/auditevent/", "/admin/audits/auditevent/add/", "/audits/", "/api/audits/events/"):
        assert c.get(path).status_code in (403, 404), path
    assert c.post("/admin/audits/auditevent/1/delete/", {"post": "yes"}).status_code in (403, 404)
    assert c.get(f"/cases/{case.pk}/").status_code == 404
    assert c.get("/api/cases/").json()["count"] == 0
    assert not AuditEvent.objects.filter(actor_label="root", event_type__in=["case.viewed", "audit.viewed"]).exists()


def test_reading_the_trail_through_the_api_is_recorded_like_the_page(client_for, dpo, outsider):
    fill_log(3)
    client_for(dpo).get("/api/audits/events/", {"event_type": "case"})
    viewed = AuditEvent.objects.filter(event_type="audit.viewed").get()
    assert viewed.actor_label == dpo.username
    assert viewed.data_dict == {
        "interface": "api",
        "filters": {"event_type": "case"},
        "cursor": False,
        "seqs": [3, 1],
        "count": 3,
    }
    client_for(outsider).get("/api/audits/events/")  # refused: nothing shown, nothing recorded
    assert AuditEvent.objects.filter(event_type="audit.viewed").count() == 1
