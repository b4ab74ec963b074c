"""Build cases with persons and reference photos through the services."""

from datetime import date, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oversight.models import Camera, Deployment, Objective
from oversight.services import case_create
from watchlists import services

FACES = Path(__file__).resolve().parents[1] / "fixtures" / "faces"


def face_bytes(relative: str) -> bytes:
    return (FACES / relative).read_bytes()


def draft_case(requester, *, persons=("Lin-Manuel Miranda",), judge=None):
    # The objective rows come from a data migration; a transactional test elsewhere may have flushed them.
    Objective.objects.get_or_create(code="suspect", defaults={"label": "(c) Locating a suspect", "enabled": True})
    camera, _ = Camera.objects.get_or_create(
        name="Metro entrance A", defaults={"location_label": "Mustek", "source": "/dev/null/clip.mp4"}
    )
    # Cases use only cameras of a deployment the data protection office approved.
    deployment, _ = Deployment.objects.get_or_create(
        name="Metro pilot",
        defaults={
            "locations": "Mustek",
            "consultation_request": "Prior consultation on the metro pilot.",
            "consultation_requested_on": timezone.localdate() - timedelta(days=60),
            "opinion": Deployment.Opinion.FAVOURABLE,
            "opinion_given_on": timezone.localdate() - timedelta(days=30),
            "created_by": requester,
        },
    )
    deployment.cameras.add(camera)
    start = timezone.now() + timedelta(hours=1)
    return case_create(
        actor=requester,
        objective="suspect",
        offence="Armed robbery",
        offence_max_sentence_years=12,
        requested_start=start,
        requested_end=start + timedelta(hours=12),
        assigned_judge=judge,
        legal_basis="Police Act s. 62",
        evidence="Sighted near the station on CCTV.",
        harm_assessment="Armed and dangerous.",
        rights_impact="Limited to two entrances for twelve hours.",
        impact_assessment=SimpleUploadedFile("dpia.txt", b"Impact assessment for the deployment."),
        persons=[{"full_name": name, "category": "suspect", "reason": "Named in warrant"} for name in persons],
        cameras=[{"camera_id": camera.pk, "reason": "Seen entering here daily"}],
    )


def upload(requester, person, relative: str, **overrides):
    values = {
        "source": "Police records, booking photo",
        "legal_basis": "Police Act s. 63",
        "captured_at": date.today() - timedelta(days=30),
    }
    values.update(overrides)
    return services.reference_photo_upload(actor=requester, person=person, data=face_bytes(relative), **values)


def upload_and_encode(requester, person, relative: str):
    photo = upload(requester, person, relative)
    return services.reference_photo_encode(photo_id=photo.pk)
