"""Writes of sign-in security: enrol an authenticator, confirm a sign-in, issue recovery codes.

Each records its audit event in the same transaction (R17: who used the system, and how they
proved it). Codes themselves never go into the trail.
"""

from __future__ import annotations

import base64

import django_otp
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment
from accounts.models import SecondFactorReset
from accounts.policy import ENROLLED_KEY
from audits.events import EventType
from audits.services import audit_record
from audits.signals import client_network

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def normalise_code(token: str) -> str:
    """People type codes with spaces or dashes and in either case; the stored forms have neither."""
    return "".join(ch for ch in (token or "") if ch.isalnum()).lower()


def totp_device_for_user(*, user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_device_pending_for_user(*, user) -> TOTPDevice:
    """The authenticator being enrolled: unconfirmed until a code from it is typed back.

    Created on first call and reused afterwards, so reloading the enrolment page keeps the same
    QR code. Its secret is shown only while it is unconfirmed.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def recovery_codes_remaining(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _recovery_codes_issue(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()  # older codes stop working
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(
        actor=user,
        event_type=EventType.AUTH_RECOVERY_CODES_ISSUED,
        target_ref=device,
        data={"count": len(codes)},
    )
    return codes


def _mark_session_verified(request, device) -> None:
    django_otp.login(request, device)
    request.session[ENROLLED_KEY] = True


def second_factor_enrol(*, request, token: str, enrolment_code_id: int | None = None) -> list[str] | None:
    """Confirm request.user's pending authenticator with a code it shows.

    Precondition: the caller made sure the user may enrol (no confirmed authenticator yet, or
    this session is already verified, so a stolen password cannot replace a device), and for an account that
    needs one passes the enrolment code this session proved (accounts.enrolment): it is used up here, in the
    same transaction; if it is no longer open nothing is enrolled.
    On success: the authenticator is confirmed, any older one deleted, fresh recovery codes
    issued (returned; shown once, never stored elsewhere), the session counts as verified, and
    enrolment and issue are recorded. A wrong code is recorded and returns None.
    """
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or not device.verify_token(normalise_code(token)):
            audit_record(
                actor=user,
                event_type=EventType.AUTH_SECOND_FACTOR_FAILED,
                target_ref=device,
                data={"step": "enrolment"},
            )
            return None
        if (
            enrolment.enrolment_code_required(user)
            and not request.user.is_verified()
            and not enrolment.enrolment_code_use(user=user, code_id=enrolment_code_id)
        ):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit_record(actor=user, event_type=EventType.AUTH_SECOND_FACTOR_ENROLLED, target_ref=device)
        codes = _recovery_codes_issue(user=user)
    _mark_session_verified(request, device)
    return codes


def second_factor_verify(*, request, token: str) -> tuple[bool, str]:
    """Confirm this session with a code from the authenticator or with a recovery code.

    Six digits are tried against the authenticator, anything else against the recovery codes;
    a recovery code works once (django-otp deletes it). Both devices throttle repeated failures
    themselves. Returns (verified, message for the person); success and failure are recorded.
    """
    user = request.user
    code = normalise_code(token)
    method = "authenticator" if code.isdigit() and len(code) == 6 else "recovery_code"
    model = TOTPDevice if method == "authenticator" else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None:
            verified, allowed = False, True
        else:
            allowed, _throttle = device.verify_is_allowed()
            verified = allowed and device.verify_token(code)
        if not verified:
            audit_record(
                actor=user,
                event_type=EventType.AUTH_SECOND_FACTOR_FAILED,
                target_ref=device,
                data={"step": "sign-in", "method": method, "throttled": not allowed},
            )
            if not allowed:
                return False, _("Too many wrong codes in a row. Wait a minute, then try again.")
            return False, _("That code is not right. Codes change every 30 seconds: type the one shown now.")
        data = {"method": method}
        if method == "recovery_code":
            data["recovery_codes_left"] = recovery_codes_remaining(user=user)
        audit_record(actor=user, event_type=EventType.AUTH_SECOND_FACTOR_VERIFIED, target_ref=device, data=data)
    _mark_session_verified(request, device)
    return True, ""


def recovery_codes_reissue(*, user) -> list[str]:
    """New recovery codes for a verified session; the old ones stop working. Recorded."""
    with transaction.atomic():
        return _recovery_codes_issue(user=user)


def session_expiry_record(*, user, reason: str, request) -> None:
    audit_record(
        actor=user,
        event_type=EventType.AUTH_SESSION_EXPIRED,
        data={
            "reason": reason,
            "ip_network": client_network(request.META.get("REMOTE_ADDR", "")),
            "path": request.path,
        },
    )


def second_factor_reset(*, username: str, reason: str, operator: str) -> tuple[int, str | None]:
    """Remove a person's authenticator and recovery codes (both lost), so they enrol again at
    their next sign-in. Their sessions verified by the removed devices stop counting as verified
    (django-otp no longer finds the device). Recorded with the reason and who did it.
    Returns how many devices were removed, and the new enrolment code (accounts.enrolment) for an account that
    needs one to enrol again (None otherwise): shown once to the operator, who hands it over.
    """
    from django.contrib.auth import get_user_model

    if not reason.strip():
        raise ValueError("a reason is required")
    user = get_user_model().objects.get(username=username)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
        removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
        # The reason stays on the reset's row; the event references it (never the typed words, audits.texts).
        reset = SecondFactorReset.objects.create(
            user=user,
            operator=operator[:150],
            reason=reason.strip()[:2000],
            devices_removed=removed,
            reset_at=timezone.now(),
        )
        audit_record(
            actor=f"operator:{operator[:140]}",
            event_type=EventType.AUTH_SECOND_FACTOR_RESET,
            target_ref=reset,
            data={"user": f"{user._meta.label}:{user.pk}", "username": user.get_username(), "devices_removed": removed},
        )
        code = None
        if enrolment.enrolment_code_required(user):
            code = enrolment.enrolment_code_issue(user=user, issued_by=f"operator:{operator[:140]}")
    return removed, code


def demo_second_factor_issue(*, user, minimum_codes: int = 3) -> dict:
    """The local demo only (seed_demo refuses to run without DEBUG): give a demo user a confirmed authenticator
    and recovery codes, so the demo can be tried without enrolling a phone. Returns the authenticator's key (to add
    to an app, if wanted) and the recovery codes still unused; new codes are issued when fewer than
    ``minimum_codes`` remain. Recorded like any issue of codes."""
    with transaction.atomic():
        device = totp_device_for_user(user=user)
        if device is None:
            # As for a real account: an enrolment code is issued (by the seed, as the administrator) and used up.
            if enrolment.enrolment_code_required(user):
                enrolment.enrolment_code_issue(user=user, issued_by="operator:seed_demo")
                enrolment.enrolment_code_use(user=user, code_id=enrolment.enrolment_code_open(user=user).pk)
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
            audit_record(actor=user, event_type=EventType.AUTH_SECOND_FACTOR_ENROLLED, target_ref=device)
        codes = list(
            StaticToken.objects.filter(device__user=user, device__confirmed=True).values_list("token", flat=True)
        )
        if len(codes) < minimum_codes:
            codes = _recovery_codes_issue(user=user)
    return {"totp_key_base32": base64.b32encode(device.bin_key).decode(), "recovery_codes": codes}
