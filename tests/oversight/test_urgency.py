"""R9: an urgent case runs before authorisation for 24 hours at most; a refusal stops it at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case
from oversight.selectors import case_scopes_for_camera
from oversight.tasks import cases_expire_due
from tests.oversight.factories import NOW, draft_case, urgent_case

pytestmark = pytest.mark.django_db

LIMIT = timedelta(hours=24)


def active(world, at) -> bool:
    return bool(case_scopes_for_camera(camera=world.cameras[0], at=at))


def test_an_urgent_case_is_active_at_once_without_a_decision(world):
    case = urgent_case(world)
    assert case.status == Case.Status.URGENT and case.urgent_started_at == NOW
    assert active(world, NOW)
    event = AuditEvent.objects.filter(event_type="case.urgent_started").get()
    assert event.data_dict["urgency_ends_at"] == (NOW + LIMIT).isoformat()


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (LIMIT - timedelta(seconds=1), True),  # 23:59:59
        (LIMIT - timedelta(microseconds=1), True),
        (LIMIT, False),  # 24:00:00
        (LIMIT + timedelta(seconds=1), False),
    ],
    ids=["23:59:59", "23:59:59.999999", "24:00:00", "24:00:01"],
)
def test_the_24_hour_limit(world, offset, expected):
    urgent_case(world, end=NOW + timedelta(hours=48))
    assert active(world, NOW + offset) is expected


def test_filing_the_request_keeps_it_running_but_never_past_24_hours(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    clock.move_to(NOW + timedelta(hours=20))
    case = services.case_submit(actor=world.requester, case=case)
    assert case.status == Case.Status.SUBMITTED and case.is_urgent
    assert active(world, NOW + timedelta(hours=20))
    assert active(world, NOW + LIMIT - timedelta(seconds=1))
    assert not active(world, NOW + LIMIT)


def test_a_request_filed_after_24_hours_is_refused(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    clock.move_to(NOW + LIMIT)
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    assert "status" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == Case.Status.URGENT


def test_the_periodic_task_marks_a_lapsed_urgent_case_and_records_deletion_due(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    clock.move_to(NOW + LIMIT - timedelta(seconds=1))
    assert cases_expire_due() == 0
    clock.move_to(NOW + LIMIT + timedelta(seconds=30))
    assert cases_expire_due() == 1
    assert cases_expire_due() == 0  # idempotent
    case.refresh_from_db()
    assert case.status == Case.Status.EXPIRED
    assert case.ended_at == NOW + LIMIT  # when it actually stopped, not when the job ran
    assert case.data_deletion_due_at == timezone.now()
    types = list(AuditEvent.objects.filter(case_ref=case.reference).values_list("event_type", flat=True))
    assert types[-3:] == ["case.urgency_lapsed", "case.data_deletion_due", "case.notified"]


def test_a_refusal_stops_an_urgent_case_at_once_and_records_deletion_due(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    clock.move_to(NOW + timedelta(hours=3))
    services.case_submit(actor=world.requester, case=case)
    assert active(world, timezone.now())

    services.case_decide(actor=world.judge, case=case, granted=False, reasons="No urgency was shown.")

    now = timezone.now()
    assert not active(world, now)
    case.refresh_from_db()
    assert case.status == Case.Status.DENIED
    assert case.data_deletion_due_at == now
    events = list(AuditEvent.objects.filter(case_ref=case.reference).order_by("seq"))
    assert [e.event_type for e in events[-3:]] == ["case.denied", "case.data_deletion_due", "case.notified"]
    assert events[-2].data_dict["why"] == "refused"


def test_an_urgent_case_approved_in_time_continues_under_its_decision(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    clock.move_to(NOW + timedelta(hours=2))
    services.case_submit(actor=world.requester, case=case)
    services.case_decide(
        actor=world.judge, case=case, granted=True, reasons="Necessary and proportionate for this search."
    )
    case.refresh_from_db()
    assert case.data_deletion_due_at is None
    assert active(world, NOW + timedelta(hours=30))  # past the 24 hours, inside the approved window


def test_withdrawing_an_urgent_case_before_authorisation_makes_deletion_due(world):
    case = urgent_case(world)
    case = services.case_withdraw(actor=world.requester, case=case, reason="False alarm.")
    assert case.status == Case.Status.REVOKED
    assert case.data_deletion_due_at == NOW
    assert not active(world, NOW)


def test_an_urgent_start_needs_a_written_reason_and_the_impact_assessment(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge, start=NOW, impact_assessment=None)
    with pytest.raises(ValidationError) as refused:
        services.case_start_urgent(actor=world.requester, case=case, urgency_reason="  ")
    assert {"urgency_reason", "impact_assessment"} <= set(refused.value.message_dict)
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not case.is_urgent and case.urgent_started_at is None
    assert not active(world, NOW)


def test_the_authority_sees_an_urgent_case_at_once_and_may_stop_it(world):
    case = urgent_case(world)
    services.case_revoke(actor=world.judge, case=case, reason="Not justified.")
    assert not active(world, NOW)
