"""Enrolment codes: a privileged account enrols its second factor only with a one-time code an administrator issued.

A password alone (stolen, guessed, or set by whoever created the account) must never be enough to bind an
authenticator to a judge's or a verifier's account. An administrator issues a code when the account is created and
after a reset of its second factor (`manage.py enrolment_code_issue`, the administrators' page, or
`manage.py second_factor_reset`, which issues one). The code is shown once, kept only as a keyed hash, expires after
ENROLMENT_CODE_HOURS, works once and at most ENROLMENT_CODE_ATTEMPTS wrong tries; issue, use and wrong tries are
recorded (R17).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import EnrolmentCode
from accounts.policy import SECOND_FACTOR_ROLES
from audits.events import EventType
from audits.services import audit_record
from oversight.roles import user_has_role

ENROLMENT_CODE_ATTEMPTS = 5
# No 0/O or 1/I/L: the code is read out or copied by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LENGTH = 16


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).upper()


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), _normalise(code).encode(), hashlib.sha256).hexdigest()


def enrolment_code_required(user) -> bool:
    """Accounts whose second factor is compulsory enrol only with a code; a requester may enrol by choice alone."""
    if user.is_superuser or user.is_staff:
        return True
    return any(user_has_role(user, role) for role in SECOND_FACTOR_ROLES)


def enrolment_code_issue(*, user, issued_by) -> str:
    """A new code for `user` (any earlier open code stops working). Returns the code: shown once, never stored.

    issued_by: the administrator (a user) or an operator's label. Recorded with the expiry, never the code.
    """
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    now = timezone.now()
    label = issued_by if isinstance(issued_by, str) else f"user:{issued_by.get_username()}"
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
        row = EnrolmentCode.objects.create(
            user=user,
            code_hash=_hash(code),
            issued_by=label[:150],
            issued_at=now,
            expires_at=now + timedelta(hours=settings.ENROLMENT_CODE_HOURS),
        )
        audit_record(
            actor=issued_by,
            event_type=EventType.AUTH_ENROLMENT_CODE_ISSUED,
            target_ref=user,
            data={"code": f"accounts.EnrolmentCode:{row.pk}", "expires_at": row.expires_at.isoformat()},
        )
    return "-".join(code[i : i + 4] for i in range(0, _LENGTH, 4))


def enrolment_code_open(*, user) -> EnrolmentCode | None:
    """The user's code that can still be used, if any."""
    return (
        EnrolmentCode.objects.filter(
            user=user,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=ENROLMENT_CODE_ATTEMPTS,
        )
        .order_by("-issued_at")
        .first()
    )


def enrolment_code_check(*, user, code: str) -> EnrolmentCode | None:
    """The open code if `code` is it; otherwise the wrong try is counted (the code dies after
    ENROLMENT_CODE_ATTEMPTS) and recorded, and None is returned. Does not use the code up: enrolment does."""
    with transaction.atomic():
        row = EnrolmentCode.objects.select_for_update().filter(pk=getattr(enrolment_code_open(user=user), "pk", None))
        row = row.first()
        if row is not None and hmac.compare_digest(row.code_hash, _hash(code)):
            return row
        if row is not None:
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
        audit_record(
            actor=user,
            event_type=EventType.AUTH_SECOND_FACTOR_FAILED,
            target_ref=row,
            data={
                "step": "enrolment_code",
                "code_still_usable": bool(row and row.failed_attempts < ENROLMENT_CODE_ATTEMPTS),
            },
        )
        return None


def enrolment_code_use(*, user, code_id: int | None) -> bool:
    """Inside the enrolment's transaction: use the code up. False (nothing changed) when it is no longer open."""
    open_code = enrolment_code_open(user=user)
    if open_code is None or open_code.pk != code_id:
        return False
    row = EnrolmentCode.objects.select_for_update().get(pk=open_code.pk)
    if row.used_at is not None:
        return False
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    audit_record(actor=user, event_type=EventType.AUTH_ENROLMENT_CODE_USED, target_ref=row)
    return True
