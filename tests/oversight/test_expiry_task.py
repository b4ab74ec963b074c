"""The periodic task marks ended cases expired and records it; it is scheduled every minute."""

from datetime import timedelta

import pytest
from django.conf import settings

from audits.models import AuditEvent
from oversight.models import Case
from oversight.tasks import cases_expire_due
from tests.oversight.factories import END, approved_case

pytestmark = pytest.mark.django_db


def test_the_task_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["oversight-cases-expire-due"]
    assert entry == {"task": "oversight.cases_expire_due", "schedule": 60.0}
    assert cases_expire_due.name == "oversight.cases_expire_due"


def test_approved_cases_expire_at_their_end_once(world, clock):
    case = approved_case(world)
    clock.move_to(END - timedelta(microseconds=1))
    assert cases_expire_due() == 0
    clock.move_to(END + timedelta(seconds=40))
    assert cases_expire_due() == 1
    assert cases_expire_due() == 0
    case.refresh_from_db()
    assert case.status == Case.Status.EXPIRED and case.ended_at == END
    event = AuditEvent.objects.get(event_type="case.expired")
    assert event.actor_label == "system" and event.case_ref == case.reference


def test_a_revoked_case_is_not_expired(world, clock):
    from oversight import services

    case = approved_case(world)
    services.case_revoke(actor=world.judge, case=case, reason="Found.")
    clock.move_to(END + timedelta(hours=1))
    assert cases_expire_due() == 0
    assert Case.objects.get(pk=case.pk).status == Case.Status.REVOKED
