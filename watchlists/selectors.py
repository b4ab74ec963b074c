"""Reads for watchlists: readiness, the watchlist version (R16), templates for workers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from django.db.models import Exists, OuterRef

from oversight.models import Person
from oversight.registry import PhotoState
from watchlists import crypto
from watchlists.models import ReferencePhoto
from watchlists.wording import failure_reason_text


def persons_without_ready_reference(*, case) -> list[Person]:
    """Persons of the case with no ready reference face: the case cannot be submitted while any remain."""
    ready = ReferencePhoto.objects.filter(person=OuterRef("pk"), status=ReferencePhoto.Status.READY)
    return list(Person.objects.filter(case=case).exclude(Exists(ready)).order_by("pk"))


def case_reference_face_errors(case) -> dict[str, list[str]]:
    """Registered with oversight as a readiness check: names each person still without a ready reference face."""
    missing = persons_without_ready_reference(case=case)
    if not missing:
        return {}
    names = ", ".join(person.full_name for person in missing)
    return {"persons": [f"Every person needs a reference photo whose face is ready; still missing for: {names}."]}


def watchlist_version(*, case_id: int) -> str:
    """A hash over the case's persons in scope and their ready encodings (R16).

    It changes whenever a person, their scope, or a template changes; every
    scan records the version it matched against.
    """
    persons = list(
        Person.objects.filter(case_id=case_id).order_by("pk").values_list("pk", "full_name", "category", "in_scope")
    )
    photos = list(
        ReferencePhoto.objects.filter(person__case_id=case_id, status=ReferencePhoto.Status.READY)
        .order_by("pk")
        .values_list("person_id", "pk", "encoding_digest")
    )
    payload = json.dumps({"persons": persons, "templates": photos}, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CaseTemplates:
    case_id: int
    person_ids: tuple[int, ...]  # one per row of `encodings`
    photo_ids: tuple[int, ...]
    encodings: np.ndarray  # (n, 128) float64


def watchlist_templates(*, case_id: int, person_ids: tuple[int, ...]) -> CaseTemplates:
    """Decrypt the ready templates of the given persons of one case (worker use only).

    The caller keys its cache by watchlist_version(), which it has already computed.
    """
    rows = list(
        ReferencePhoto.objects.filter(
            person__case_id=case_id, person_id__in=person_ids, status=ReferencePhoto.Status.READY
        )
        .order_by("pk")
        .only("pk", "person_id", "encoding_blob")
    )
    encodings = [crypto.decrypt_array(bytes(r.encoding_blob), aad=r.aad("encoding")) for r in rows]
    return CaseTemplates(
        case_id=case_id,
        person_ids=tuple(r.person_id for r in rows),
        photo_ids=tuple(r.pk for r in rows),
        encodings=np.vstack(encodings) if encodings else np.zeros((0, 128)),
    )


def reference_photo_list(*, person: Person):
    return ReferencePhoto.objects.filter(person=person).order_by("pk")


def person_get_for_case(*, case, person_pk: int) -> Person:
    """A person of a case the caller may already see; Http404 if missing or restricted (R21: held off every page)."""
    from django.http import Http404

    from oversight.selectors import restricted_ids

    person = (
        Person.objects.filter(pk=person_pk, case=case).exclude(pk__in=restricted_ids(label="oversight.Person")).first()
    )
    if person is None:
        raise Http404("No such person.")
    return person


def case_photo_states(case) -> dict:
    """Registered with oversight: each person's reference photos as the case page shows them (state only)."""
    states: dict[int, list] = {}
    rows = (
        ReferencePhoto.objects.filter(person__case=case)
        .order_by("person_id", "pk")
        .values_list("pk", "person_id", "status", "failure_reason")
    )
    labels = dict(ReferencePhoto.Status.choices)
    for pk, person_id, status, reason in rows:
        states.setdefault(person_id, []).append(
            PhotoState(
                photo_id=pk, status=status, status_label=labels[status], failure_reason=failure_reason_text(reason)
            )
        )
    return states


def photos_pending_count_for_requester(*, user) -> int:
    """Reference photos of the user's own cases whose face is still being computed (the requester's home page)."""
    return ReferencePhoto.objects.filter(person__case__requester=user, status=ReferencePhoto.Status.PENDING).count()
