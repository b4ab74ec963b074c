"""Sign-in records keep the client's network, never its address (R19): the trail cannot forget an address later."""

import pytest
from django.urls import reverse

from audits.models import AuditEvent
from audits.signals import client_network
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_events_hold_the_network_not_the_address(client, requester):
    client.post(reverse("login"), {"username": requester.username, "password": "wrong"}, REMOTE_ADDR="203.0.113.77")
    client.post(reverse("login"), {"username": requester.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.77")
    for event in AuditEvent.objects.filter(event_type__in=["auth.login", "auth.login_failed"]):
        assert "203.0.113.77" not in event.data
        assert event.data_dict["ip_network"] == "203.0.113.0/24"


@pytest.mark.parametrize(
    ("address", "network"),
    [("198.51.100.9", "198.51.100.0/24"), ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"), ("", ""), ("junk", "")],
)
def test_client_network(address, network):
    assert client_network(address) == network
