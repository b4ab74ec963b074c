"""Every status against every action: allowed transitions move and record their event; the rest change nothing.

R6, R9; STYLE habit 2 (a repeated transition is a no-op).
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case
from oversight.services import ALLOWED_TRANSITIONS
from tests.oversight.factories import approved_case, draft_case, submitted_case, urgent_case

pytestmark = pytest.mark.django_db

S = Case.Status


def _draft(w, clock):
    return draft_case(w.requester, w.cameras, judge=w.judge)


def _urgent(w, clock):
    return urgent_case(w)


def _submitted(w, clock):
    return submitted_case(w)


def _approved(w, clock):
    return approved_case(w)


def _denied(w, clock):
    return services.case_decide(actor=w.judge, case=submitted_case(w), granted=False, reasons="Not necessary.")


def _expired(w, clock):
    case = approved_case(w)
    clock.move_to(case.approved_end)
    services.case_expire_due(now=timezone.now())
    return Case.objects.get(pk=case.pk)


def _revoked(w, clock):
    return services.case_revoke(actor=w.judge, case=approved_case(w), reason="The child was found.")


def _closed(w, clock):
    return services.case_close(actor=w.requester, case=draft_case(w.requester, w.cameras, judge=w.judge))


BUILD = {
    S.DRAFT: _draft,
    S.URGENT: _urgent,
    S.SUBMITTED: _submitted,
    S.APPROVED: _approved,
    S.DENIED: _denied,
    S.EXPIRED: _expired,
    S.REVOKED: _revoked,
    S.CLOSED: _closed,
}


def _expire(w, case, clock):
    # Far past any window and any urgency limit.
    clock.shift(timedelta(hours=100))
    services.case_expire_due(now=timezone.now())


ACTIONS = {
    "submit": lambda w, case, clock: services.case_submit(actor=w.requester, case=case),
    "start_urgent": lambda w, case, clock: services.case_start_urgent(
        actor=w.requester, case=case, urgency_reason="Imminent threat."
    ),
    "approve": lambda w, case, clock: services.case_decide(
        actor=w.judge, case=case, granted=True, reasons="Necessary and proportionate for this search."
    ),
    "deny": lambda w, case, clock: services.case_decide(actor=w.judge, case=case, granted=False, reasons="No."),
    "revoke": lambda w, case, clock: services.case_revoke(actor=w.judge, case=case, reason="Stop."),
    "withdraw": lambda w, case, clock: services.case_withdraw(actor=w.requester, case=case, reason="Found."),
    "close": lambda w, case, clock: services.case_close(actor=w.requester, case=case),
    "expire": _expire,
}

NOOP = "no-op"
REFUSED = "refused"
# (from status, action) -> (new status, event code) | NOOP | REFUSED
OUTCOMES = {
    (S.DRAFT, "submit"): (S.SUBMITTED, "case.submitted"),
    (S.DRAFT, "start_urgent"): (S.URGENT, "case.urgent_started"),
    (S.DRAFT, "approve"): REFUSED,
    (S.DRAFT, "deny"): REFUSED,
    (S.DRAFT, "revoke"): REFUSED,
    (S.DRAFT, "withdraw"): REFUSED,
    (S.DRAFT, "close"): (S.CLOSED, "case.closed"),
    (S.DRAFT, "expire"): NOOP,
    (S.URGENT, "submit"): (S.SUBMITTED, "case.submitted"),
    (S.URGENT, "start_urgent"): NOOP,
    (S.URGENT, "approve"): REFUSED,
    (S.URGENT, "deny"): REFUSED,
    (S.URGENT, "revoke"): (S.REVOKED, "case.revoked"),
    (S.URGENT, "withdraw"): (S.REVOKED, "case.withdrawn"),
    (S.URGENT, "close"): REFUSED,
    (S.URGENT, "expire"): (S.EXPIRED, "case.urgency_lapsed"),
    (S.SUBMITTED, "submit"): NOOP,
    (S.SUBMITTED, "start_urgent"): REFUSED,
    (S.SUBMITTED, "approve"): (S.APPROVED, "case.approved"),
    (S.SUBMITTED, "deny"): (S.DENIED, "case.denied"),
    (S.SUBMITTED, "revoke"): REFUSED,
    (S.SUBMITTED, "withdraw"): (S.CLOSED, "case.withdrawn"),
    (S.SUBMITTED, "close"): REFUSED,
    (S.SUBMITTED, "expire"): NOOP,
    (S.APPROVED, "submit"): REFUSED,
    (S.APPROVED, "start_urgent"): REFUSED,
    (S.APPROVED, "approve"): NOOP,
    (S.APPROVED, "deny"): REFUSED,
    (S.APPROVED, "revoke"): (S.REVOKED, "case.revoked"),
    (S.APPROVED, "withdraw"): (S.REVOKED, "case.withdrawn"),
    (S.APPROVED, "close"): REFUSED,
    (S.APPROVED, "expire"): (S.EXPIRED, "case.expired"),
    (S.DENIED, "submit"): REFUSED,
    (S.DENIED, "start_urgent"): REFUSED,
    (S.DENIED, "approve"): REFUSED,
    (S.DENIED, "deny"): NOOP,
    (S.DENIED, "revoke"): REFUSED,
    (S.DENIED, "withdraw"): REFUSED,
    (S.DENIED, "close"): (S.CLOSED, "case.closed"),
    (S.DENIED, "expire"): NOOP,
    (S.EXPIRED, "submit"): REFUSED,
    (S.EXPIRED, "start_urgent"): REFUSED,
    (S.EXPIRED, "approve"): NOOP,
    (S.EXPIRED, "deny"): REFUSED,
    (S.EXPIRED, "revoke"): REFUSED,
    (S.EXPIRED, "withdraw"): REFUSED,
    (S.EXPIRED, "close"): (S.CLOSED, "case.closed"),
    (S.EXPIRED, "expire"): NOOP,
    (S.REVOKED, "submit"): REFUSED,
    (S.REVOKED, "start_urgent"): REFUSED,
    (S.REVOKED, "approve"): NOOP,
    (S.REVOKED, "deny"): REFUSED,
    (S.REVOKED, "revoke"): NOOP,
    (S.REVOKED, "withdraw"): NOOP,
    (S.REVOKED, "close"): (S.CLOSED, "case.closed"),
    (S.REVOKED, "expire"): NOOP,
    (S.CLOSED, "submit"): REFUSED,
    (S.CLOSED, "start_urgent"): REFUSED,
    (S.CLOSED, "approve"): REFUSED,
    (S.CLOSED, "deny"): REFUSED,
    (S.CLOSED, "revoke"): REFUSED,
    (S.CLOSED, "withdraw"): NOOP,
    (S.CLOSED, "close"): NOOP,
    (S.CLOSED, "expire"): NOOP,
}


def test_the_table_is_the_one_the_issue_specifies():
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == {
        S.DRAFT: {S.SUBMITTED, S.URGENT, S.CLOSED},
        S.URGENT: {S.SUBMITTED, S.REVOKED, S.EXPIRED},
        S.SUBMITTED: {S.APPROVED, S.DENIED, S.CLOSED},
        S.APPROVED: {S.EXPIRED, S.REVOKED},
        S.DENIED: {S.CLOSED},
        S.EXPIRED: {S.CLOSED},
        S.REVOKED: {S.CLOSED},
        S.CLOSED: set(),
    }


def test_every_allowed_transition_is_exercised_below_and_nothing_else_moves():
    moved = {(start, outcome[0]) for (start, _), outcome in OUTCOMES.items() if isinstance(outcome, tuple)}
    allowed = {(start, end) for start, ends in ALLOWED_TRANSITIONS.items() for end in ends}
    assert moved == allowed
    assert set(OUTCOMES) == {(status, action) for status in S.values for action in ACTIONS}


@pytest.mark.parametrize(("status", "action"), sorted(OUTCOMES), ids=lambda v: str(v))
def test_transition(world, clock, status, action):
    case = BUILD[status](world, clock)
    assert case.status == status
    before = AuditEvent.objects.count()
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    snapshot = Case.objects.filter(pk=case.pk).values().get()
    expected = OUTCOMES[(status, action)]

    if expected == REFUSED:
        with pytest.raises((ValidationError, PermissionDenied)):
            ACTIONS[action](world, case, clock)
    else:
        ACTIONS[action](world, case, clock)

    after = Case.objects.filter(pk=case.pk).values().get()
    new_events = list(AuditEvent.objects.filter(seq__gt=last_seq).values_list("event_type", flat=True))
    if expected in (REFUSED, NOOP):
        assert after == snapshot, "nothing about the case may change"
        assert AuditEvent.objects.count() == before, f"no event may be recorded, got {new_events}"
    else:
        new_status, event_type = expected
        assert after["status"] == new_status
        assert new_events[0] == event_type
        # Anything else recorded belongs to the same transition: R9 deletion due, R22 notification, nothing more.
        assert set(new_events[1:]) <= {"case.data_deletion_due", "case.notified"}
        event = AuditEvent.objects.get(seq=last_seq + 1)
        assert event.case_ref == case.reference
        assert event.data_dict.get("from") == status
        assert event.data_dict.get("to") == new_status


@pytest.mark.parametrize("status", [S.SUBMITTED, S.URGENT, S.APPROVED, S.REVOKED, S.CLOSED])
def test_repeating_the_transition_that_led_here_changes_nothing(world, clock, status):
    case = BUILD[status](world, clock)
    repeat = {
        S.SUBMITTED: ACTIONS["submit"],
        S.URGENT: ACTIONS["start_urgent"],
        S.APPROVED: ACTIONS["approve"],
        S.REVOKED: ACTIONS["revoke"],
        S.CLOSED: ACTIONS["close"],
    }[status]
    before = AuditEvent.objects.count()
    repeat(world, case, clock)
    repeat(world, case, clock)
    assert Case.objects.get(pk=case.pk).status == status
    assert AuditEvent.objects.count() == before
