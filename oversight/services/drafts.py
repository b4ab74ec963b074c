"""Drafting a case: its fields, the persons it seeks and the cameras it names (R1-R5, R8, R13, R20)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record, audit_record_many
from oversight.models import CASE_DRAFT_FIELDS, Camera, Case, CaseCamera, Person
from oversight.services._common import (
    Authority,
    Status,
    add_error,
    grant_requester_perms,
    json_value,
    lock_case,
    next_reference,
    raise_if,
    require_perm,
    status_word,
)
from oversight.services.validation import (
    DOCUMENT_FIELD,
    TEXT_FIELDS,
    VALUE_FIELDS,
    camera_usability_errors,
    read_impact_assessment,
    resolve_camera,
    stored_draft_values,
    too_many_cameras,
    validate_draft_values,
    validate_person,
)


def case_create(*, actor, persons: list[dict] | tuple = (), cameras: list[dict] | tuple = (), **values) -> Case:
    """Draft a case with any of CASE_DRAFT_FIELDS as keyword arguments, its persons and its cameras.

    Preconditions: the actor may draft cases (oversight.add_case, the requester role); objective enabled (R1);
    window ordered and within CASE_MAX_DURATION_HOURS (R5); threshold within MATCH_THRESHOLD_MAX (R13, default
    MATCH_THRESHOLD_DEFAULT); persons named (R3, R20); cameras known, enabled, each with a reason (R5), at most
    CASE_MAX_CAMERAS. Legal basis, reasons and the impact assessment may follow before submission.
    Side effects: the case, its persons and cameras; view/change object permissions for the requester;
    CASE_CREATED and one PERSON_ADDED per person.
    """
    if not actor.has_perm("oversight.add_case"):
        raise PermissionDenied(_("Only requesters may draft cases."))
    _refuse_unknown_fields(values)
    errors: dict[str, list[str]] = {}
    merged = {**_draft_defaults(), **_cleaned(values)}
    if merged["match_threshold"] is None:
        merged["match_threshold"] = settings.MATCH_THRESHOLD_DEFAULT
    resolved = validate_draft_values(merged, requester=actor, errors=errors)
    document = read_impact_assessment(values.get(DOCUMENT_FIELD), errors)
    person_rows = [validate_person(p, errors, prefix=f"persons[{i}]") for i, p in enumerate(persons)]
    _check_duplicate_names(person_rows, errors)
    camera_rows = _camera_rows(cameras, errors)
    raise_if(errors)

    with transaction.atomic():
        now = timezone.now()
        case = Case(reference=next_reference(now), requester=actor, unit=actor.unit, status=Status.DRAFT, **resolved)
        if document is not None:
            case.impact_assessment.save(_document_name(case, document[1]), ContentFile(document[0]), save=False)
        case.save()
        created_persons = Person.objects.bulk_create([Person(case=case, **row) for row in person_rows])
        CaseCamera.objects.bulk_create([CaseCamera(case=case, camera=c, reason=r) for c, r in camera_rows])
        grant_requester_perms(case)
        created = dict(
            actor=actor,
            event_type=EventType.CASE_CREATED,
            case_ref=case,
            target_ref=case,
            data={
                # Free text is named by the fields given, never copied (R19, R21).
                **{
                    name: json_value(value)
                    for name, value in stored_draft_values(case).items()
                    if name not in TEXT_FIELDS
                },
                "text_fields_given": sorted(name for name in TEXT_FIELDS if getattr(case, name)),
                "unit": case.unit,
                "persons": [p.pk for p in created_persons],
                "cameras": [c.pk for c, _ in camera_rows],
                "impact_assessment_sha256": hashlib.sha256(document[0]).hexdigest() if document else None,
            },
        )
        # The case and its persons in one append (one lock and round trip for all of them).
        audit_record_many(events=[created, *(_person_added_event(actor, case, person) for person in created_persons)])
    return case


def _refuse_unknown_fields(values: dict) -> None:
    unknown = set(values) - set(CASE_DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This is not a field of a case request.")] for name in sorted(unknown)})


def _draft_defaults() -> dict[str, Any]:
    defaults = {}
    for name in VALUE_FIELDS:
        field = Case._meta.get_field(name)
        defaults[name] = field.get_default() if field.has_default() else ("" if name in TEXT_FIELDS else None)
    return defaults


def _cleaned(values: dict) -> dict[str, Any]:
    """Values as given, free text trimmed, the document aside."""
    return {
        name: value.strip() if isinstance(value, str) and name in TEXT_FIELDS else value
        for name, value in values.items()
        if name != DOCUMENT_FIELD
    }


def _camera_rows(cameras, errors: dict) -> list[tuple[Camera, str]]:
    rows = []
    if len(cameras) > settings.CASE_MAX_CAMERAS:
        add_error(errors, "cameras", too_many_cameras())
    seen = set()
    for i, row in enumerate(cameras):
        camera = resolve_camera(row.get("camera_id", row.get("camera")), errors, f"cameras[{i}].camera_id")
        reason = str(row.get("reason") or "").strip()
        if not reason:
            add_error(errors, f"cameras[{i}].reason", _("Say why the persons are expected at this camera (R5)."))
        if camera is not None:
            if camera.pk in seen:
                add_error(errors, f"cameras[{i}].camera_id", _("This camera is listed twice."))
            seen.add(camera.pk)
            rows.append((camera, reason))
            for message in camera_usability_errors([camera]):
                add_error(errors, f"cameras[{i}].camera_id", message)
    return rows


def _document_name(case: Case, extension: str) -> str:
    # Never the uploaded file name: it is chosen by the client and may carry personal data.
    return f"{case.reference}-{uuid.uuid4().hex}{extension}"


def _check_duplicate_names(rows: list[dict], errors: dict, existing: set[str] | None = None) -> None:
    seen = set(existing or ())
    for i, row in enumerate(rows):
        key = row["full_name"].casefold()
        if key and key in seen:
            add_error(errors, f"persons[{i}].full_name", _("This person is already listed on the case."))
        seen.add(key)


def _person_added_event(actor, case: Case, person: Person) -> dict:
    # R17 (collection): ids and category only; the name stays in the erasable row.
    return dict(
        actor=actor,
        event_type=EventType.PERSON_ADDED,
        case_ref=case,
        target_ref=person,
        data={"person_id": person.pk, "category": person.category},
    )


def _audit_person_added(actor, case: Case, person: Person) -> None:
    audit_record(**_person_added_event(actor, case, person))


def _lock_draft(actor, case: Case) -> Case:
    case = lock_case(case)
    require_perm(actor, case, "change_case", _("Only the requester may change this case."))
    if case.status != Status.DRAFT:
        raise ValidationError(
            {
                "status": [
                    _("Only a draft can be changed; this case is %(status)s.") % {"status": status_word(case.status)}
                ]
            }
        )
    return case


def case_update_draft(*, actor, case: Case, **changes) -> Case:
    """Change fields of a draft (any of CASE_DRAFT_FIELDS; the impact assessment takes an uploaded file).

    Preconditions: the actor is the requester (change_case); the case is a draft.
    Side effects: saves the changed fields only; CASE_UPDATED naming them (with
    old and new values for the non-free-text ones). Nothing changed: no event.
    """
    _refuse_unknown_fields(changes)
    with transaction.atomic():
        case = _lock_draft(actor, case)
        current = stored_draft_values(case)
        merged = {**current, **_cleaned(changes)}
        if changes.get("authority") == Authority.COMMISSION and "assigned_judge" not in changes:
            merged["assigned_judge"] = None  # a commission case names no judge
        errors: dict[str, list[str]] = {}
        resolved = validate_draft_values(merged, requester=case.requester, errors=errors)
        document = read_impact_assessment(changes.get(DOCUMENT_FIELD), errors)
        raise_if(errors)

        changed: list[str] = []
        values: dict[str, Any] = {}
        for name in current:
            new = resolved[name]
            new_id = getattr(new, "pk", new)
            if new_id != current[name]:
                changed.append(name)
                if name not in TEXT_FIELDS:
                    values[name] = {"from": json_value(current[name]), "to": json_value(new_id)}
                setattr(case, name, new)
        data: dict[str, Any] = {}
        if document is not None:
            old_file = case.impact_assessment.name if case.impact_assessment else None
            case.impact_assessment.save(_document_name(case, document[1]), ContentFile(document[0]), save=False)
            changed.append("impact_assessment")
            data["impact_assessment_sha256"] = hashlib.sha256(document[0]).hexdigest()
            if old_file:
                storage = case.impact_assessment.storage
                transaction.on_commit(lambda: storage.delete(old_file))
        if not changed:
            return case
        case.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            case_ref=case,
            target_ref=case,
            data={"changed": changed, "values": values, **data},
        )
    return case


def case_person_add(*, actor, case: Case, full_name: str, category: str, reason: str) -> Person:
    """Add a named person to a draft (R3, R20). Side effects: the Person row; PERSON_ADDED."""
    errors: dict[str, list[str]] = {}
    row = validate_person({"full_name": full_name, "category": category, "reason": reason}, errors)
    with transaction.atomic():
        case = _lock_draft(actor, case)
        existing = {name.casefold() for name in case.persons.values_list("full_name", flat=True)}
        if row["full_name"] and row["full_name"].casefold() in existing:
            add_error(errors, "full_name", _("This person is already listed on the case."))
        raise_if(errors)
        person = Person.objects.create(case=case, **row)
        _audit_person_added(actor, case, person)
    return person


def case_person_remove(*, actor, case: Case, person_id: int) -> None:
    """Remove a person from a draft. Side effects: deletes the row; PERSON_REMOVED."""
    with transaction.atomic():
        case = _lock_draft(actor, case)
        person = case.persons.filter(pk=person_id).first()
        if person is None:
            raise ValidationError({"person": [_("No person %(id)s on this case.") % {"id": person_id}]})
        person.delete()
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_REMOVED,
            case_ref=case,
            target_ref=f"oversight.Person:{person_id}",
            data={"person_id": person_id},
        )


def person_rectify(*, actor, person_id: int, full_name: str = "", category: str = "", request_id: int) -> dict:
    """Rectify a person's entry as a data-subject request decided (R21, LED Art. 16): the corrected full name
    and/or category replace the stored ones, in any case state (a running case then seeks the corrected entry).

    Preconditions: the caller (the office's carry-out) has checked the actor's role. Side effects: the Person row
    (update_fields); PERSON_RECTIFIED naming the fields changed, never their values (the old name must not survive
    in the trail). Returns {"changed": [fields]}; a person already erased changes nothing.
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("case").filter(pk=person_id).first()
        if person is None:
            return {"changed": []}
        wanted = {
            "full_name": " ".join((full_name or "").split()) or person.full_name,
            "category": category or person.category,
            "reason": person.reason,
        }
        row = validate_person(wanted, errors)
        raise_if(errors)
        changed = [f for f in ("full_name", "category") if getattr(person, f) != row[f]]
        if not changed:
            return {"changed": []}
        for field in changed:
            setattr(person, field, row[field])
        person.save(update_fields=changed)
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_RECTIFIED,
            case_ref=person.case,
            target_ref=person,
            data={"changed": changed, "request": request_id},
        )
    return {"changed": changed}


