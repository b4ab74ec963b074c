"""R17: an image a recorded page shows carries a token; it is bound to the user and the object and lapses."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from audits.services import (
    CONSULTATION_TOKEN_PARAM,
    consultation_token_issue,
    consultation_token_url,
    consultation_token_valid,
)


@pytest.fixture
def users(requester, colleague):
    return requester, colleague


@pytest.fixture
def session():
    store = SessionStore()
    store.create()
    return store


def other_session():
    store = SessionStore()
    store.create()
    return store


def test_a_token_is_valid_for_its_user_and_object_only(users, session):
    user, other = users
    token = consultation_token_issue(user=user, target="recognition.Alert:7", session=session)
    assert consultation_token_valid(token=token, user=user, target="recognition.Alert:7", session=session)
    assert not consultation_token_valid(token=token, user=other, target="recognition.Alert:7", session=session)
    assert not consultation_token_valid(token=token, user=user, target="recognition.Alert:8", session=session)
    assert not consultation_token_valid(token=token + "x", user=user, target="recognition.Alert:7", session=session)
    assert not consultation_token_valid(token=None, user=user, target="recognition.Alert:7", session=session)
    assert "Alert" not in token and token.count(":") == 1  # only the time and the signature travel


def test_a_token_lapses_after_the_configured_minutes(users, settings, session):
    user, _ = users
    settings.CONSULTATION_TOKEN_SECONDS = 300
    with time_machine.travel(timezone.now(), tick=False) as clock:
        on_time = consultation_token_issue(user=user, target=user, session=session)
        late = consultation_token_issue(user=user, target="t", session=session)
        clock.shift(timedelta(seconds=299))
        assert consultation_token_valid(token=on_time, user=user, target=user, session=session)
        clock.shift(timedelta(seconds=2))
        assert not consultation_token_valid(token=late, user=user, target="t", session=session)


def test_an_image_url_carries_the_token_in_its_query(users, session):
    user, _ = users
    url = consultation_token_url("/alerts/7/crop.jpg", user=user, target="recognition.Alert:7", session=session)
    path, token = url.split(f"?{CONSULTATION_TOKEN_PARAM}=")
    assert path == "/alerts/7/crop.jpg"
    assert consultation_token_valid(token=token, user=user, target="recognition.Alert:7", session=session)
    with_query = consultation_token_url("/x?size=2", user=user, target="t", session=session)
    assert with_query.startswith(f"/x?size=2&{CONSULTATION_TOKEN_PARAM}=")


def test_a_token_serves_once_and_only_in_its_session(users, session):
    user, _ = users
    token = consultation_token_issue(user=user, target="recognition.Alert:7", session=session)
    assert not consultation_token_valid(token=token, user=user, target="recognition.Alert:7", session=other_session())
    assert not consultation_token_valid(token=token, user=user, target="recognition.Alert:7", session=None)
    assert consultation_token_valid(token=token, user=user, target="recognition.Alert:7", session=session)
    # Served once: the next serving is a consultation of its own.
    assert not consultation_token_valid(token=token, user=user, target="recognition.Alert:7", session=session)
