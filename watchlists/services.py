"""Writes for watchlists: reference photos, their encodings, and their destruction (R3, R12, R17)."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record, consultation_token_valid
from oversight.models import Case, Person
from watchlists import crypto, imaging
from watchlists.models import ReferencePhoto
from watchlists.registry import ReferenceImageRefused, reencrypters, reference_encoder

logger = logging.getLogger(__name__)

PHOTO_DIR = "watchlists"


def _media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _remove_file(relative: str) -> None:
    if not relative:
        return
    try:
        _media_path(relative).unlink()
    except FileNotFoundError:
        pass


def _queue_encoding(photo_id: int) -> None:
    from watchlists.tasks import reference_photo_encode

    reference_photo_encode.delay(photo_id)


def reference_photo_upload(
    *,
    actor: Any,
    person: Person,
    data: bytes,
    source: str,
    legal_basis: str,
    captured_at: date,
) -> ReferencePhoto:
    """Check a reference photo's header, encrypt and store the upload; queue its decoding and encoding after commit.

    Preconditions: the actor is the case's requester and the case is a draft.
    Refusals raise ValidationError naming the field ("photo", "source", ...);
    nothing of a refused file is kept, and the refusal is recorded without content.
    The web process decodes no pixel (R12, bounded uploads): size, type, pixel count and bit depth come from the
    header; the worker decodes, normalises and encodes (reference_photo_encode), and refuses a damaged image there.
    Side effects: an encrypted file under MEDIA_ROOT/watchlists/, a PHOTO_UPLOADED
    event, and an encoding task queued on commit.
    """
    case = person.case
    if case.requester_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the requester of the case may add reference photos."))
    if case.status != Case.Status.DRAFT:
        raise ValidationError(
            {
                "photo": _("Reference photos can only be added while the case is a draft (%(status)s).")
                % {"status": case.get_status_display()}
            }
        )
    errors = {}
    if not (source or "").strip():
        errors["source"] = [_("Say where the image comes from (R12).")]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = [_("Give the legal basis for using this image (R12).")]
    if captured_at is None:
        errors["captured_at"] = [_("Give the date the image was taken (R12: the most recent suitable image).")]
    elif captured_at > timezone.localdate():
        errors["captured_at"] = [_("The capture date is in the future.")]
    if errors:
        raise ValidationError(errors)
    try:
        header = imaging.check_reference_header(
            data, max_bytes=settings.UPLOAD_MAX_BYTES, max_pixels=settings.UPLOAD_MAX_PIXELS
        )
    except imaging.ImageRejected as exc:
        with transaction.atomic():
            audit_record(
                actor=actor,
                event_type=EventType.PHOTO_REJECTED,
                case_ref=case.reference,
                target_ref=person,
                data={"code": str(exc.code), "bytes": len(data)},
            )
        raise ValidationError({"photo": [gettext(exc.template) % exc.params]}) from None

    relative = f"{PHOTO_DIR}/{secrets.token_hex(16)}.bin"
    try:
        with transaction.atomic():
            photo = ReferencePhoto.objects.create(
                person=person,
                source=source.strip(),
                legal_basis=legal_basis.strip(),
                captured_at=captured_at,
                uploaded_by=actor,
                image_format=header.format,
                width=header.width,
                height=header.height,
                photo_file=relative,
            )
            crypto.keyring_create_if_missing()
            # The upload as received, encrypted at once; the worker replaces it by its normalised copy.
            _write_private(_media_path(relative), crypto.encrypt(data, aad=photo.aad("photo")))
            audit_record(
                actor=actor,
                event_type=EventType.PHOTO_UPLOADED,  # R17: collection
                case_ref=case.reference,
                target_ref=photo,
                data={
                    # Source and legal basis are the photo's (typed text stays on the object, R19).
                    "person_id": person.pk,
                    "format": header.format,
                    "width": header.width,
                    "height": header.height,
                    "bytes": len(data),
                    "captured_at": captured_at.isoformat(),
                },
            )
            transaction.on_commit(lambda: _queue_encoding(photo.pk))
    except BaseException:
        _remove_file(relative)
        raise
    return photo


def reference_photo_encode(*, photo_id: int) -> ReferencePhoto | None:
    """Compute the face encoding of a pending photo (workers: the registered encoder loads the face engine).

    Idempotent: a photo that is no longer pending is left alone. A refusal (no
    face, several faces, a face too small, unreadable) marks the photo failed
    with the reason and discards its image at once: nothing of it is kept.
    """
    photo = ReferencePhoto.objects.select_related("person__case").filter(pk=photo_id).first()
    if photo is None or photo.status != ReferencePhoto.Status.PENDING:
        return photo
    plaintext = crypto.decrypt(_media_path(photo.photo_file).read_bytes(), aad=photo.aad("photo"))
    failure = None
    if photo.decoded_at is None:
        plaintext, failure = _reference_photo_decode(photo, plaintext)
    if failure is None:
        try:
            encoding = reference_encoder()(plaintext, min_face_px=settings.FACE_MIN_SIZE_PX)
        except ReferenceImageRefused as exc:
            failure = str(exc)
    del plaintext
    discard = None
    with transaction.atomic():
        photo = ReferencePhoto.objects.select_for_update().select_related("person__case").get(pk=photo_id)
        if photo.status != ReferencePhoto.Status.PENDING:
            return photo
        case = photo.person.case
        if failure is not None:
            discard, photo.photo_file = photo.photo_file, ""
            photo.status, photo.failure_reason = ReferencePhoto.Status.FAILED, failure[:300]
            photo.save(update_fields=["status", "failure_reason", "photo_file"])
            audit_record(
                actor=None,
                event_type=EventType.PHOTO_ENCODING_FAILED,
                case_ref=case.reference,
                target_ref=photo,
                data={"reason": photo.failure_reason, "image_discarded": True},
            )
        else:
            raw = encoding.astype("<f8").tobytes()
            photo.encoding_blob = crypto.encrypt_array(encoding, aad=photo.aad("encoding"))
            photo.encoding_digest = hashlib.sha256(raw).hexdigest()
            photo.status, photo.encoded_at = ReferencePhoto.Status.READY, timezone.now()
            photo.save(update_fields=["encoding_blob", "encoding_digest", "status", "encoded_at"])
            audit_record(
                actor=None,
                event_type=EventType.PHOTO_ENCODED,
                case_ref=case.reference,
                target_ref=photo,
                data={"person_id": photo.person_id},
            )
        if discard:
            transaction.on_commit(lambda: _remove_file(discard))
    return photo


def _reference_photo_decode(photo: ReferencePhoto, upload: bytes) -> tuple[bytes | None, str | None]:
    """The worker's half of the image checks: decode every pixel, normalise (upright RGB, no metadata) and store the
    normalised copy in place of the upload. Returns (normalised bytes, None), or (None, the refusal in English) for a
    damaged or undecodable image, which the caller records as the photo's failure (and discards).
    Idempotent: a photo decoded meanwhile by another delivery of the task keeps that delivery's file.
    """
    try:
        image = imaging.validate_reference_image(
            upload, max_bytes=settings.UPLOAD_MAX_BYTES, max_pixels=settings.UPLOAD_MAX_PIXELS
        )
    except imaging.ImageRejected as exc:
        return None, exc.message
    relative = f"{PHOTO_DIR}/{secrets.token_hex(16)}.bin"
    try:
        with transaction.atomic():
            current = ReferencePhoto.objects.select_for_update().get(pk=photo.pk)
            if current.decoded_at is not None or current.status != ReferencePhoto.Status.PENDING:
                return image.normalized_bytes, None
            _write_private(_media_path(relative), crypto.encrypt(image.normalized_bytes, aad=current.aad("photo")))
            previous, current.photo_file = current.photo_file, relative
            current.width, current.height, current.image_format = image.width, image.height, image.format
            current.decoded_at = timezone.now()
            current.save(update_fields=["photo_file", "width", "height", "image_format", "decoded_at"])
    except BaseException:
        _remove_file(relative)
        raise
    _remove_file(previous)  # committed (the task runs outside any transaction): the upload as received goes
    photo.photo_file, photo.decoded_at = relative, current.decoded_at
    return image.normalized_bytes, None


@dataclass(frozen=True)
class PhotoContent:
    content: bytes
    content_type: str


def reference_photo_consult(
    *,
    actor: Any,
    case,
    person: Person,
    photo_pk: int,
    via: str,
    consultation_token: str | None = None,
    session=None,
) -> PhotoContent:
    """Decrypt a reference photo for someone already allowed to see the case; record the consultation (R17).

    consultation_token: from the URL of a page that already recorded showing this photo to this
    actor in this session (audits.services.consultation_token_url); it serves once without a new record, so one
    visit is one event. Without it (lapsed, served already, another session) the fetch is recorded.
    Raises LookupError when the photo does not exist, belongs to another person, holds no image any more (failed
    or destroyed), or is not decoded yet: the upload as received (unchecked pixels, its metadata) is never served.
    """
    photo = (
        ReferencePhoto.objects.filter(pk=photo_pk, person=person, decoded_at__isnull=False)
        .exclude(photo_file="")
        .first()
    )
    if photo is None:
        raise LookupError(photo_pk)
    content = crypto.decrypt(_media_path(photo.photo_file).read_bytes(), aad=photo.aad("photo"))
    content_type = "image/png" if photo.image_format == "PNG" else "image/jpeg"
    if consultation_token_valid(token=consultation_token, user=actor, target=photo, session=session):
        return PhotoContent(content, content_type)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.PHOTO_VIEWED,
            case_ref=case.reference,
            target_ref=photo,
            data={"person_id": person.pk, "via": via},
        )
    return PhotoContent(content, content_type)


def reference_photo_list_record_view(*, actor: Any, case, person: Person, photos, interface: str) -> None:
    """R17: one consultation of a person's reference photos as a list (where each came from, its
    legal basis, when it was taken), naming the photos shown. Side effects: one audit event."""
    photos = list(photos)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.PHOTO_LIST_VIEWED,
            case_ref=case.reference,
            target_ref=person,
            data={"interface": interface, "person_id": person.pk, "ids": [p.pk for p in photos], "count": len(photos)},
        )


def reference_photo_delete(*, actor: Any, photo: ReferencePhoto) -> None:
    """Remove one photo from a draft (the requester's own), file and template included."""
    case = photo.person.case
    if case.requester_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the requester of the case may remove reference photos."))
    if case.status != Case.Status.DRAFT:
        raise ValidationError({"photo": _("Reference photos can only be removed while the case is a draft.")})
    with transaction.atomic():
        relative = photo.photo_file
        photo_id = photo.pk
        ReferencePhoto.objects.filter(pk=photo_id).delete()
        audit_record(
            actor=actor,
            event_type=EventType.WATCHLIST_DESTROYED,  # R17: erasure
            case_ref=case.reference,
            target_ref=f"watchlists.ReferencePhoto:{photo_id}",
            data={"photos": [photo_id], "encodings": 1 if photo.encoding_blob else 0, "reason": "removed from draft"},
        )
        transaction.on_commit(lambda: _remove_file(relative))


def watchlist_orphan_files_sweep(*, now: datetime) -> None:
    """Remove encrypted files no row refers to (left by a crash between commit and unlink). Run by the retention
    run (office.services.retention), the one path that destroys watchlists (R12)."""
    folder = _media_path(PHOTO_DIR)
    if not folder.is_dir():
        return
    known = set(ReferencePhoto.objects.exclude(photo_file="").values_list("photo_file", flat=True))
    for path in folder.iterdir():
        relative = f"{PHOTO_DIR}/{path.name}"
        if relative not in known and now.timestamp() - path.stat().st_mtime > 3600:
            path.unlink(missing_ok=True)


def data_key_rotate(*, actor: Any = None) -> dict:
    """Re-encrypt every photo file and template under a new key, then retire the old keys.

    Refuses to retire anything if a single blob is still on an old key.
    """
    crypto.keyring_create_if_missing()
    old_ids = list(crypto.load_keyring().key_ids)
    new_id = crypto.keyring_add_new_key()
    counts = {"photos": 0, "encodings": 0}
    for photo in ReferencePhoto.objects.order_by("pk").iterator(chunk_size=200):
        with transaction.atomic():
            photo = ReferencePhoto.objects.select_for_update().get(pk=photo.pk)
            if photo.photo_file:
                path = _media_path(photo.photo_file)
                blob = path.read_bytes()
                fresh = crypto.reencrypt(blob, aad=photo.aad("photo"))
                if fresh is not blob:
                    _write_private(path, fresh)
                    counts["photos"] += 1
            if photo.encoding_blob is not None:
                blob = bytes(photo.encoding_blob)
                fresh = crypto.reencrypt(blob, aad=photo.aad("encoding"))
                if fresh is not blob:
                    photo.encoding_blob = fresh
                    photo.save(update_fields=["encoding_blob"])
                    counts["encodings"] += 1
    for extra in reencrypters():
        for key, value in extra(new_id).items():
            counts[key] = counts.get(key, 0) + value
    stale = [
        p.pk
        for p in ReferencePhoto.objects.all()
        if (p.photo_file and crypto.blob_key_id(_media_path(p.photo_file).read_bytes()) != new_id)
        or (p.encoding_blob is not None and crypto.blob_key_id(bytes(p.encoding_blob)) != new_id)
    ]
    if stale:
        raise RuntimeError(f"rotation incomplete: photos {stale[:10]} still on an old key; old keys kept")
    retired = crypto.keyring_retire_keys_except(new_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.KEYS_ROTATED,
            data={"new_key": new_id, "retired_keys": retired or old_ids, **counts},
        )
    return {"new_key": new_id, "retired": retired, **counts}
