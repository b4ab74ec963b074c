"""Data to retain or delete, built quickly: alerts with encrypted crops, reviews, photos with files and templates.

Alerts are written directly (the worker's fenced write is tested in tests/recognition); what matters here is what
the retention code deletes, so each row carries recognisable content the leftover check can look for.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from django.core.management import call_command
from django.utils import timezone

from recognition.models import Alert, AlertReview
from recognition.services import alert_review
from watchlists import crypto
from watchlists.models import ReferencePhoto
from watchlists.services import _media_path, _write_private

CROP = b"CROP-PLAINTEXT-%d-" + b"x" * 64


def alert_for(case, *, person=None, camera=None, n: int = 0) -> Alert:
    crypto.keyring_create_if_missing()
    person = person or case.persons.order_by("pk").first()
    camera = camera or case.case_cameras.order_by("pk").first().camera
    now = timezone.now()
    alert = Alert.objects.create(
        case=case,
        person=person,
        camera=camera,
        captured_at=now,
        frame_key=int(now.timestamp() * 1000) + n,
        distance=0.4,
        threshold=0.5,
        watchlist_version="v1",
    )
    alert.crop_blob = crypto.encrypt(CROP % alert.pk, aad=alert.aad("crop"))
    alert.save(update_fields=["crop_blob"])
    return alert


def review(alert, verifier, verdict: str, note: str = "Looks like the photo") -> Alert:
    return alert_review(actor=verifier, alert=alert, verdict=verdict, note=note)


def photo_for(person, *, uploaded_by) -> tuple[ReferencePhoto, bytes]:
    """A ready reference photo with an encrypted file and template; returns it with the template's raw bytes."""
    crypto.keyring_create_if_missing()
    rng = np.random.default_rng(person.pk)
    encoding = rng.normal(size=128)
    relative = f"watchlists/test-{person.pk}-{rng.integers(1 << 30)}.bin"
    photo = ReferencePhoto.objects.create(
        person=person,
        source="Press photo",
        legal_basis="Police Act s. 42",
        captured_at=date(2026, 1, 1),
        uploaded_by=uploaded_by,
        image_format="PNG",
        width=10,
        height=10,
        photo_file=relative,
        status=ReferencePhoto.Status.READY,
        encoding_blob=b"",
        encoded_at=timezone.now(),
    )
    photo.encoding_blob = crypto.encrypt_array(encoding, aad=photo.aad("encoding"))
    photo.save(update_fields=["encoding_blob"])
    _write_private(_media_path(relative), crypto.encrypt(b"PHOTO-PLAINTEXT", aad=photo.aad("photo")))
    return photo, encoding.astype("<f8").tobytes()


def audits_verify_ok() -> str:
    out = io.StringIO()
    call_command("audits_verify", stdout=out)  # raises SystemExit(1) on damage
    return out.getvalue()


def reviewed(alert_pk) -> bool:
    return AlertReview.objects.filter(alert_id=alert_pk).exists()


def database_dump() -> bytes:
    import subprocess

    from django.db import connection

    params = connection.settings_dict
    cmd = ["pg_dump", "--data-only", "-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432)]
    cmd += ["-U", params["USER"] or "postgres", params["NAME"]]
    env = {"PGPASSWORD": params["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    return subprocess.run(cmd, env=env, capture_output=True, check=True).stdout


def assert_nothing_left(case, *, needles: tuple[bytes, ...] = (), words: tuple[str, ...] = ()) -> None:
    """The test helper of the leftover check: rows, files, media bytes, and the database dump (raw and hex)."""
    from office.services.leftovers import case_leftovers
    from oversight.models import Case

    case = Case.objects.get(pk=case.pk)
    left = {kind: items for kind, items in case_leftovers(case=case, needles=needles).items() if items}
    assert left == {}, left
    dump = database_dump()
    for needle in needles:
        assert needle not in dump and needle.hex().encode() not in dump
    for word in words:
        assert word.encode() not in dump, word
