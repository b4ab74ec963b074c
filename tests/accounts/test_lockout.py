"""Repeated wrong passwords lock the account for a while, and the lock is recorded."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from audits.models import AuditEvent
from tests.accounts.helpers import event_types, sign_in

pytestmark = pytest.mark.django_db

WRONG = "Tr0ub4dor&3"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_five_wrong_passwords_lock_the_account_and_are_recorded(client, judge, clock):
    for _ in range(4):
        assert sign_in(client, judge, password=WRONG).status_code == 200  # the form again, with its error
    response = sign_in(client, judge, password=WRONG)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked for now" in page and "15 minutes" in page and WRONG not in page
    assert response["Cache-Control"].count("no-store") == 1

    # Locked: even the right password is refused, and nobody is signed in.
    response = sign_in(client, judge)
    assert response.status_code == 429
    assert client.get("/cases/").status_code == 302
    assert "/accounts/login/" in client.get("/cases/")["Location"]

    # django-axes announces the lock while it counts the fifth failure, before the failure itself is recorded.
    assert event_types(actor_label=f"attempt:{judge.username}") == [
        *["auth.login_failed"] * 4,
        "auth.locked_out",
        "auth.login_failed",
        "auth.locked_out",
        "auth.login_failed",
    ]
    locked = AuditEvent.objects.filter(event_type="auth.locked_out").order_by("seq")
    assert json.loads(locked[0].data)["failures"] == 5
    assert json.loads(locked[1].data)["attempt_while_locked"] is True
    assert not AuditEvent.objects.filter(event_type="auth.login").exists()
    # Neither the trail nor django-axes' own table keeps the passwords tried.
    assert not AuditEvent.objects.filter(data__contains=WRONG).exists()
    assert not AccessAttempt.objects.filter(post_data__contains=WRONG).exists()


def test_the_lock_ends_after_the_configured_time(client, judge, clock):
    for _ in range(5):
        sign_in(client, judge, password=WRONG)
    clock.shift(timedelta(minutes=14))
    assert sign_in(client, judge).status_code == 429
    clock.shift(timedelta(minutes=1, seconds=1))
    assert sign_in(client, judge).status_code == 302
    assert event_types(event_type="auth.login") == ["auth.login"]


def test_the_lock_holds_one_username_not_everyone(client, judge, second_judge):
    for _ in range(5):
        sign_in(client, judge, password=WRONG)
    assert sign_in(client, second_judge).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, requester):
    for _ in range(4):
        sign_in(client, requester, password=WRONG)
    assert sign_in(client, requester).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert sign_in(client, requester, password=WRONG).status_code == 200
    assert sign_in(client, requester).status_code == 302
