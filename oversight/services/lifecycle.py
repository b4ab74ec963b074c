"""A case's life after drafting: submission, urgent start (R9), revocation, withdrawal, closing, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.events import EventType
from audits.services import SYSTEM, audit_record
from oversight import selectors
from oversight.models import Case, NotificationKind
from oversight.services._common import (
    Status,
    TransitionNotAllowed,
    add_error,
    grant_authority_perms,
    iso,
    lock_case,
    may_move,
    raise_if,
    record_deletion_due,
    require_perm,
)
from oversight.services.notifications import case_notify_office
from oversight.services.validation import completeness_errors


def case_submit(*, actor, case: Case) -> Case:
    """File the request with its authority: draft → submitted, or urgent → submitted (R9).

    Preconditions: the actor is the requester; the case is complete
    (completeness_errors: R1-R5, R8, R13, every person with a ready reference
    face); an urgent case is filed before its 24 hours run out.
    Side effects: submitted_at; view + decide (judge) or view + vote (each
    commission member but the requester) object permissions; CASE_SUBMITTED.
    """
    with transaction.atomic():
        case = lock_case(case)
        require_perm(actor, case, "change_case", _("Only the requester may submit this case."))
        if not may_move(case, Status.SUBMITTED):
            return case
        now = timezone.now()
        if case.status == Status.URGENT and now >= case.urgency_ends_at:
            raise ValidationError(
                {
                    "status": [
                        ngettext(
                            "The %(hours)d-hour urgency limit has passed; the case has lapsed (R9).",
                            "The %(hours)d-hour urgency limit has passed; the case has lapsed (R9).",
                            case.urgency_hours,
                        )
                        % {"hours": case.urgency_hours}
                    ]
                }
            )
        raise_if(completeness_errors(case, now=now))
        previous = case.status
        case.status = Status.SUBMITTED
        case.submitted_at = now
        case.save(update_fields=["status", "submitted_at", "updated_at"])
        grants = grant_authority_perms(case)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_SUBMITTED,
            case_ref=case,
            target_ref=case,
            data={"from": previous, "to": case.status, "authority": case.authority, "urgent": case.is_urgent, **grants},
        )
    return case


def case_start_urgent(*, actor, case: Case, urgency_reason: str) -> Case:
    """R9: start a complete draft at once, before authorisation, for a duly justified urgency.

    Preconditions: the actor is the requester; a written urgency reason; the
    case complete as for submission, impact assessment included (R8: no case
    becomes active without it).
    Side effects: is_urgent, urgency_reason, urgent_started_at = now; the
    authority gets view and decide/vote permissions at once (it may revoke);
    CASE_URGENT_STARTED. The gate opens for CASE_URGENCY_HOURS at most; the
    request must be filed (case_submit) within that time.
    """
    with transaction.atomic():
        case = lock_case(case)
        require_perm(actor, case, "change_case", _("Only the requester may start this case."))
        if not may_move(case, Status.URGENT):
            return case
        now = timezone.now()
        errors = completeness_errors(case, now=now)
        urgency_reason = (urgency_reason or "").strip()
        if not urgency_reason:
            add_error(errors, "urgency_reason", _("Explain the urgency in writing (R9)."))
        raise_if(errors)
        case.status = Status.URGENT
        case.is_urgent = True
        case.urgency_reason = urgency_reason
        case.urgent_started_at = now
        case.save(update_fields=["status", "is_urgent", "urgency_reason", "urgent_started_at", "updated_at"])
        grants = grant_authority_perms(case)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_URGENT_STARTED,
            case_ref=case,
            target_ref=case,
            data={
                "from": Status.DRAFT,
                "to": Status.URGENT,
                "urgent_started_at": iso(now),
                "urgency_ends_at": iso(case.urgency_ends_at),
                **grants,
            },
        )
        # R22: the office is told of every use as it starts.
        case_notify_office(case=case, kind=NotificationKind.URGENT_STARTED, actor=actor)
    return case


def case_revoke(*, actor, case: Case, reason: str) -> Case:
    """The deciding authority stops a case: approved → revoked, or urgent → revoked.

    Preconditions: the actor holds decide_case (the judge) or vote_case (any
    commission member: stopping is always the safe direction); a reason.
    Side effects: revoked_at/by/reason; CASE_REVOKED; an urgent case revoked
    before authorisation is marked for data deletion (R9). The gate closes at once.
    """
    with transaction.atomic():
        case = lock_case(case)
        perms = selectors.case_object_perms(user=actor, case=case)
        if actor.pk == case.requester_id or not perms & {"decide_case", "vote_case"}:
            raise PermissionDenied(_("Only the deciding authority may revoke this case; the requester withdraws it."))
        if not may_move(case, Status.REVOKED):
            return case
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": [_("Give the reason for the revocation.")]})
        _revoke_or_close(case, actor=actor, reason=reason, event_type=EventType.CASE_REVOKED)
    return case


def _revoke_or_close(case: Case, *, actor, reason: str, event_type: EventType) -> None:
    """approved/urgent → revoked, or submitted → closed (a withdrawal before the decision)."""
    now = timezone.now()
    previous = case.status
    unauthorised_urgent = case.is_urgent and previous in (Status.URGENT, Status.SUBMITTED)
    fields = ["status", "updated_at", "revocation_reason", "revoked_by"]
    case.revoked_by = actor
    case.revocation_reason = reason
    if previous == Status.SUBMITTED:
        case.status = Status.CLOSED
        case.closed_at = now
        fields.append("closed_at")
    else:
        case.status = Status.REVOKED
        case.revoked_at = now
        fields.append("revoked_at")
    if unauthorised_urgent:
        case.data_deletion_due_at = now
        fields.append("data_deletion_due_at")
    case.save(update_fields=fields)
    audit_record(
        actor=actor,
        event_type=event_type,
        case_ref=case,
        target_ref=case,
        data={"from": previous, "to": case.status},
    )
    if unauthorised_urgent:
        # R9: an urgent use that ends without authorisation leaves nothing behind.
        record_deletion_due(case, actor=actor, why="ended without authorisation")
    # R22: the end of a use the office was told had started (nothing for a case never active).
    case_notify_office(case=case, kind=NotificationKind.ENDED, actor=actor)


WITHDRAW_TARGETS = {Status.APPROVED: Status.REVOKED, Status.URGENT: Status.REVOKED, Status.SUBMITTED: Status.CLOSED}


def case_withdraw(*, actor, case: Case, reason: str = "") -> Case:
    """The requester withdraws: approved/urgent → revoked, submitted → closed.

    Preconditions: the actor is the requester (change_case).
    Side effects: as case_revoke, with CASE_WITHDRAWN; an urgent case withdrawn
    before authorisation is marked for data deletion (R9). Withdrawing a case
    that is already revoked or closed changes nothing.
    """
    with transaction.atomic():
        case = lock_case(case)
        require_perm(actor, case, "change_case", _("Only the requester may withdraw this case."))
        if case.status in (Status.REVOKED, Status.CLOSED):
            return case
        target = WITHDRAW_TARGETS.get(case.status)
        if target is None:
            raise TransitionNotAllowed(case, "withdrawn")
        may_move(case, target)
        _revoke_or_close(case, actor=actor, reason=(reason or "").strip(), event_type=EventType.CASE_WITHDRAWN)
    return case


def case_close(*, actor, case: Case) -> Case:
    """Close a case for good: draft, denied, expired or revoked → closed (a submitted case is withdrawn).

    Preconditions: the actor is the requester. Side effects: closed_at; CASE_CLOSED.
    """
    with transaction.atomic():
        case = lock_case(case)
        require_perm(actor, case, "change_case", _("Only the requester may close this case."))
        if case.status == Status.SUBMITTED:
            raise TransitionNotAllowed(case, Status.CLOSED, _("Withdraw it instead."))
        if not may_move(case, Status.CLOSED):
            return case
        previous = case.status
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=actor,
            event_type=EventType.CASE_CLOSED,
            case_ref=case,
            target_ref=case,
            data={"from": previous, "to": case.status},
        )
    return case


def case_expire_due(*, now: datetime | None = None) -> list[str]:
    """Periodic: mark approved cases past their end, and urgent ones past their limit, as expired.

    The gate never waits for this (it reads the times); this keeps statuses
    and the record true. Each case is locked and re-checked in its own
    transaction, so a concurrent revocation wins cleanly. Returns the references expired.
    Side effects: ended_at = the instant the case actually stopped; CASE_EXPIRED,
    or CASE_URGENCY_LAPSED plus data deletion due for an urgent case that was
    never filed (R9).
    """
    now = now or timezone.now()
    urgency = timedelta(hours=settings.CASE_URGENCY_HOURS)
    post_event_urgency = timedelta(hours=settings.POST_EVENT_URGENCY_HOURS)  # R24: 48 hours to request it
    due_ids = Case.objects.filter(
        Q(status=Status.APPROVED, approved_end__lte=now)
        | Q(status=Status.URGENT, kind=Case.Kind.LIVE, urgent_started_at__lte=now - urgency)
        | Q(status=Status.URGENT, kind=Case.Kind.POST_EVENT, urgent_started_at__lte=now - post_event_urgency)
        | Q(status=Status.URGENT, requested_end__lte=now)
    ).values_list("pk", flat=True)
    expired = []
    for pk in sorted(due_ids):
        with transaction.atomic():
            case = lock_case(pk)
            if case.status == Status.APPROVED and case.approved_end <= now:
                case.status = Status.EXPIRED
                case.ended_at = case.approved_end
                case.save(update_fields=["status", "ended_at", "updated_at"])
                audit_record(
                    actor=SYSTEM,
                    event_type=EventType.CASE_EXPIRED,
                    case_ref=case,
                    target_ref=case,
                    data={"from": Status.APPROVED, "to": Status.EXPIRED, "approved_end": iso(case.approved_end)},
                )
            elif case.status == Status.URGENT and min(case.urgency_ends_at, case.requested_end) <= now:
                case.status = Status.EXPIRED
                case.ended_at = min(case.urgency_ends_at, case.requested_end)
                case.data_deletion_due_at = now
                case.save(update_fields=["status", "ended_at", "data_deletion_due_at", "updated_at"])
                audit_record(
                    actor=SYSTEM,
                    event_type=EventType.CASE_URGENCY_LAPSED,
                    case_ref=case,
                    target_ref=case,
                    data={
                        "from": Status.URGENT,
                        "to": Status.EXPIRED,
                        "urgent_started_at": iso(case.urgent_started_at),
                        "stopped_at": iso(case.ended_at),
                    },
                )
                record_deletion_due(case, actor=SYSTEM, why="urgency lapsed without a request")
            else:
                continue
            case_notify_office(case=case, kind=NotificationKind.ENDED, actor=SYSTEM)  # R22
            expired.append(case.reference)
    return expired


def case_record_view(*, actor, case: Case, interface: str, part: str = "details") -> None:
    """R17: every consultation of a case's details is recorded: who, which case, how, on what basis."""
    audit_record(
        actor=actor,
        event_type=EventType.CASE_VIEWED,
        case_ref=case,
        target_ref=case,
        data={"interface": interface, "part": part, "access": getattr(case, "access_basis", None)},
    )