def case_camera_add(*, actor, case: Case, camera_id: int, reason: str) -> CaseCamera:
    """Add a camera to a draft with the reason the persons are expected there (R5).

    Refused: unknown or disabled camera, a camera of no deployment with a usable office opinion, no reason,
    more than CASE_MAX_CAMERAS, a duplicate.
    Side effects: the CaseCamera row; CASE_UPDATED {"cameras_added": [id]}.
    """
    errors: dict[str, list[str]] = {}
    camera = resolve_camera(camera_id, errors, "camera")
    reason = (reason or "").strip()
    if not reason:
        add_error(errors, "reason", _("Say why the persons are expected at this camera (R5)."))
    if camera is not None:
        for message in camera_usability_errors([camera]):
            add_error(errors, "camera", message)
    with transaction.atomic():
        case = _lock_draft(actor, case)
        links = set(case.case_cameras.values_list("camera_id", flat=True))
        if camera is not None and camera.pk in links:
            add_error(errors, "camera", _("This camera is already on the case."))
        elif len(links) >= settings.CASE_MAX_CAMERAS:
            add_error(errors, "camera", too_many_cameras())
        raise_if(errors)
        link = CaseCamera.objects.create(case=case, camera=camera, reason=reason)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            case_ref=case,
            target_ref=case,
            data={"changed": ["cameras"], "cameras_added": [camera.pk]},
        )
    return link


def case_camera_remove(*, actor, case: Case, camera_id: int) -> None:
    """Take a camera off a draft. Side effects: deletes the link; CASE_UPDATED {"cameras_removed": [id]}."""
    with transaction.atomic():
        case = _lock_draft(actor, case)
        deleted, _kinds = case.case_cameras.filter(camera_id=camera_id).delete()
        if not deleted:
            raise ValidationError({"camera": [_("Camera %(id)s is not on this case.") % {"id": camera_id}]})
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            case_ref=case,
            target_ref=case,
            data={"changed": ["cameras"], "cameras_removed": [camera_id]},
        )
