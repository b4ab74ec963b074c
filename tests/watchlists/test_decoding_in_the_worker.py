"""Reference photos are decoded in the worker, never in the web request (R12, bounded uploads).

The web process checks size, type, pixel count and bit depth from the header and stores the upload encrypted, as
received; the worker's task decodes it (Pillow), normalises it (upright RGB, no metadata), replaces the stored copy
and encodes the face. Until then the pages say the face is being computed; a damaged image is refused by the worker
in plain words, shown on the photo's row in the reader's language, and nothing of it is kept.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from audits.models import AuditEvent
from tests.conftest import force_login_with_second_factor
from tests.watchlists.factories import draft_case, face_bytes, upload
from watchlists import crypto, imaging, registry, services
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db


def media_files():
    root = Path(settings.MEDIA_ROOT) / "watchlists"
    return sorted(p for p in root.glob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def nothing_decodes_here(monkeypatch):
    """Any pixel decoding or face encoding in this process fails the test: what the web request may not do."""
    calls = []

    def refuse(name):
        def _refused(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} called in the web request")

        return _refused

    monkeypatch.setattr(Image.Image, "load", refuse("PIL.Image.load"))
    monkeypatch.setattr(imaging, "validate_reference_image", refuse("imaging.validate_reference_image"))
    monkeypatch.setattr(registry, "reference_encoder", lambda: refuse("reference encoder"))
    monkeypatch.setattr(services, "reference_encoder", lambda: refuse("reference encoder"))
    return calls


def test_the_upload_request_decodes_nothing_and_queues_the_worker(
    requester, settings, nothing_decodes_here, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(services, "_queue_encoding", queued.append)
    case = draft_case(requester)
    person = case.persons.get()
    client = Client()
    force_login_with_second_factor(client, requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("watchlists:photo_upload", args=[case.pk, person.pk]),
            {
                "photo": SimpleUploadedFile("obama.jpg", face_bytes("people/obama_1.jpg")),
                "source": "Records",
                "legal_basis": "Police Act",
                "captured_at": "2026-10-01",
            },
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert nothing_decodes_here == []
    photo = ReferencePhoto.objects.get()
    assert queued == [photo.pk] and photo.status == ReferencePhoto.Status.PENDING and photo.decoded_at is None
    # Stored as received (encrypted): the worker has not normalised it yet.
    stored = crypto.decrypt(media_files()[0].read_bytes(), aad=photo.aad("photo"))
    assert stored == face_bytes("people/obama_1.jpg")
    page = client.get(reverse("watchlists:photo_upload", args=[case.pk, person.pk])).content.decode()
    assert "face being computed" in page


def test_the_worker_normalises_the_upload_then_encodes_it(requester):
    case = draft_case(requester)
    photo = upload(requester, case.persons.get(), "people/obama_1.jpg")
    original = media_files()
    photo = services.reference_photo_encode(photo_id=photo.pk)
    assert photo.status == ReferencePhoto.Status.READY and photo.decoded_at is not None
    [stored] = media_files()
    assert stored not in original  # the upload as received is gone; its normalised copy replaced it
    normalised = crypto.decrypt(stored.read_bytes(), aad=photo.aad("photo"))
    assert normalised != face_bytes("people/obama_1.jpg")
    assert b"Exif" not in normalised[:200]  # metadata dropped by the worker's normalisation
    assert services.reference_photo_encode(photo_id=photo.pk).decoded_at == photo.decoded_at  # idempotent


def _truncated_jpeg():
    data = face_bytes("people/obama_1.jpg")
    return data[: len(data) // 2]


def test_a_damaged_image_passes_the_header_check_and_is_refused_by_the_worker_in_plain_words(
    requester, client_for, django_capture_on_commit_callbacks
):
    from watchlists.models import ReferencePhoto as Photo

    case = draft_case(requester)
    person = case.persons.get()
    photo = services.reference_photo_upload(
        actor=requester,
        person=person,
        data=_truncated_jpeg(),
        source="s",
        legal_basis="l",
        captured_at=date(2026, 1, 1),
    )
    assert photo.status == Photo.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.reference_photo_encode(photo_id=photo.pk)
    assert photo.status == Photo.Status.FAILED
    assert photo.failure_reason == "The JPEG file is damaged or incomplete and cannot be read; upload it again."
    assert media_files() == [] and photo.photo_file == ""  # nothing of the refused image is kept
    failed = AuditEvent.objects.get(event_type="photo.encoding_failed")
    assert failed.data_dict["image_discarded"] is True
    # The refusal is shown on the photo's row, in the reader's language.
    client = client_for(requester)
    force_login_with_second_factor(client, requester)
    url = reverse("watchlists:photo_upload", args=[case.pk, person.pk])
    assert "damaged or incomplete and cannot be read" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    czech = client.get(url).content.decode()
    assert "damaged or incomplete" not in czech and "JPEG" in czech


def test_every_refusal_of_the_imaging_module_is_listed_for_translation():
    source = Path(imaging.__file__).read_text()
    raised = set(re.findall(r'gettext_noop\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source))
    assert raised and raised <= set(imaging.REFUSAL_TEMPLATES)


def test_the_upload_as_received_is_never_served_before_the_worker_decoded_it(requester):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/obama_1.jpg")
    with pytest.raises(LookupError):
        services.reference_photo_consult(actor=requester, case=case, person=person, photo_pk=photo.pk, via="page")
    services.reference_photo_encode(photo_id=photo.pk)
    served = services.reference_photo_consult(actor=requester, case=case, person=person, photo_pk=photo.pk, via="page")
    assert served.content_type == "image/jpeg" and served.content != face_bytes("people/obama_1.jpg")
