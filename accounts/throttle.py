"""Sign-in under attack: a throttle per client address across usernames, and a bound on the audit trail's growth.

django-axes locks a username only for the address that failed (AXES_LOCKOUT_PARAMETERS), so nobody can lock
someone else out from elsewhere. Guessing across many usernames from one address is stopped here, before any
password is hashed: once an address has LOGIN_ADDRESS_FAILURE_LIMIT failed sign-ins in the current window of
LOGIN_LOCKOUT_MINUTES, its further attempts are refused unchecked.

Bound on the trail (R17 kept without letting an unauthenticated client fill it): per client address and window,
at most ``events_per_address_window_bound()`` events =
  2 x LOGIN_ADDRESS_FAILURE_LIMIT  (a failure for a name that exists: auth.login_failed, plus auth.locked_out
                                    when django-axes locks or holds that name for this address)
+ 1                                (auth.sign_in_throttled, when the address reaches the limit)
+ 1                                (auth.login_failed_unknown_names: how many attempts used names that do not
                                    exist and how many were refused unchecked, written once the window closed)
Names that do not exist never get an event of their own (the names tried are not kept at all: they are often
a person's password typed into the wrong field).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import SignInWindow
from audits.events import EventType
from audits.services import audit_record
from audits.signals import client_network

THROTTLED_ATTRIBUTE = "accounts_sign_in_throttled"


def events_per_address_window_bound() -> int:
    """The most events one client address can add to the trail in one window without signing in."""
    return 2 * settings.LOGIN_ADDRESS_FAILURE_LIMIT + 2


def window_length() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def window_start(now: datetime | None = None) -> datetime:
    """Fixed windows aligned on the epoch: every process agrees where one ends without asking the others."""
    now = now or timezone.now()
    seconds = int(window_length().total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo or timezone.get_current_timezone())


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""


def address_key(address: str) -> str:
    """A keyed hash: the table can throttle an address without holding it."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _window_row(request) -> SignInWindow:
    address = client_address(request)
    row, _created = SignInWindow.objects.get_or_create(
        address_key=address_key(address),
        window_start=window_start(),
        defaults={"network": client_network(address)},
    )
    return row


def username_exists(username: str) -> bool:
    return bool(username) and get_user_model().objects.filter(username=username).exists()


def sign_in_refused(request) -> bool:
    """True when this address used up its failures for the window: the attempt is refused without checking the
    password, counted, and (the first refusal of the window only) recorded. Asked once per request."""
    if request is None:
        return False
    cached = getattr(request, THROTTLED_ATTRIBUTE, None)
    if cached is not None:
        return cached
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    refused = SignInWindow.objects.filter(
        address_key=address_key(client_address(request)), window_start=window_start(), failures__gte=limit
    ).exists()
    if refused:
        with transaction.atomic():
            row = SignInWindow.objects.select_for_update().get(
                address_key=address_key(client_address(request)), window_start=window_start()
            )
            row.refused = F("refused") + 1
            row.save(update_fields=["refused"])
    setattr(request, THROTTLED_ATTRIBUTE, refused)
    return refused


def sign_in_failure_record(*, request, username: str) -> None:
    """One failed sign-in (wrong password, locked name or unknown name) from this request's address.

    A name that exists gets its own auth.login_failed event (its owner and the office see attempts on it); a name
    that does not exist only counts towards the window's summary. The failure that reaches the address limit
    records auth.sign_in_throttled once.
    """
    if getattr(request, THROTTLED_ATTRIBUTE, False):
        return  # refused unchecked: already counted by sign_in_refused
    known = username_exists(username)
    network = client_network(client_address(request))
    with transaction.atomic():
        row = _window_row(request)
        row = SignInWindow.objects.select_for_update().get(pk=row.pk)
        row.failures += 1
        if not known:
            row.unknown_names += 1
        row.save(update_fields=["failures", "unknown_names"])
        if known:
            audit_record(
                actor=f"attempt:{username[:150]}",
                event_type=EventType.AUTH_LOGIN_FAILED,
                data={"ip_network": network, "path": getattr(request, "path", "")},
            )
        if row.failures == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            audit_record(
                actor="anonymous",
                event_type=EventType.AUTH_SIGN_IN_THROTTLED,
                data={
                    "ip_network": network,
                    "failures": row.failures,
                    "window_start": row.window_start.isoformat(),
                    "minutes": int(window_length().total_seconds() // 60),
                },
            )


def sign_in_windows_record(*, now: datetime | None = None) -> int:
    """Close the windows that ended: one auth.login_failed_unknown_names event per address and window that had
    attempts with unknown names or refused attempts, then the window's row goes. Returns the events written.
    Run every minute by the scheduler; idempotent (a recorded window no longer exists)."""
    current = window_start(now)
    written = 0
    for pk in SignInWindow.objects.filter(window_start__lt=current).values_list("pk", flat=True):
        with transaction.atomic():
            row = SignInWindow.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            if row.unknown_names or row.refused:
                audit_record(
                    actor="anonymous",
                    event_type=EventType.AUTH_LOGIN_FAILED_UNKNOWN_NAMES,
                    data={
                        "ip_network": row.network,
                        "window_start": row.window_start.isoformat(),
                        "minutes": int(window_length().total_seconds() // 60),
                        "unknown_names": row.unknown_names,
                        "refused_unchecked": row.refused,
                    },
                )
                written += 1
            row.delete()
    return written
