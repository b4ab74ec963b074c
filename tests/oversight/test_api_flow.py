"""The whole life of a case through the REST API, and the OpenAPI schema."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audits.models import AuditEvent
from oversight.models import Case
from tests.oversight.factories import END, START

pytestmark = pytest.mark.django_db


def test_a_commission_case_through_the_api(world, client_for):
    officer = client_for(world.requester)
    response = officer.post(
        reverse("api-cases-create"),
        {
            "objective": "threat",
            "authority": "commission",
            "requested_start": START.isoformat(),
            "requested_end": END.isoformat(),
            "legal_basis": "Police Act s. 42",
            "evidence": "Intercepted messages.",
            "harm_assessment": "Bomb threat at the station.",
            "rights_impact": "Travellers at two exits scanned.",
            "persons": [{"full_name": "Viktor Cerny", "category": "suspect", "reason": "Sent the threat."}],
            "cameras": [{"camera_id": world.cameras[0].pk, "reason": "He uses this exit."}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["reference"] == "FR-2026-0001" and response.json()["status"] == "draft"

    response = officer.post(
        reverse("api-cases-update", args=[pk]),
        {"impact_assessment": SimpleUploadedFile("dpia.pdf", b"%PDF-1.7 assessment")},
    )
    assert response.status_code == 200
    assert officer.post(reverse("api-cases-submit", args=[pk])).json()["status"] == "submitted"

    for member in world.commission[:3]:
        response = client_for(member).post(
            reverse("api-cases-vote", args=[pk]),
            {"granted": True, "reasons": "Necessary and proportionate for this search.", "threshold": 0.5},
            content_type="application/json",
        )
        assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["approved_threshold"] == 0.5

    detail = client_for(world.commission[4]).get(reverse("api-cases-detail", args=[pk])).json()
    assert [v["member"] for v in detail["votes"]] == [m.username for m in world.commission[:3]]
    assert detail["persons"][0]["full_name"] == "Viktor Cerny"
    assert detail["cameras"] == [
        {
            "camera_id": world.cameras[0].pk,
            "name": "Camera 1",
            "location_label": "Main station, exit 1",
            "reason": "He uses this exit.",
            "in_scope": True,
        }
    ]
    assert detail["impact_assessment_attached"] is True

    response = client_for(world.commission[4]).post(
        reverse("api-cases-revoke", args=[pk]), {"reason": "Threat withdrawn."}, content_type="application/json"
    )
    assert response.json()["status"] == "revoked"
    assert Case.objects.get(pk=pk).revoked_by == world.commission[4]
    assert AuditEvent.objects.filter(event_type="case.revoked", case_ref="FR-2026-0001").exists()


def test_an_impact_assessment_that_is_neither_pdf_nor_text_is_refused(world, client_for):
    officer = client_for(world.requester)
    pk = officer.post(
        reverse("api-cases-create"),
        {"objective": "victims", "requested_start": START.isoformat(), "requested_end": END.isoformat()},
        content_type="application/json",
    ).json()["id"]
    response = officer.post(
        reverse("api-cases-update", args=[pk]),
        {"impact_assessment": SimpleUploadedFile("dpia.pdf", b"\x89PNG\r\n\x1a\n\x00\x00binary")},
    )
    assert response.status_code == 400 and "impact_assessment" in response.json()
    assert not Case.objects.get(pk=pk).impact_assessment


def test_references_are_numbered_per_year(world, client_for, clock):
    officer = client_for(world.requester)
    payload = {"objective": "victims", "requested_start": START.isoformat(), "requested_end": END.isoformat()}
    refs = [
        officer.post(reverse("api-cases-create"), payload, content_type="application/json").json()["reference"]
        for _ in range(3)
    ]
    assert refs == ["FR-2026-0001", "FR-2026-0002", "FR-2026-0003"]


def test_the_schema_generates_and_validates_without_warnings_about_cases(client_for, world):
    err = StringIO()
    call_command("spectacular", "--validate", "--file", "/dev/null", stderr=err)
    assert "oversight" not in err.getvalue(), err.getvalue()
    response = client_for(world.requester).get(reverse("api-schema"))
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/cases/",
        "/api/cases/{id}/decide/",
        "/api/cases/{id}/vote/",
        "/api/cameras/",
        "/api/objectives/",
    ):
        assert path in schema
