"""What every case service shares: the transition table, locking, permission checks, error collection.

Every transition follows one pattern (STYLE, habit 2): transaction.atomic(); re-read the case with
select_for_update(); check ALLOWED_TRANSITIONS; save with update_fields; record the audit event in the same
transaction; grant object permissions. Repeating a transition that already happened returns the case unchanged
and records nothing.

Bad input raises django.core.exceptions.ValidationError with a dict naming the field (the API turns it into
HTTP 400, the pages into errors next to the field); an action the user may not take raises PermissionDenied
(HTTP 403). Input is validated before anything is written and everything runs in one transaction, so a refused
request leaves no row behind.

The audit trail is append-only and kept for years (R18), so events carry ids, categories and field names, never
names of persons or the free text of the request (R19, R21: personal data must stay erasable).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from guardian.shortcuts import assign_perm

from audits.events import EventType
from audits.services import audit_record
from oversight import selectors
from oversight.models import Case, CaseSequence
from oversight.roles import Role

Status = Case.Status
Authority = Case.Authority
# A status in a sentence ("a case that is draft cannot become closed"); the codes themselves in English.
STATUS_WORDS = {
    Status.DRAFT: pgettext_lazy("case status in a sentence", "draft"),
    Status.URGENT: pgettext_lazy("case status in a sentence", "urgent"),
    Status.SUBMITTED: pgettext_lazy("case status in a sentence", "submitted"),
    Status.APPROVED: pgettext_lazy("case status in a sentence", "approved"),
    Status.DENIED: pgettext_lazy("case status in a sentence", "denied"),
    Status.EXPIRED: pgettext_lazy("case status in a sentence", "expired"),
    Status.REVOKED: pgettext_lazy("case status in a sentence", "revoked"),
    Status.CLOSED: pgettext_lazy("case status in a sentence", "closed"),
}


def status_word(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


# Actor label of the events the commission's tally writes (no single person decides).
COMMISSION_ACTOR = "commission"

# The lifecycle (R6, R9). Anything not listed is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.URGENT, Status.CLOSED}),
    Status.URGENT: frozenset({Status.SUBMITTED, Status.REVOKED, Status.EXPIRED}),
    Status.SUBMITTED: frozenset({Status.APPROVED, Status.DENIED, Status.CLOSED}),
    Status.APPROVED: frozenset({Status.EXPIRED, Status.REVOKED}),
    Status.DENIED: frozenset({Status.CLOSED}),
    Status.EXPIRED: frozenset({Status.CLOSED}),
    Status.REVOKED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class TransitionNotAllowed(ValidationError):
    """A transition the table does not allow (HTTP 400 naming `status`)."""

    def __init__(self, case: Case, target: str, hint: str = ""):
        message = _("A case that is %(status)s cannot become %(target)s.") % {
            "status": status_word(case.status),
            "target": status_word(target),
        }
        super().__init__({"status": [f"{message} {hint}".strip()]})


def lock_case(case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    return Case.objects.select_for_update().get(pk=pk)


def may_move(case: Case, target: str) -> bool:
    """True: go ahead. False: the case is already there (the repeat is a no-op). Raises if not allowed."""
    if case.status == target:
        return False
    if target not in ALLOWED_TRANSITIONS[case.status]:
        raise TransitionNotAllowed(case, target)
    return True


def require_perm(actor, case: Case, codename: str, message: str) -> None:
    if codename not in selectors.case_object_perms(user=actor, case=case):
        raise PermissionDenied(message)


def require_not_requester(actor, case: Case) -> None:
    # R7: nobody decides or votes on a case they requested (also a database constraint).
    if actor.pk == case.requester_id:
        raise PermissionDenied(_("You requested this case: you cannot decide or vote on it (R7)."))


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def next_reference(now: datetime) -> str:
    """FR-<year>-<number>, numbered per year; the sequence row lock makes it unique under concurrency."""
    year = timezone.localtime(now).year
    CaseSequence.objects.bulk_create([CaseSequence(year=year, last=0)], ignore_conflicts=True)
    sequence = CaseSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"FR-{year}-{sequence.last:04d}"


def users():
    return get_user_model().objects


def commission_members(case: Case):
    """Active commission members who may vote on the case: never its requester (R7)."""
    return list(
        users().filter(groups__name=Role.COMMISSION_MEMBER, is_active=True).exclude(pk=case.requester_id).order_by("pk")
    )


def grant_requester_perms(case: Case) -> None:
    assign_perm("view_case", case.requester, case)
    assign_perm("change_case", case.requester, case)


def grant_authority_perms(case: Case) -> dict:
    """The authority sees the case from the moment it is submitted or started urgently."""
    if case.authority == Authority.JUDGE:
        assign_perm("view_case", case.assigned_judge, case)
        assign_perm("decide_case", case.assigned_judge, case)
        return {"assigned_judge": case.assigned_judge_id}
    members = commission_members(case)
    for member in members:  # get_or_create each: repeating (urgent, then submitted) is harmless
        assign_perm("view_case", member, case)
        assign_perm("vote_case", member, case)
    return {"commission_members": [m.pk for m in members]}


def record_deletion_due(case: Case, *, actor, why: str) -> None:
    """R9: an urgent use that ended without authorisation: everything it produced must go."""
    audit_record(
        actor=actor,
        event_type=EventType.CASE_DATA_DELETION_DUE,
        case_ref=case,
        target_ref=case,
        data={"why": why, "due_at": iso(case.data_deletion_due_at), "urgent_started_at": iso(case.urgent_started_at)},
    )
    # The purge itself runs right after this transition commits (the periodic retention run is the safety net).
    from oversight.registry import case_data_purge_queue

    case_data_purge_queue(case)  # the office's purge (office.services.retention), registered at start-up
