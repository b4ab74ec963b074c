"""Encryption at rest, row binding, key rotation, destruction with the case, consultation (R12, R17)."""

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from audits.models import AuditEvent
from office.services.retention import retention_run
from oversight.services import case_withdraw
from tests.watchlists.factories import draft_case, face_bytes, upload_and_encode
from watchlists import crypto, imaging
from watchlists.models import ReferencePhoto


def media_blobs(folder: str = "") -> list[bytes]:
    root = Path(settings.MEDIA_ROOT) / folder
    return [p.read_bytes() for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _dump_database() -> bytes:
    params = connection.settings_dict
    env = {"PGPASSWORD": params["PASSWORD"] or ""}
    cmd = [
        "pg_dump",
        "--data-only",
        "-h",
        params["HOST"] or "127.0.0.1",
        "-p",
        str(params["PORT"] or 5432),
        "-U",
        params["USER"] or "postgres",
        params["NAME"],
    ]
    return subprocess.run(cmd, env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_database_dump_and_media_hold_no_plaintext_photo_or_encoding(requester, django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump needs PostgreSQL")
    case = draft_case(requester)
    photo = upload_and_encode(requester, case.persons.get(), "people/lin_manuel_miranda_1.png")
    encoding = crypto.decrypt_array(bytes(photo.encoding_blob), aad=photo.aad("encoding"))
    canary_encoding = encoding.astype("<f8").tobytes()
    plain_photo = imaging.validate_reference_image(
        face_bytes("people/lin_manuel_miranda_1.png"), max_bytes=10**8, max_pixels=10**8
    ).normalized_bytes
    original = face_bytes("people/lin_manuel_miranda_1.png")
    dump = _dump_database()
    for needle in (canary_encoding[:48], plain_photo[200:264], original[200:264]):
        assert needle not in dump
        assert needle.hex().encode() not in dump  # bytea appears as hex in a dump
        for blob in media_blobs():
            assert needle not in blob
    # the text of the floats is not there either
    assert f"{encoding[0]:.6f}".encode() not in dump
    assert len(media_blobs("watchlists")) == 1


@pytest.mark.django_db
def test_ciphertexts_swapped_between_rows_do_not_decrypt(requester):
    case = draft_case(requester, persons=("Barack Obama", "Joe Biden"))
    obama, biden = case.persons.order_by("full_name")
    a = upload_and_encode(requester, obama, "people/obama_1.jpg")
    b = upload_and_encode(requester, biden, "people/biden_1.jpg")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_array(bytes(b.encoding_blob), aad=a.aad("encoding"))
    photo_a = (Path(settings.MEDIA_ROOT) / a.photo_file).read_bytes()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(photo_a, aad=b.aad("photo"))
    with pytest.raises(crypto.DecryptionError):  # a photo blob is not an encoding blob of the same row
        crypto.decrypt(photo_a, aad=a.aad("encoding"))


@pytest.mark.django_db
def test_key_rotation_leaves_nothing_on_the_old_key(requester):
    case = draft_case(requester, persons=("Barack Obama", "Joe Biden"))
    obama, biden = case.persons.order_by("full_name")
    photos = [
        upload_and_encode(requester, obama, "people/obama_1.jpg"),
        upload_and_encode(requester, biden, "people/biden_1.jpg"),
    ]
    old_key = crypto.current_key_id()
    before = [crypto.decrypt_array(bytes(p.encoding_blob), aad=p.aad("encoding")) for p in photos]
    out = io.StringIO()
    call_command("watchlists_rotate_key", stdout=out)
    new_key = crypto.current_key_id()
    assert new_key != old_key
    assert list(crypto.load_keyring().key_ids) == [new_key]
    for photo, expected in zip(ReferencePhoto.objects.order_by("pk"), before, strict=True):
        assert crypto.blob_key_id(bytes(photo.encoding_blob)) == new_key
        blob = (Path(settings.MEDIA_ROOT) / photo.photo_file).read_bytes()
        assert crypto.blob_key_id(blob) == new_key
        assert np.array_equal(crypto.decrypt_array(bytes(photo.encoding_blob), aad=photo.aad("encoding")), expected)
        assert crypto.decrypt(blob, aad=photo.aad("photo"))[:2] == b"\xff\xd8"
    event = AuditEvent.objects.get(event_type="keys.rotated")
    assert old_key in event.data and new_key in event.data


@pytest.mark.django_db
def test_ending_a_case_destroys_its_photos_and_templates(
    requester, judge, django_capture_on_commit_callbacks, monkeypatch
):
    case = draft_case(requester, persons=("Barack Obama", "Joe Biden"), judge=judge)
    obama, biden = case.persons.order_by("full_name")
    ids = [
        upload_and_encode(requester, obama, "people/obama_1.jpg").pk,
        upload_and_encode(requester, biden, "people/biden_1.jpg").pk,
    ]
    assert len(media_blobs("watchlists")) == 2
    from oversight.services import case_submit

    case = case_submit(actor=requester, case=case)
    case = case_withdraw(actor=requester, case=case, reason="Suspect arrested")
    # R12: the one path that destroys watchlists is the retention run (its photo rule, THE hold rule asked).
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_run()
    assert counts["watchlists.ReferencePhoto"] == 2
    assert not ReferencePhoto.objects.filter(person__case=case).exists()
    assert media_blobs("watchlists") == []
    event = AuditEvent.objects.get(event_type="retention.applied")
    assert str(ids[0]) in event.data and str(ids[1]) in event.data
    assert "\\u" not in event.data and "encoding_blob" not in event.data
    # idempotent: nothing more to destroy, nothing more recorded
    assert retention_run()["watchlists.ReferencePhoto"] == 0
    assert AuditEvent.objects.filter(event_type="retention.applied").count() == 1


@pytest.mark.django_db
def test_retention_period_delays_destruction(requester, settings, time_machine):
    settings.WATCHLIST_RETENTION_HOURS_AFTER_END = 48
    time_machine.move_to(__import__("django.utils.timezone", fromlist=["x"]).now(), tick=False)
    case = draft_case(requester)
    upload_and_encode(requester, case.persons.get(), "people/lin_manuel_miranda_1.png")
    from oversight.services import case_close

    case_close(actor=requester, case=case)
    assert retention_run()["watchlists.ReferencePhoto"] == 0
    assert ReferencePhoto.objects.filter(person__case=case).count() == 1
    time_machine.shift(49 * 3600)
    assert retention_run()["watchlists.ReferencePhoto"] == 1
    assert ReferencePhoto.objects.filter(person__case=case).count() == 0


@pytest.mark.django_db
def test_viewing_a_photo_is_recorded_and_hidden_from_others(requester, other_unit_requester, outsider, dpo, client_for):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload_and_encode(requester, person, "people/lin_manuel_miranda_1.png")
    url = reverse("watchlists:photo_image", args=[case.pk, person.pk, photo.pk])
    response = client_for(requester).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(event_type="photo.viewed", actor_label=requester.username).count() == 1
    for user in (other_unit_requester, outsider, None):
        assert client_for(user).get(url).status_code in (404, 302)
    assert AuditEvent.objects.filter(event_type="photo.viewed").count() == 1
    assert client_for(dpo).get(url).status_code == 200  # the data protection office reads every case
    listing = client_for(outsider).get(f"/api/cases/{case.pk}/persons/{person.pk}/photos/")
    assert listing.status_code == 404


@pytest.mark.django_db
def test_upload_through_the_api_and_the_page(requester, client_for):
    case = draft_case(requester)
    person = case.persons.get()
    c = client_for(requester)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = c.post(
        f"/api/cases/{case.pk}/persons/{person.pk}/photos/",
        {
            "photo": SimpleUploadedFile("x.jpg", face_bytes("people/obama_1.jpg")),
            "source": "Records",
            "legal_basis": "Police Act",
            "captured_at": "2026-10-01",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    response = c.post(
        reverse("watchlists:photo_upload", args=[case.pk, person.pk]),
        {
            "photo": SimpleUploadedFile("notes.jpg", b"not really a photo" * 10),
            "source": "Records",
            "legal_basis": "Police Act",
            "captured_at": "2026-10-01",
        },
    )
    assert response.status_code == 400
    assert "not an image" in response.content.decode()
    assert ReferencePhoto.objects.count() == 1
