"""R17: an image a recorded page shows carries a token; it is bound to the user and the object and lapses."""

from datetime import timedelta

import pytest
import time_machine
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


def test_a_token_is_valid_for_its_user_and_object_only(users):
    user, other = users
    token = consultation_token_issue(user=user, target="recognition.Alert:7")
    assert consultation_token_valid(token=token, user=user, target="recognition.Alert:7")
    assert not consultation_token_valid(token=token, user=other, target="recognition.Alert:7")
    assert not consultation_token_valid(token=token, user=user, target="recognition.Alert:8")
    assert not consultation_token_valid(token=token + "x", user=user, target="recognition.Alert:7")
    assert not consultation_token_valid(token=None, user=user, target="recognition.Alert:7")
    assert "Alert" not in token and token.count(":") == 1  # only the time and the signature travel


def test_a_token_lapses_after_the_configured_minutes(users, settings):
    user, _ = users
    settings.CONSULTATION_TOKEN_SECONDS = 300
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = consultation_token_issue(user=user, target=user)
        clock.shift(timedelta(seconds=299))
        assert consultation_token_valid(token=token, user=user, target=user)
        clock.shift(timedelta(seconds=2))
        assert not consultation_token_valid(token=token, user=user, target=user)


def test_an_image_url_carries_the_token_in_its_query(users):
    user, _ = users
    url = consultation_token_url("/alerts/7/crop.jpg", user=user, target="recognition.Alert:7")
    path, token = url.split(f"?{CONSULTATION_TOKEN_PARAM}=")
    assert path == "/alerts/7/crop.jpg"
    assert consultation_token_valid(token=token, user=user, target="recognition.Alert:7")
    with_query = consultation_token_url("/x?size=2", user=user, target="t")
    assert with_query.startswith(f"/x?size=2&{CONSULTATION_TOKEN_PARAM}=")
