"""Bad input is refused with a message naming the field, and nothing is saved.

Checked through the service, the API and the page, counting rows before and after.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case, CaseCamera, CaseSequence, Person
from tests.oversight.factories import END, START, draft_case

pytestmark = pytest.mark.django_db


def counts():
    return (
        Case.objects.count(),
        Person.objects.count(),
        CaseCamera.objects.count(),
        CaseSequence.objects.filter(last__gt=0).count(),
        AuditEvent.objects.exclude(event_type__startswith="auth.").count(),
    )


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# name -> (field the message must name, changes to a valid request)
BAD = {
    "end-before-start": ("requested_end", {"requested_end": START - timedelta(hours=1)}),
    "end-equals-start": ("requested_end", {"requested_end": START}),
    "window-over-maximum": ("requested_end", {"requested_end": START + timedelta(hours=72, minutes=1)}),
    "unknown-camera": ("cameras[0].camera_id", {"cameras": [{"camera_id": 999999, "reason": "x"}]}),
    "disabled-objective": ("objective", {"objective": "threat"}),
    "unknown-objective": ("objective", {"objective": "general_surveillance"}),
    "threshold-laxer-than-the-limit": ("match_threshold", {"match_threshold": 0.61}),
    "threshold-zero": ("match_threshold", {"match_threshold": 0}),
    "too-many-cameras": ("cameras", {"cameras": "seven"}),
    "suspect-without-offence": ("offence", {"objective": "suspect", "offence_max_sentence_years": 8}),
    "suspect-sentence-under-4": (
        "offence_max_sentence_years",
        {"objective": "suspect", "offence": "Theft", "offence_max_sentence_years": 3},
    ),
    "catch-all-person": (
        "persons[0].full_name",
        {"persons": [{"full_name": "Known hooligans", "category": "suspect", "reason": "x"}]},
    ),
    "person-without-category": (
        "persons[0].category",
        {"persons": [{"full_name": "Jan Novak", "category": "group", "reason": "x"}]},
    ),
    "camera-without-reason": ("cameras[0].reason", {"cameras": "no-reason"}),
    "judge-is-not-a-judge": ("assigned_judge", {"assigned_judge": "colleague"}),
}


def request_values(world, changes):
    values = {
        "objective": "victims",
        "requested_start": START,
        "requested_end": END,
        "assigned_judge": world.judge,
        "legal_basis": "Police Act s. 42",
        "persons": [{"full_name": "Jana Novakova", "category": "victim", "reason": "Abducted"}],
        "cameras": [{"camera_id": world.cameras[0].pk, "reason": "Her route to school"}],
    }
    changes = dict(changes)
    if changes.get("cameras") == "seven":
        # settings.CASE_MAX_CAMERAS is 5 by default; six registered cameras, plus one unknown.
        changes["cameras"] = [{"camera_id": c.pk, "reason": "On the route"} for c in world.cameras]
    if changes.get("cameras") == "no-reason":
        changes["cameras"] = [{"camera_id": world.cameras[0].pk, "reason": "  "}]
    if changes.get("assigned_judge") == "colleague":
        changes["assigned_judge"] = world.colleague
    return values | changes


@pytest.fixture
def threat_disabled(world):
    services.objective_set_enabled(actor=world.platform_admin, code="threat", enabled=False)


@pytest.mark.parametrize("case_name", BAD)
def test_service_refuses_and_saves_nothing(world, threat_disabled, case_name):
    field, changes = BAD[case_name]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.case_create(actor=world.requester, **request_values(world, changes))
    assert field in refused.value.message_dict, refused.value.message_dict
    assert counts() == before


def api_payload(world, changes):
    values = request_values(world, changes)
    values["requested_start"] = values["requested_start"].isoformat()
    values["requested_end"] = values["requested_end"].isoformat()
    values["assigned_judge"] = values["assigned_judge"].pk
    return values


@pytest.mark.parametrize("case_name", BAD)
def test_api_refuses_with_400_naming_the_field_and_saves_nothing(world, threat_disabled, client_for, case_name):
    field, changes = BAD[case_name]
    client = client_for(world.requester)
    before = counts()
    response = client.post(reverse("api-cases-create"), api_payload(world, changes), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert counts() == before


PAGE_BAD = {
    "end-before-start": ("requested_end", {"requested_end": local(START - timedelta(hours=1))}),
    "window-over-maximum": ("requested_end", {"requested_end": local(START + timedelta(hours=73))}),
    "disabled-objective": ("objective", {"objective": "threat"}),
    "threshold-laxer-than-the-limit": ("match_threshold", {"match_threshold": "0.7"}),
    "suspect-sentence-under-4": (
        "offence_max_sentence_years",
        {"objective": "suspect", "offence": "Theft", "offence_max_sentence_years": "3"},
    ),
    "not-a-date": ("requested_start", {"requested_start": "tomorrow"}),
}


@pytest.mark.parametrize("case_name", PAGE_BAD)
def test_the_page_shows_the_error_next_to_the_field_and_saves_nothing(world, threat_disabled, client_for, case_name):
    field, changes = PAGE_BAD[case_name]
    data = {
        "objective": "victims",
        "authority": "judge",
        "assigned_judge": world.judge.pk,
        "requested_start": local(START),
        "requested_end": local(END),
        "match_threshold": "0.5",
    } | changes
    before = counts()
    response = client_for(world.requester).post(reverse("oversight:case_create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert f'id="id_{field}_errors"' in response.content.decode()  # rendered next to the field
    assert counts() == before


def test_unknown_camera_on_a_draft_is_refused_through_api_and_page(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    client = client_for(world.requester)
    before = counts()
    response = client.post(
        reverse("api-cases-cameras-add", args=[case.pk]),
        {"camera_id": 999999, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "camera" in response.json()
    response = client.post(reverse("oversight:case_camera_add", args=[case.pk]), {"camera": 999999, "reason": "x"})
    assert response.status_code == 400 and "camera" in response.context["camera_form"].errors
    assert counts()[:3] == before[:3]


def test_a_sixth_camera_on_a_draft_is_refused(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge, camera_count=5)
    with pytest.raises(ValidationError) as refused:
        services.case_camera_add(actor=world.requester, case=case, camera_id=world.cameras[5].pk, reason="One more")
    assert "camera" in refused.value.message_dict
    assert CaseCamera.objects.filter(case=case).count() == 5


def test_missing_legal_basis_and_reasons_are_refused_at_submission(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge, complete=False)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    assert {"legal_basis", "evidence", "harm_assessment", "rights_impact", "impact_assessment"} <= set(
        refused.value.message_dict
    )
    response = client_for(world.requester).post(reverse("api-cases-submit", args=[case.pk]))
    assert response.status_code == 400 and "legal_basis" in response.json()
    response = client_for(world.requester).post(reverse("oversight:case_submit", args=[case.pk]))
    # The page names the field as people know it, never by its key.
    page = response.content.decode()
    assert response.status_code == 400 and "Legal basis:" in page and "legal_basis" not in page
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT
    assert counts()[:4] == before[:4]


def test_submission_needs_persons_cameras_and_a_judge(world):
    case = draft_case(world.requester, world.cameras, judge=None, persons=(), camera_count=0)
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    assert {"persons", "cameras", "assigned_judge"} <= set(refused.value.message_dict)


def test_a_window_already_over_cannot_be_submitted(world, clock):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    clock.move_to(END)
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    assert "requested_end" in refused.value.message_dict


def test_an_objective_disabled_after_drafting_blocks_submission(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge, objective="threat")
    services.objective_set_enabled(actor=world.platform_admin, code="threat", enabled=False)
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    assert "objective" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_editing_a_draft_into_bad_values_changes_nothing(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    before = Case.objects.filter(pk=case.pk).values().get()
    response = client_for(world.requester).post(
        reverse("api-cases-update", args=[case.pk]),
        {"match_threshold": 0.9, "requested_end": (START - timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"match_threshold", "requested_end"} <= set(response.json())
    assert Case.objects.filter(pk=case.pk).values().get() == before


def test_only_drafts_can_be_edited(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    services.case_submit(actor=world.requester, case=case)
    with pytest.raises(ValidationError) as refused:
        services.case_update_draft(actor=world.requester, case=case, legal_basis="Another act")
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.case_person_add(actor=world.requester, case=case, full_name="Ivo Maly", category="witness", reason="x")
