"""Sessions end after a while without activity, and some hours after signing in whatever happens."""

import json
from datetime import timedelta

import pytest

from audits.models import AuditEvent
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _timeouts(settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = 10


def test_thirty_minutes_without_a_request_end_the_session(client, requester, clock):
    sign_in(client, requester)
    clock.shift(timedelta(minutes=29))
    assert client.get("/cases/").status_code == 200
    clock.shift(timedelta(minutes=29))  # active 29 minutes ago: still in
    assert client.get("/cases/").status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/cases/").status_code == 403
    page = client.get(response["Location"]).content.decode()
    assert "signed out after a period without activity" in page
    event = AuditEvent.objects.get(event_type="auth.session_expired")
    assert event.actor_label == requester.username and json.loads(event.data)["reason"] == "idle"
    assert not AuditEvent.objects.filter(event_type="auth.logout").exists()


def test_ten_hours_after_signing_in_the_session_ends_however_active(client, requester, clock):
    sign_in(client, requester)
    for _ in range(20):  # a request every 29 min 59 s: never idle, 9 h 59 min 40 s in all
        clock.shift(timedelta(minutes=29, seconds=59))
        assert client.get("/cases/").status_code == 200
    clock.shift(timedelta(minutes=1))
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "maximum length" in client.get(response["Location"]).content.decode()
    assert json.loads(AuditEvent.objects.get(event_type="auth.session_expired").data)["reason"] == "absolute"


def test_a_verified_second_factor_ends_with_its_session(client, judge, clock):
    client.force_login(judge)  # both steps
    assert client.get("/cases/").status_code == 200
    clock.shift(timedelta(hours=1))
    assert client.get("/cases/").status_code == 302
    sign_in(client, judge)
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/second-factor/")


def test_timeouts_come_from_the_environment_and_are_checked():
    from tests.audits.test_settings_from_environment import GOOD_KEY, start

    result = start({"SECRET_KEY": GOOD_KEY, "SESSION_IDLE_TIMEOUT_MINUTES": "0"})
    assert result.returncode != 0 and "SESSION_IDLE_TIMEOUT_MINUTES" in result.stderr
    result = start(
        {"SECRET_KEY": GOOD_KEY, "SESSION_IDLE_TIMEOUT_MINUTES": "120", "SESSION_ABSOLUTE_TIMEOUT_HOURS": "1"}
    )
    assert result.returncode != 0 and "SESSION_IDLE_TIMEOUT_MINUTES" in result.stderr
    result = start({"SECRET_KEY": GOOD_KEY, "LOGIN_FAILURE_LIMIT": "many"})
    assert result.returncode != 0 and "LOGIN_FAILURE_LIMIT" in result.stderr
    result = start({"SECRET_KEY": GOOD_KEY, "SESSION_COOKIE_AGE": "3600"})
    assert result.returncode != 0 and "SESSION_ABSOLUTE_TIMEOUT_HOURS" in result.stderr
