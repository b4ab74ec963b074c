"""The office is told of every start and every end of a use, without persons' names or photos; reviewers read
their inbox and each reading is recorded."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audits.events import EventType
from audits.models import AuditEvent
from office import services as office_services
from oversight import services
from oversight.models import OfficeNotification
from tests.oversight.factories import END, NOW, approved_case, draft_case, submitted_case, urgent_case

pytestmark = pytest.mark.django_db


def kinds(case):
    return list(
        OfficeNotification.objects.filter(case_reference=case.reference).order_by("id").values_list("kind", flat=True)
    )


def test_an_approval_and_its_expiry_are_notified_once_each_without_names(world, clock):
    case = approved_case(world)
    assert kinds(case) == ["approved"]
    notification = OfficeNotification.objects.get()
    content = notification.content
    assert content["reference"] == case.reference and content["deployments"] == ["City centre pilot"]
    assert [c["name"] for c in content["cameras"]] == ["Camera 1", "Camera 2"]
    assert content["authority"] == "A judge" and content["window_end"] == END.isoformat()
    text = str(content)
    for person in case.persons.all():
        assert person.full_name not in text and person.reason not in text
    assert case.evidence not in text
    event = AuditEvent.objects.get(event_type=EventType.CASE_NOTIFIED)
    assert event.case_ref == case.reference and event.data_dict["kind"] == "approved"

    services.case_expire_due(now=END + timedelta(minutes=1))
    services.case_expire_due(now=END + timedelta(minutes=2))
    assert kinds(case) == ["approved", "ended"]
    ended = OfficeNotification.objects.get(kind="ended")
    assert ended.content["ended_at"] == END.isoformat() and ended.content["how_it_ended"] == "Expired"


def test_an_urgent_start_its_approval_and_a_revocation_are_notified(world, clock):
    case = urgent_case(world)
    assert kinds(case) == ["urgent_started"]
    assert OfficeNotification.objects.get().content["urgent"] is True
    case = services.case_submit(actor=world.requester, case=case)
    case = services.case_decide(actor=world.judge, case=case, granted=True, reasons="Justified.")
    clock.shift(timedelta(hours=2))
    services.case_revoke(actor=world.judge, case=case, reason="Found.")
    assert kinds(case) == ["urgent_started", "approved", "ended"]
    assert AuditEvent.objects.filter(event_type=EventType.CASE_NOTIFIED).count() == 3


def test_an_urgent_use_refused_or_lapsed_ends_with_a_notification(world, clock):
    refused = urgent_case(world)
    services.case_submit(actor=world.requester, case=refused)
    services.case_decide(actor=world.judge, case=refused, granted=False, reasons="No.")
    assert kinds(refused) == ["urgent_started", "ended"]
    lapsed = urgent_case(world, end=NOW + timedelta(hours=30))
    services.case_expire_due(now=NOW + timedelta(hours=25))
    assert kinds(lapsed) == ["urgent_started", "ended"]


def test_cases_never_in_use_are_not_notified(world):
    denied = submitted_case(world)
    services.case_decide(actor=world.judge, case=denied, granted=False, reasons="No.")
    withdrawn = submitted_case(world)
    services.case_withdraw(actor=world.requester, case=withdrawn)
    draft = draft_case(world.requester, world.cameras, judge=world.judge)
    services.case_close(actor=world.requester, case=draft)
    assert not OfficeNotification.objects.exists()


def test_reviewers_read_their_inbox_and_each_reading_is_recorded(world, client_for):
    case = approved_case(world)
    notification = OfficeNotification.objects.get()
    office = client_for(world.dpo)
    page = office.get(reverse("office:notification_list"))
    assert page.status_code == 200 and case.reference in page.content.decode()
    assert "Jana Novakova" not in page.content.decode()
    url = reverse("office:notification_read", args=[notification.pk])
    assert office.post(url).status_code == 302
    assert office.post(url).status_code == 302  # a repeat changes nothing
    notification.refresh_from_db()
    assert notification.read_by == world.dpo and notification.read_at is not None
    assert AuditEvent.objects.filter(event_type=EventType.NOTIFICATION_READ).count() == 1
    for user in (world.requester, world.judge, world.outsider, world.platform_admin):
        client = client_for(user)
        assert client.get(reverse("office:notification_list")).status_code == 403
        assert client.post(url).status_code == 404
        with pytest.raises(PermissionDenied):
            office_services.notification_mark_read(actor=user, notification=notification)


def test_the_inbox_and_the_deployment_list_take_a_fixed_number_of_queries(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = client_for(world.dpo)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert office.get(url).status_code == 200
        return len(captured)

    approved_case(world)
    inbox, deployments = queries(reverse("office:notification_list")), queries(reverse("office:deployment_list"))
    for _ in range(3):
        services.case_revoke(actor=world.judge, case=approved_case(world), reason="Done.")
    assert OfficeNotification.objects.count() == 7
    assert queries(reverse("office:notification_list")) == inbox
    assert queries(reverse("office:deployment_list")) == deployments
