"""Withholding a use from the public register, and lifting a withholding (R23). Each writes its audit event in the
same transaction, so the office reads in the trail who withheld which use, why and until when."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Case
from oversight.models.text import FREE_TEXT_MAX_LENGTH
from transparency.models import Withholding
from transparency.selectors import case_deciding_authority


def use_withhold(*, actor, case: Case, reason: str, withheld_until: date) -> Withholding:
    """Keep the use of `case` out of the register until `withheld_until` (inclusive).

    Preconditions: `actor` is the case's deciding authority (its judge, or a commission member who voted on it);
    a reason in words; an end date from today to TRANSPARENCY_WITHHOLDING_MAX_DAYS ahead. Raises PermissionError or
    ValidationError and writes nothing otherwise. Side effects: the row and a `transparency.withheld` event.
    """
    reason = (reason or "").strip()
    today = timezone.localdate()
    longest = today + timedelta(days=settings.TRANSPARENCY_WITHHOLDING_MAX_DAYS)
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the public may not yet know of this use.")
    elif len(reason) > FREE_TEXT_MAX_LENGTH:
        errors["reason"] = _("The reason is too long.")
    if withheld_until is None or withheld_until < today:
        errors["withheld_until"] = _("Choose an end date from today on.")
    elif withheld_until > longest:
        errors["withheld_until"] = _("A use may be withheld for at most %(days)s days at a time (until %(date)s).") % {
            "days": settings.TRANSPARENCY_WITHHOLDING_MAX_DAYS,
            "date": longest.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case_deciding_authority(user=actor, case=case):
            raise PermissionError(_("Only the authority that decided this case may withhold its use."))
        withholding = Withholding.objects.create(
            case=case, decided_by=actor, reason=reason, withheld_until=withheld_until, created_at=timezone.now()
        )
        audit_record(
            actor=actor,
            event_type=EventType.TRANSPARENCY_WITHHELD,
            case_ref=case,
            target_ref=withholding,
            data={"withheld_until": withheld_until.isoformat(), "reason": reason},
        )
    return withholding


def withholding_lift(*, actor, withholding: Withholding) -> Withholding:
    """End a withholding before its date: the use is published at once if it has ended. Only the case's deciding
    authority may; lifting a lifted withholding does nothing. Side effects: `transparency.withholding_lifted`."""
    with transaction.atomic():
        withholding = Withholding.objects.select_for_update().select_related("case").get(pk=withholding.pk)
        if not case_deciding_authority(user=actor, case=withholding.case):
            raise PermissionError(_("Only the authority that decided this case may lift its withholding."))
        if withholding.lifted_at is not None:
            return withholding
        withholding.lifted_at, withholding.lifted_by = timezone.now(), actor
        withholding.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(
            actor=actor,
            event_type=EventType.TRANSPARENCY_WITHHOLDING_LIFTED,
            case_ref=withholding.case,
            target_ref=withholding,
            data={"withheld_until": withholding.withheld_until.isoformat()},
        )
    return withholding
