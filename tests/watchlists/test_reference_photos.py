"""Reference photos: validated, encrypted, encoded by the worker; refusals keep nothing (R12)."""

import io
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from audits.models import AuditEvent
from tests.watchlists.factories import draft_case, face_bytes, upload, upload_and_encode
from watchlists import crypto
from watchlists.models import ReferencePhoto
from watchlists.selectors import persons_without_ready_reference, watchlist_templates, watchlist_version

pytestmark = pytest.mark.django_db


def media_files():
    root = Path(settings.MEDIA_ROOT) / "watchlists"
    return sorted(p for p in root.glob("*") if p.is_file()) if root.exists() else []


def decrypted_encoding(photo):
    return crypto.decrypt_array(bytes(photo.encoding_blob), aad=photo.aad("encoding"))


def test_real_photos_encode_and_separate_people(requester):
    case = draft_case(requester, persons=("Barack Obama", "Joe Biden"))
    obama, biden = case.persons.order_by("full_name")[0], case.persons.order_by("full_name")[1]
    o1 = upload_and_encode(requester, obama, "people/obama_1.jpg")
    o2 = upload_and_encode(requester, obama, "people/obama_2.jpg")
    b1 = upload_and_encode(requester, biden, "people/biden_1.jpg")
    assert {p.status for p in (o1, o2, b1)} == {ReferencePhoto.Status.READY}
    same = np.linalg.norm(decrypted_encoding(o1) - decrypted_encoding(o2))
    different = np.linalg.norm(decrypted_encoding(o1) - decrypted_encoding(b1))
    assert same <= 0.6 < different
    assert persons_without_ready_reference(case=case) == []
    templates = watchlist_templates(case_id=case.pk, person_ids=(obama.pk, biden.pk))
    assert templates.encodings.shape == (3, 128)
    events = list(AuditEvent.objects.filter(case_ref=case.reference).values_list("event_type", flat=True))
    assert events.count("photo.uploaded") == 3 and events.count("photo.encoded") == 3


def test_photo_pending_until_encoded_blocks_submission(requester):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    assert photo.status == ReferencePhoto.Status.PENDING
    assert [p.pk for p in persons_without_ready_reference(case=case)] == [person.pk]


@pytest.mark.parametrize(
    ("relative", "reason"),
    [("scenes/two_people.jpg", "2 faces"), ("people/obama_small.jpg", "at least 120 px")],
)
def test_engine_refusals_mark_the_photo_failed_and_discard_the_image(
    requester, settings, relative, reason, django_capture_on_commit_callbacks
):
    from watchlists import services

    settings.FACE_MIN_SIZE_PX = 120
    case = draft_case(requester)
    photo = upload(requester, case.persons.get(), relative)
    assert len(media_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.reference_photo_encode(photo_id=photo.pk)
    assert photo.status == ReferencePhoto.Status.FAILED
    assert reason in photo.failure_reason
    assert photo.encoding_blob is None and photo.photo_file == ""
    assert media_files() == []
    assert AuditEvent.objects.filter(
        event_type="photo.encoding_failed", target_ref=f"watchlists.ReferencePhoto:{photo.pk}"
    ).exists()


def test_photo_without_a_face_is_refused(requester):
    case = draft_case(requester)
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (128, 128, 120)).save(buffer, "JPEG")
    from watchlists import services

    photo = services.reference_photo_upload(
        actor=requester,
        person=case.persons.get(),
        data=buffer.getvalue(),
        source="s",
        legal_basis="l",
        captured_at=__import__("datetime").date(2026, 1, 1),
    )
    photo = services.reference_photo_encode(photo_id=photo.pk)
    assert (photo.status, photo.failure_reason) == ("failed", str(photo.failure_reason))
    assert "no face" in photo.failure_reason.lower()


def _truncated_jpeg():
    data = face_bytes("people/obama_1.jpg")
    return data[: len(data) // 2]


def _huge_png():
    import struct
    import zlib

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b"")
    )


def _gif():
    buffer = io.BytesIO()
    Image.open(io.BytesIO(face_bytes("people/obama_1.jpg"))).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_huge_png, "megapixels"),
        (_gif, "GIF images are not accepted"),
        (lambda: b"Just some notes, renamed to photo.jpg\n" * 20, "not an image"),
    ],
    # A damaged body passes the header check and is refused by the worker (test_decoding_in_the_worker.py).
    ids=["huge-png", "gif", "text-renamed-jpg"],
)
def test_bad_files_are_refused_with_their_own_message_and_nothing_kept(requester, make, message):
    from datetime import date

    from watchlists import services

    case = draft_case(requester)
    with pytest.raises(ValidationError) as info:
        services.reference_photo_upload(
            actor=requester,
            person=case.persons.get(),
            data=make(),
            source="s",
            legal_basis="l",
            captured_at=date(2026, 1, 1),
        )
    assert message.lower() in " ".join(info.value.message_dict["photo"]).lower()
    assert ReferencePhoto.objects.count() == 0
    assert media_files() == []
    assert AuditEvent.objects.filter(event_type="photo.rejected").count() == 1


def test_oversized_upload_is_refused_before_decoding(requester, settings):
    settings.UPLOAD_MAX_BYTES = 50_000
    case = draft_case(requester)
    with pytest.raises(ValidationError, match="limit"):
        upload(requester, case.persons.get(), "people/obama_1.jpg")
    assert ReferencePhoto.objects.count() == 0


def test_missing_provenance_is_refused(requester):
    case = draft_case(requester)
    with pytest.raises(ValidationError) as info:
        upload(requester, case.persons.get(), "people/obama_1.jpg", source="", legal_basis=" ")
    assert set(info.value.message_dict) == {"source", "legal_basis"}
    assert ReferencePhoto.objects.count() == 0


def test_only_the_requester_may_add_photos(requester, colleague, judge):
    case = draft_case(requester)
    for user in (colleague, judge):
        with pytest.raises(PermissionDenied):
            upload(user, case.persons.get(), "people/obama_1.jpg")
    assert ReferencePhoto.objects.count() == 0


def test_watchlist_version_changes_with_persons_and_templates(requester):
    case = draft_case(requester)
    v0 = watchlist_version(case_id=case.pk)
    upload_and_encode(requester, case.persons.get(), "people/lin_manuel_miranda_1.png")
    v1 = watchlist_version(case_id=case.pk)
    from oversight.services import case_person_add

    case_person_add(actor=requester, case=case, full_name="Alex Lacamoire", category="witness", reason="Seen with him")
    v2 = watchlist_version(case_id=case.pk)
    assert len({v0, v1, v2}) == 3
    assert watchlist_version(case_id=case.pk) == v2


def test_the_requester_removes_a_photo_from_a_draft_and_nothing_of_it_remains(
    requester, colleague, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/obama_1.jpg")
    url = reverse("watchlists:photo_remove", args=[case.pk, person.pk, photo.pk])
    client.force_login(colleague)  # a colleague does not see the case at all
    assert client.post(url).status_code == 404
    assert ReferencePhoto.objects.filter(pk=photo.pk).exists()
    client.force_login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not ReferencePhoto.objects.filter(pk=photo.pk).exists()
    assert media_files() == []
    destroyed = AuditEvent.objects.filter(event_type="watchlist.destroyed", target_ref__endswith=f":{photo.pk}")
    assert destroyed.count() == 1
