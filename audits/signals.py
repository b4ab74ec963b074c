"""Record sign-ins and sign-outs (R17); failed sign-ins are recorded by accounts.throttle, within its bound."""

import ipaddress

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from audits.events import EventType
from audits.services import audit_record


def client_network(address: str) -> str:
    """The client's network, never its address (R19): IPv4 /24, IPv6 /48.

    The trail is append-only and outlives any retention rule of personal data, so a full address written here
    could never be removed before the trail's own cut; a network still shows where sign-ins came from.
    """
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip_network": client_network(request.META.get("REMOTE_ADDR", "")), "path": request.path}


@receiver(user_logged_in, dispatch_uid="audits_login")
def _on_login(sender, request, user, **kwargs):
    audit_record(actor=user, event_type=EventType.AUTH_LOGIN, data=_client(request))


@receiver(user_logged_out, dispatch_uid="audits_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, event_type=EventType.AUTH_LOGOUT, data=_client(request))
