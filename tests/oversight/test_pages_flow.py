"""The whole life of a case through the HTML pages: draft, persons, cameras, submit, decide, revoke."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from oversight.models import Case
from tests.oversight.factories import END, START, draft_case

pytestmark = pytest.mark.django_db


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_a_case_from_draft_to_revocation_through_the_pages(world, client_for):
    officer = client_for(world.requester)
    assert officer.get(reverse("oversight:case_create")).status_code == 200
    response = officer.post(
        reverse("oversight:case_create"),
        {
            "objective": "victims",
            "authority": "judge",
            "assigned_judge": world.judge.pk,
            "requested_start": local(START),
            "requested_end": local(END),
            "match_threshold": "0.5",
            "legal_basis": "Police Act s. 42",
            "evidence": "CCTV of the abduction.",
            "harm_assessment": "Life of a child.",
            "rights_impact": "Passers-by scanned at two exits.",
            "impact_assessment": SimpleUploadedFile("dpia.txt", b"Assessment: proportionate.\n"),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("oversight:case_detail", args=[case.pk])
    assert case.reference == "FR-2026-0001" and case.impact_assessment.name.endswith(".txt")

    detail = reverse("oversight:case_detail", args=[case.pk])
    officer.post(
        reverse("oversight:case_person_add", args=[case.pk]),
        {"full_name": "Jana Novakova", "category": "victim", "reason": "Abducted this morning."},
    )
    officer.post(
        reverse("oversight:case_camera_add", args=[case.pk]),
        {"camera": world.cameras[0].pk, "reason": "The road out of town."},
    )
    page = officer.get(detail).content.decode()
    assert "Jana Novakova" in page and "Camera 1" in page and "Submit for authorisation" in page
    assert officer.post(reverse("oversight:case_submit", args=[case.pk])).status_code == 302
    assert Case.objects.get().status == Case.Status.SUBMITTED

    judge = client_for(world.judge)
    assert "Decide" in judge.get(detail).content.decode()
    form = judge.get(reverse("oversight:case_decide", args=[case.pk]))
    assert form.status_code == 200
    response = judge.post(
        reverse("oversight:case_decide", args=[case.pk]),
        {
            "granted": "yes",
            "reasons": "Strictly necessary.",
            "start": local(START),
            "end": local(END),
            "threshold": "0.45",
            "persons": [case.persons.get().pk],
            "cameras": [world.cameras[0].pk],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.approved_threshold) == (Case.Status.APPROVED, 0.45)

    assert judge.post(reverse("oversight:case_revoke", args=[case.pk]), {"revoke-reason": ""}).status_code == 400
    assert judge.post(reverse("oversight:case_revoke", args=[case.pk]), {"revoke-reason": "Found."}).status_code == 302
    assert Case.objects.get().status == Case.Status.REVOKED
    assert officer.post(reverse("oversight:case_close", args=[case.pk])).status_code == 302
    assert Case.objects.get().status == Case.Status.CLOSED


def test_the_decision_page_shows_a_widening_error_next_to_the_field(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    from oversight import services

    services.case_submit(actor=world.requester, case=case)
    response = client_for(world.judge).post(
        reverse("oversight:case_decide", args=[case.pk]),
        {
            "granted": "yes",
            "reasons": "Necessary and proportionate for this search.",
            "start": local(START),
            "end": local(END),
            "threshold": "0.58",  # laxer than the requested default 0.50
            "persons": list(case.persons.values_list("id", flat=True)),
            "cameras": [world.cameras[0].pk],
        },
    )
    assert response.status_code == 400
    assert "threshold" in response.context["form"].errors
    assert 'id="id_threshold_errors"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_a_refusal_on_the_page_needs_reasons(world, client_for):
    from oversight import services

    case = draft_case(world.requester, world.cameras, judge=world.judge)
    services.case_submit(actor=world.requester, case=case)
    url = reverse("oversight:case_decide", args=[case.pk])
    response = client_for(world.judge).post(url, {"granted": "no", "reasons": ""})
    assert response.status_code == 400 and "reasons" in response.context["form"].errors
    response = client_for(world.judge).post(url, {"granted": "no", "reasons": "Not proportionate."})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.DENIED


def test_an_urgent_start_through_the_page(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    officer = client_for(world.requester)
    url = reverse("oversight:case_start_urgent", args=[case.pk])
    assert officer.get(url).status_code == 200
    response = officer.post(url, {"urgency_reason": ""})
    assert response.status_code == 400 and "urgency_reason" in response.context["form"].errors
    assert officer.post(url, {"urgency_reason": "Imminent threat to life."}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.URGENT


def test_a_draft_with_an_objective_needing_an_offence_through_the_edit_page(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    officer = client_for(world.requester)
    url = reverse("oversight:case_edit", args=[case.pk])
    assert officer.get(url).status_code == 200
    data = {
        "objective": "suspect",
        "authority": "judge",
        "assigned_judge": world.judge.pk,
        "requested_start": local(START),
        "requested_end": local(END),
        "match_threshold": "0.5",
        "offence": "Armed robbery",
        "offence_max_sentence_years": "12",
    }
    assert officer.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.objective_id, case.offence_max_sentence_years, case.match_threshold) == ("suspect", 12, 0.5)
