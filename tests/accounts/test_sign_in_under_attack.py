"""Sign-in under attack: the lock is per username AND address, an address is throttled across usernames before any
password is hashed, and an unauthenticated client can add only a stated number of events to the trail."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts import throttle
from accounts.models import SignInWindow
from audits.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.20"
WRONG = "Tr0ub4dor&3"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20


def attempt(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_attackers_address_cannot_lock_out_a_user_signing_in_from_elsewhere(client, judge):
    for _ in range(8):
        attempt(client, judge.username, WRONG, ATTACKER)
    assert attempt(client, judge.username, PASSWORD, ATTACKER).status_code == 429  # locked for the attacker
    assert attempt(client, judge.username, PASSWORD, VICTIM).status_code == 302  # the judge signs in


def test_an_address_is_throttled_across_usernames_before_any_password_is_hashed(client, judge, monkeypatch):
    for number in range(20):
        assert attempt(client, f"made-up-{number}", WRONG, ATTACKER).status_code == 200
    hashed = []
    monkeypatch.setattr(MD5PasswordHasher, "verify", lambda self, *a: hashed.append("verify") or False)
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: hashed.append("encode") or "x")
    response = attempt(client, judge.username, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "Sign-in paused for your network" in response.content.decode()
    assert hashed == []
    monkeypatch.undo()
    assert attempt(client, judge.username, PASSWORD, VICTIM).status_code == 302  # other addresses unaffected


def test_a_thousand_failures_from_one_address_add_at_most_the_stated_number_of_events(client, judge, requester, clock):
    bound = throttle.events_per_address_window_bound()
    assert bound == 42  # 2 x 20 + 2, as README and accounts.throttle state
    before = AuditEvent.objects.count()
    for number in range(1000):
        # Wrong passwords for real accounts and made-up names, the worst mix for the trail.
        username = (judge.username, requester.username, f"nobody-{number}")[number % 3]
        attempt(client, username, WRONG, ATTACKER)
    clock.shift(timedelta(minutes=15))
    throttle.sign_in_windows_record()
    added = AuditEvent.objects.count() - before
    print(f"1,000 failed sign-ins from one address added {added} audit events (bound {bound})")
    assert 0 < added <= bound
    summary = AuditEvent.objects.get(event_type="auth.login_failed_unknown_names")
    data = json.loads(summary.data)
    assert data["ip_network"] == "203.0.113.0/24"
    assert data["refused_unchecked"] == 1000 - 20
    assert data["unknown_names"] == 20 // 3  # attempts 2, 5, ..., 17 before the throttle
    assert AuditEvent.objects.filter(event_type="auth.sign_in_throttled").count() == 1
    # No unknown name and no address is written anywhere in the trail.
    assert not AuditEvent.objects.filter(actor_label__startswith="attempt:nobody").exists()
    assert not AuditEvent.objects.filter(data__contains=ATTACKER).exists()
    assert not SignInWindow.objects.exists()
    # Recording closed windows again writes nothing.
    assert throttle.sign_in_windows_record() == 0


def test_the_throttle_lifts_with_the_next_window(client, judge, clock):
    for number in range(20):
        attempt(client, f"made-up-{number}", WRONG, ATTACKER)
    assert attempt(client, judge.username, PASSWORD, ATTACKER).status_code == 429
    clock.shift(timedelta(minutes=15))
    assert attempt(client, judge.username, PASSWORD, ATTACKER).status_code == 302


def test_the_lockout_event_holds_the_network_not_the_address(client, judge):
    for _ in range(5):
        attempt(client, judge.username, WRONG, ATTACKER)
    locked = AuditEvent.objects.get(event_type="auth.locked_out")
    assert ATTACKER not in locked.data
    assert json.loads(locked.data)["ip_network"] == "203.0.113.0/24"
    assert not SignInWindow.objects.filter(address_key__contains=ATTACKER).exists()


def test_unknown_names_are_not_locked_out_one_event_each(client):
    for _ in range(8):
        attempt(client, "no-such-person", WRONG, ATTACKER)
    assert not AuditEvent.objects.filter(event_type__in=["auth.login_failed", "auth.locked_out"]).exists()
    assert SignInWindow.objects.get().unknown_names == 8
