"""Deployments and the office's prior opinion: a case may use only cameras of a deployment whose opinion is
given and not unfavourable, at drafting, at submission and at the decision (service, API and page)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits.events import EventType
from audits.models import AuditEvent
from oversight import services
from oversight.models import Case, Decision, Deployment
from tests.oversight.factories import END, NOW, START, deployment_with_opinion, draft_case, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def spare(platform_admin):
    """Two cameras outside any deployment."""
    return [
        services.camera_create(actor=platform_admin, name=f"Spare {i}", location_label="Old town", source="rtsp://h/s")
        for i in (1, 2)
    ]


def _turn_unfavourable(w, camera_ids):
    deployment = Deployment.objects.get(cameras__in=camera_ids)
    return services.deployment_record_opinion(
        actor=w.dpo, deployment=deployment, opinion="unfavourable", given_on=NOW.date()
    )


def test_administrators_register_deployments_and_only_the_office_records_its_opinion(world, spare):
    deployment = services.deployment_create(
        actor=world.platform_admin,
        name="Old town pilot",
        locations="Old town square",
        consultation_request="May we run a pilot?",
        consultation_requested_on=NOW.date(),
        camera_ids=[c.pk for c in spare],
    )
    assert not deployment.usable
    for user in (world.requester, world.judge, world.outsider, world.platform_admin):
        with pytest.raises(PermissionDenied):
            services.deployment_record_opinion(
                actor=user, deployment=deployment, opinion="favourable", given_on=NOW.date()
            )
    for user in (world.requester, world.dpo, world.outsider):
        with pytest.raises(PermissionDenied):
            services.deployment_create(
                actor=user, name="x", locations="x", consultation_request="x", consultation_requested_on=NOW.date()
            )
    with pytest.raises(ValidationError) as exc:
        services.deployment_record_opinion(actor=world.dpo, deployment=deployment, opinion="conditional", given_on=None)
    assert set(exc.value.message_dict) == {"given_on", "conditions"}
    with pytest.raises(ValidationError):
        services.deployment_record_opinion(
            actor=world.dpo, deployment=deployment, opinion="favourable", given_on=NOW.date() + timedelta(days=1)
        )
    document = SimpleUploadedFile("opinion.pdf", b"%PDF-1.4\n% opinion\n", content_type="application/pdf")
    services.deployment_record_opinion(
        actor=world.dpo,
        deployment=deployment,
        opinion="conditional",
        given_on=NOW.date(),
        conditions="Signs at every entrance.",
        document=document,
    )
    deployment.refresh_from_db()
    assert deployment.usable and deployment.opinion_document
    event = AuditEvent.objects.filter(event_type=EventType.DEPLOYMENT_OPINION_RECORDED).last()
    assert event.data_dict["to"] == "conditional" and event.data_dict["document_sha256"]
    # The same opinion again records nothing.
    count = AuditEvent.objects.count()
    services.deployment_record_opinion(
        actor=world.dpo,
        deployment=deployment,
        opinion="conditional",
        given_on=NOW.date(),
        conditions="Signs at every entrance.",
    )
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize("opinion", [None, "unfavourable"])
def test_a_draft_cannot_name_cameras_without_a_usable_opinion(world, spare, opinion):
    deployment_with_opinion(world.platform_admin, world.dpo, spare, opinion=opinion, name="Old town pilot")
    with pytest.raises(ValidationError) as exc:
        draft_case(world.requester, spare, judge=world.judge)
    assert "favourable opinion" in str(exc.value.message_dict["cameras[0].camera_id"])
    assert not Case.objects.exists()
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    with pytest.raises(ValidationError) as exc:
        services.case_camera_add(actor=world.requester, case=case, camera_id=spare[0].pk, reason="Seen there")
    assert "favourable opinion" in exc.value.message_dict["camera"][0]
    assert case.case_cameras.count() == 2


def test_a_conditional_opinion_allows_the_cameras_and_its_conditions_are_shown(world, spare, client_for):
    deployment_with_opinion(
        world.platform_admin,
        world.dpo,
        spare,
        opinion="conditional",
        name="Old town pilot",
        conditions="No use at night.",
    )
    case = services.case_submit(actor=world.requester, case=draft_case(world.requester, spare, judge=world.judge))
    for user in (world.requester, world.judge):
        page = client_for(user).get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
        assert "Old town pilot" in page and "No use at night." in page and "Favourable with conditions" in page
    decide = client_for(world.judge).get(reverse("oversight:case_decide", args=[case.pk])).content.decode()
    assert "No use at night." in decide
    services.case_decide(actor=world.judge, case=case, granted=True, reasons="Necessary.")
    assert Case.objects.get(pk=case.pk).status == Case.Status.APPROVED


def test_submission_is_refused_when_the_opinion_turned_unfavourable(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    _turn_unfavourable(world, [world.cameras[0].pk])
    with pytest.raises(ValidationError) as exc:
        services.case_submit(actor=world.requester, case=case)
    assert "favourable opinion" in " ".join(exc.value.message_dict["cameras"])
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_the_service_will_not_approve_a_case_on_cameras_without_a_usable_opinion(world):
    case = submitted_case(world)
    _turn_unfavourable(world, [world.cameras[0].pk])
    with pytest.raises(ValidationError) as exc:
        services.case_decide(actor=world.judge, case=case, granted=True, reasons="Necessary.")
    assert "camera_ids" in exc.value.message_dict
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and not Decision.objects.exists()
    # A refusal is still possible.
    services.case_decide(actor=world.judge, case=case, granted=False, reasons="The office is against it.")
    assert Case.objects.get(pk=case.pk).status == Case.Status.DENIED


def test_the_api_will_not_approve_a_case_on_cameras_without_a_usable_opinion(world, client_for):
    case = submitted_case(world)
    _turn_unfavourable(world, [world.cameras[0].pk])
    response = client_for(world.judge).post(
        f"/api/cases/{case.pk}/decide/", {"granted": True, "reasons": "Necessary."}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "favourable opinion" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_the_page_will_not_approve_a_case_on_cameras_without_a_usable_opinion(world, client_for):
    case = submitted_case(world)
    _turn_unfavourable(world, [world.cameras[0].pk])
    response = client_for(world.judge).post(
        reverse("oversight:case_decide", args=[case.pk]),
        {
            "granted": "yes",
            "reasons": "Necessary.",
            "start": timezone.localtime(START).strftime("%Y-%m-%dT%H:%M"),
            "end": timezone.localtime(END).strftime("%Y-%m-%dT%H:%M"),
            "threshold": "0.45",
            "persons": list(case.persons.values_list("pk", flat=True)),
            "cameras": [world.cameras[0].pk, world.cameras[1].pk],
        },
    )
    assert response.status_code == 400
    assert "favourable opinion" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_the_commission_cannot_approve_on_cameras_without_a_usable_opinion(world):
    case = services.case_submit(
        actor=world.requester, case=draft_case(world.requester, world.cameras, authority="commission")
    )
    for member in world.commission[:2]:
        services.case_vote(actor=member, case=case, granted=True, reasons="Yes.")
    _turn_unfavourable(world, [world.cameras[0].pk])
    with pytest.raises(ValidationError):
        services.case_vote(actor=world.commission[2], case=case, granted=True, reasons="Yes.")
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_deployment_pages_for_administrators_and_the_office(world, spare, client_for):
    admin = client_for(world.platform_admin)
    response = admin.post(
        reverse("office:deployment_create"),
        {
            "name": "Old town pilot",
            "locations": "Old town square",
            "consultation_request": "May we?",
            "consultation_requested_on": "2026-02-01",
            "camera_ids": [spare[0].pk],
        },
    )
    assert response.status_code == 302
    deployment = Deployment.objects.get(name="Old town pilot")
    detail = reverse("office:deployment_detail", args=[deployment.pk])
    assert "Record the office" not in admin.get(detail).content.decode()
    assert admin.post(reverse("office:deployment_opinion", args=[deployment.pk]), {}).status_code == 403
    office = client_for(world.dpo)
    assert "Record the office" in office.get(detail).content.decode()
    bad = office.post(
        reverse("office:deployment_opinion", args=[deployment.pk]),
        {"opinion": "conditional", "given_on": "2026-02-20"},
    )
    assert bad.status_code == 400 and "State the office" in bad.content.decode()
    ok = office.post(
        reverse("office:deployment_opinion", args=[deployment.pk]),
        {
            "opinion": "favourable",
            "given_on": "2026-02-20",
            "document": SimpleUploadedFile("o.txt", b"The office is in favour.\n", content_type="text/plain"),
        },
    )
    assert ok.status_code == 302
    document = office.get(reverse("office:deployment_document", args=[deployment.pk]))
    assert document.status_code == 200 and b"".join(document.streaming_content) == b"The office is in favour.\n"
    assert AuditEvent.objects.filter(
        event_type=EventType.DEPLOYMENT_DOCUMENT_VIEWED, actor_label="dpo_reviewer"
    ).exists()
    assert client_for(world.outsider).get(detail).status_code == 404
    assert (
        client_for(world.outsider).get(reverse("office:deployment_document", args=[deployment.pk])).status_code == 404
    )
    assert client_for(world.requester).get(reverse("office:deployment_list")).status_code == 200
    assert client_for(world.requester).get(reverse("office:deployment_create")).status_code == 403


def test_administrators_change_a_deployment_s_cameras_and_nobody_else(world, spare, client_for):
    deployment = Deployment.objects.get()
    url = reverse("office:deployment_cameras", args=[deployment.pk])
    for user in (world.dpo, world.requester, world.judge):
        assert client_for(user).post(url, {"camera_ids": [spare[0].pk]}).status_code == 403
    assert client_for(world.outsider).post(url, {"camera_ids": [spare[0].pk]}).status_code == 404
    ids = [c.pk for c in world.cameras] + [spare[0].pk]
    assert client_for(world.platform_admin).post(url, {"camera_ids": ids}).status_code == 302
    assert sorted(deployment.cameras.values_list("pk", flat=True)) == sorted(ids)
    event = AuditEvent.objects.filter(event_type=EventType.DEPLOYMENT_UPDATED).get()
    assert event.data_dict["cameras_added"] == [spare[0].pk]
    # The spare camera is now usable by a case.
    draft_case(world.requester, [spare[0]], judge=world.judge, camera_count=1)
