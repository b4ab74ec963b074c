"""Watchlists' line of the retention schedule (R12, R19), the deletion code of reference photos, and the face
comparison behind the face search of data-subject requests (R21).

RULES and KINDS are plain declarations the office's runner imports (office.services.retention). The face search
runs in a worker only (office.tasks.subject_face_search): the supplied photo is encoded by the reference encoder
that recognition registers (watchlists.registry), then compared in one NumPy step with the stored templates of
ACTIVE cases only; the office records the findings and deletes the probe in one transaction, whatever the outcome.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from oversight.models import Case, DataSubjectRequest
from oversight.retention import (
    DeletableKind,
    Deleted,
    RetentionRule,
    case_ids_ended_before,
    grouped,
    held_ids,
    period,
    take,
)
from oversight.selectors import case_ended_at
from watchlists import crypto
from watchlists.models import ReferencePhoto, SubjectProbePhoto
from watchlists.registry import ReferenceImageRefused, reference_encoder

PHOTO = "watchlists.ReferencePhoto"


def photos_delete(*, pks: list[int]) -> Deleted:
    """Delete reference photos with their encrypted templates; their files go after commit (as watchlist_destroy)."""
    from watchlists.services import _remove_file

    rows = list(ReferencePhoto.objects.filter(pk__in=pks).values_list("pk", "person__case_id", "photo_file"))
    ReferencePhoto.objects.filter(pk__in=[r[0] for r in rows]).delete()
    files = [r[2] for r in rows if r[2]]
    if files:
        transaction.on_commit(lambda: [_remove_file(f) for f in files])
    return {PHOTO: grouped([(r[0], r[1]) for r in rows])} if rows else {}


def _photos_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    # R12: templates outlive their case by the configured hours, and by no more than THE hold rule keeps them (a
    # sighting still awaiting its verifiers, a restriction, an open request: oversight.holds).
    ended = case_ids_ended_before(cutoff=now - period(_rules[PHOTO]), now=now)
    due = ReferencePhoto.objects.filter(person__case_id__in=ended).exclude(pk__in=held_ids(label=PHOTO))
    return take(due, limit=limit, lock=lock)


KINDS: tuple[DeletableKind, ...] = (
    DeletableKind(
        label=PHOTO,
        delete=photos_delete,
        of_cases=lambda ids: list(ReferencePhoto.objects.filter(person__case_id__in=ids).values_list("pk", flat=True)),
        of_persons=lambda ids: list(ReferencePhoto.objects.filter(person_id__in=ids).values_list("pk", flat=True)),
        case_of=lambda pks: dict(ReferencePhoto.objects.filter(pk__in=pks).values_list("pk", "person__case_id")),
    ),
)
RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        code=PHOTO,
        data=gettext_noop("Reference photos and face templates (the watchlist)"),
        clock=gettext_noop("case end (case_ended_at)"),
        setting="WATCHLIST_RETENTION_HOURS_AFTER_END",
        unit="hours",
        minimum=0,
        maximum=720,
        action="delete",
        select=_photos_due,
        apply=photos_delete,
    ),
)
_rules = {rule.code: rule for rule in RULES}


# ---------------------------------------------------------------- face search (R21)


def subject_probe_store(*, request: DataSubjectRequest, data: bytes) -> SubjectProbePhoto:
    """Encrypt and keep the supplied photo until the face search runs (called inside the recording transaction)."""
    crypto.keyring_create_if_missing()
    probe = SubjectProbePhoto.objects.create(request=request, photo_blob=b"")
    probe.photo_blob = crypto.encrypt(data, aad=probe.aad("photo"))
    probe.save(update_fields=["photo_blob"])
    return probe


def _active_case_ids(now: datetime) -> list[int]:
    active = Case.objects.filter(status__in=[Case.Status.APPROVED, Case.Status.URGENT, Case.Status.SUBMITTED])
    return [c.pk for c in active if case_ended_at(case=c, now=now) is None]


def subject_probe_compare(*, request_id: int) -> tuple[int, list[tuple[str, int, int]], str] | None:
    """Worker: the persons of ACTIVE cases whose stored template matches the supplied face (R21). Writes nothing.

    Returns None without a probe photo (nothing to do), else (probe id, findings as (label, id, case id), note).
    The caller records the findings and deletes the probe (subject_probe_delete) in one transaction.
    """
    probe = SubjectProbePhoto.objects.filter(request_id=request_id).first()
    if probe is None:
        return None
    image = crypto.decrypt(bytes(probe.photo_blob), aad=probe.aad("photo"))
    note, matches = "", []
    try:
        encoding = reference_encoder()(image, min_face_px=settings.FACE_MIN_SIZE_PX)
    except ReferenceImageRefused as exc:
        encoding, note = None, f"The supplied photo could not be used: {exc}"
    del image
    if encoding is not None:
        now = timezone.now()
        photos = list(
            ReferencePhoto.objects.filter(
                person__case_id__in=_active_case_ids(now), status=ReferencePhoto.Status.READY
            ).select_related("person__case")
        )
        if photos:
            templates = np.stack([crypto.decrypt_array(bytes(p.encoding_blob), aad=p.aad("encoding")) for p in photos])
            distances = np.linalg.norm(templates - encoding, axis=1)
            matches = [p for p, d in zip(photos, distances, strict=True) if d <= p.person.case.effective_threshold]
        note = f"Compared with {len(photos)} templates of active cases; {len(matches)} matched."
    found = [("oversight.Person", p.person_id, p.person.case_id) for p in matches]
    found += [(PHOTO, p.pk, p.person.case_id) for p in matches]
    return probe.pk, found, note


def subject_probe_delete(*, probe_id: int) -> None:
    """The probe face outlives its search by no more than one task (in the caller's transaction)."""
    SubjectProbePhoto.objects.filter(pk=probe_id).delete()
