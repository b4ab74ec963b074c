"""Sign-ins, sign-outs and failed sign-ins are recorded (R17)."""

import pytest
from django.urls import reverse

from audits.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_logout_and_failed_login_are_recorded(client, requester):
    response = client.post(reverse("login"), {"username": requester.username, "password": "wrong-password"})
    assert response.status_code == 200
    response = client.post(reverse("login"), {"username": requester.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    events = list(AuditEvent.objects.order_by("seq").values_list("event_type", "actor_label", "actor_id"))
    assert events == [
        ("auth.login_failed", f"attempt:{requester.username}", ""),
        ("auth.login", requester.username, str(requester.pk)),
        ("auth.logout", requester.username, str(requester.pk)),
    ]


def test_failed_login_never_records_the_password(client, requester):
    client.post(reverse("login"), {"username": requester.username, "password": "s3cret-typo"})
    event = AuditEvent.objects.get(event_type="auth.login_failed")
    assert "s3cret-typo" not in event.data and "s3cret-typo" not in event.actor_label


def test_login_page_answers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
