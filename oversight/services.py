"""Writes for cases, decisions, votes, cameras and objectives (R1-R10, R13, R17).

Every transition follows one pattern (STYLE, habit 2): transaction.atomic();
re-read the case with select_for_update(); check ALLOWED_TRANSITIONS; save with
update_fields; record the audit event in the same transaction; grant object
permissions. Repeating a transition that already happened returns the case
unchanged and records nothing.

Bad input raises django.core.exceptions.ValidationError with a dict naming the
field (the API turns it into HTTP 400, the pages into errors next to the
field); an action the user may not take raises PermissionDenied (HTTP 403).
Input is validated before anything is written and everything runs in one
transaction, so a refused request leaves no row behind.

The audit trail is append-only and kept for years (R18), so events carry ids,
categories and field names, never names of persons or the free text of the
request (R19, R21: personal data must stay erasable).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audits.events import EventType
from audits.services import SYSTEM, audit_record
from oversight import selectors
from oversight.models import Case, CaseCamera, CaseSequence, Decision, Objective, Vote
from oversight.roles import Role, user_has_role
from recognition.models import Camera
from watchlists.models import Person, validate_named_person
from watchlists.selectors import persons_without_ready_reference

Status = Case.Status
Authority = Case.Authority
# Actor label of the events the commission's tally writes (no single person decides).
COMMISSION_ACTOR = "commission"

# The lifecycle (issue 3, item 3; R6, R9). Anything not listed is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.URGENT, Status.CLOSED}),
    Status.URGENT: frozenset({Status.SUBMITTED, Status.REVOKED, Status.EXPIRED}),
    Status.SUBMITTED: frozenset({Status.APPROVED, Status.DENIED, Status.CLOSED}),
    Status.APPROVED: frozenset({Status.EXPIRED, Status.REVOKED}),
    Status.DENIED: frozenset({Status.CLOSED}),
    Status.EXPIRED: frozenset({Status.CLOSED}),
    Status.REVOKED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Fields a requester may set on a draft (case_create / case_update_draft).
DRAFT_FIELDS = (
    "objective",
    "offence",
    "offence_max_sentence_years",
    "legal_basis",
    "evidence",
    "harm_assessment",
    "rights_impact",
    "authority",
    "assigned_judge",
    "requested_start",
    "requested_end",
    "match_threshold",
    "impact_assessment",
)
# Free-text fields: the audit event names them but never copies their content.
TEXT_FIELDS = {"offence", "legal_basis", "evidence", "harm_assessment", "rights_impact"}

IMPACT_ASSESSMENT_TYPES = {"pdf": ".pdf", "text": ".txt"}


class TransitionNotAllowed(ValidationError):
    """A transition the table does not allow (HTTP 400 naming `status`)."""

    def __init__(self, case: Case, target: str, hint: str = ""):
        message = f"A case that is {case.status} cannot become {target}."
        super().__init__({"status": [f"{message} {hint}".strip()]})


# ---------------------------------------------------------------- helpers


def _lock(case: Case | int) -> Case:
    pk = case if isinstance(case, int) else case.pk
    return Case.objects.select_for_update().get(pk=pk)


def _may_move(case: Case, target: str) -> bool:
    """True: go ahead. False: the case is already there (the repeat is a no-op). Raises if not allowed."""
    if case.status == target:
        return False
    if target not in ALLOWED_TRANSITIONS[case.status]:
        raise TransitionNotAllowed(case, target)
    return True


def _require_perm(actor, case: Case, codename: str, message: str) -> None:
    if codename not in selectors.case_object_perms(user=actor, case=case):
        raise PermissionDenied(message)


def _require_not_requester(actor, case: Case) -> None:
    # R7: nobody decides or votes on a case they requested (also a database constraint).
    if actor.pk == case.requester_id:
        raise PermissionDenied("You requested this case: you cannot decide or vote on it (R7).")


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _next_reference(now: datetime) -> str:
    """FR-<year>-<number>, numbered per year; the sequence row lock makes it unique under concurrency."""
    year = timezone.localtime(now).year
    CaseSequence.objects.bulk_create([CaseSequence(year=year, last=0)], ignore_conflicts=True)
    sequence = CaseSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"FR-{year}-{sequence.last:04d}"


def _users():
    return get_user_model().objects


def _commission_members(case: Case):
    """Active commission members who may vote on the case: never its requester (R7)."""
    return list(
        _users()
        .filter(groups__name=Role.COMMISSION_MEMBER, is_active=True)
        .exclude(pk=case.requester_id)
        .order_by("pk")
    )


def _grant_requester_perms(case: Case) -> None:
    assign_perm("view_case", case.requester, case)
    assign_perm("change_case", case.requester, case)


def _grant_authority_perms(case: Case) -> dict:
    """The authority sees the case from the moment it is submitted or started urgently."""
    if case.authority == Authority.JUDGE:
        assign_perm("view_case", case.assigned_judge, case)
        assign_perm("decide_case", case.assigned_judge, case)
        return {"assigned_judge": case.assigned_judge_id}
    members = _commission_members(case)
    for member in members:  # get_or_create each: repeating (urgent, then submitted) is harmless
        assign_perm("view_case", member, case)
        assign_perm("vote_case", member, case)
    return {"commission_members": [m.pk for m in members]}


# ---------------------------------------------------------------- validation


def _resolve_objective(value, errors) -> Objective | None:
    if value in (None, ""):
        _add(errors, "objective", "Choose the legal objective (R1).")
        return None
    if isinstance(value, Objective):
        value = value.pk
    objective = Objective.objects.filter(pk=value).first()
    if objective is None:
        _add(errors, "objective", f"Unknown objective {value!r}.")
    elif not objective.enabled:
        _add(
            errors, "objective", f"The objective {objective.code!r} is disabled: national law does not enable it (R1)."
        )
    return objective


def _resolve_judge(value, errors):
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        value = value.pk
    try:
        judge = _users().filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        judge = None
    if judge is None or not user_has_role(judge, Role.JUDGE):
        _add(errors, "assigned_judge", "Choose an active user with the judge role.")
        return None
    return judge


def _check_threshold(value, errors, field: str = "match_threshold") -> float | None:
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        _add(errors, field, "Give a number.")
        return None
    if not threshold > 0:
        _add(errors, field, "The threshold must be greater than 0.")
    elif threshold > settings.MATCH_THRESHOLD_MAX:
        # R13: a distance, lower is stricter; the administrator's limit is the laxest allowed.
        _add(
            errors,
            field,
            f"The threshold may not exceed {settings.MATCH_THRESHOLD_MAX} (the administrator's limit; "
            "a lower distance is stricter) (R13).",
        )
    return threshold


def _check_window(start, end, errors) -> None:
    if start is None:
        _add(errors, "requested_start", "Give the requested start.")
    if end is None:
        _add(errors, "requested_end", "Give the requested end.")
    if start is None or end is None:
        return
    if end <= start:
        _add(errors, "requested_end", "The end must be after the start.")
    elif end - start > timedelta(hours=settings.CASE_MAX_DURATION_HOURS):
        _add(errors, "requested_end", f"The window may last at most {settings.CASE_MAX_DURATION_HOURS} hours (R5).")


def _validate_draft_values(values: dict, *, requester, errors: dict) -> dict:
    """Check the draft's fields as a whole; returns them resolved (objective, judge objects)."""
    resolved = dict(values)
    objective = _resolve_objective(values.get("objective"), errors)
    resolved["objective"] = objective
    years = values.get("offence_max_sentence_years")
    if years in (None, ""):
        years = None
    else:
        try:
            years = int(years)
        except (TypeError, ValueError):
            _add(errors, "offence_max_sentence_years", "Give a whole number of years.")
            years = None
        else:
            if years < 0:
                _add(errors, "offence_max_sentence_years", "Give a whole number of years.")
    resolved["offence_max_sentence_years"] = years
    if objective is not None and objective.code == Objective.SUSPECT:
        # R1(c): the offence and its maximum sentence, at least 4 years.
        if not (values.get("offence") or "").strip():
            _add(errors, "offence", "Name the offence the suspect is sought for (R1(c)).")
        if years is None and "offence_max_sentence_years" not in errors:
            _add(errors, "offence_max_sentence_years", "Give the offence's maximum sentence in years (R1(c)).")
        elif years is not None and years < 4:
            _add(
                errors,
                "offence_max_sentence_years",
                "A suspect search needs an offence punishable by at least 4 years (R1(c)).",
            )
    _check_window(values.get("requested_start"), values.get("requested_end"), errors)
    resolved["match_threshold"] = _check_threshold(values.get("match_threshold"), errors)
    authority = values.get("authority") or Authority.JUDGE
    if authority not in Authority.values:
        _add(errors, "authority", f"Choose one of: {', '.join(Authority.values)}.")
    resolved["authority"] = authority
    judge = _resolve_judge(values.get("assigned_judge"), errors)
    if judge is not None:
        if authority != Authority.JUDGE:
            _add(errors, "assigned_judge", "Only a case decided by a judge names a judge.")
        elif judge.pk == requester.pk:
            _add(errors, "assigned_judge", "You cannot be the judge of your own request (R7).")
    resolved["assigned_judge"] = judge if authority == Authority.JUDGE else None
    return resolved


def _read_impact_assessment(upload, errors) -> tuple[bytes, str] | None:
    """R8: a PDF or a plain-text document, decided by content; returns (bytes, extension)."""
    if upload is None:
        return None
    size = getattr(upload, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        _add(errors, "impact_assessment", f"The document is larger than {settings.UPLOAD_MAX_BYTES} bytes.")
        return None
    upload.seek(0)
    content = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(content) > settings.UPLOAD_MAX_BYTES:
        _add(errors, "impact_assessment", f"The document is larger than {settings.UPLOAD_MAX_BYTES} bytes.")
        return None
    if not content.strip():
        _add(errors, "impact_assessment", "The document is empty.")
        return None
    if content.startswith(b"%PDF-"):
        return content, IMPACT_ASSESSMENT_TYPES["pdf"]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        _add(errors, "impact_assessment", "Attach a PDF or a plain-text (UTF-8) document.")
        return None
    return content, IMPACT_ASSESSMENT_TYPES["text"]


def _validate_person(data: dict, errors: dict, prefix: str = "") -> dict:
    field = (prefix + ".") if prefix else ""
    full_name = " ".join(str(data.get("full_name") or "").split())
    try:
        validate_named_person(full_name)
    except ValidationError as exc:
        for message in exc.messages:
            _add(errors, f"{field}full_name" if prefix else "full_name", message)
    category = data.get("category")
    if category not in Person.Category.values:
        _add(
            errors,
            f"{field}category" if prefix else "category",
            f"Choose one of: {', '.join(Person.Category.values)} (R20).",
        )
    reason = str(data.get("reason") or "").strip()
    if not reason:
        _add(errors, f"{field}reason" if prefix else "reason", "Say why this person is sought.")
    return {"full_name": full_name, "category": category, "reason": reason}


def _resolve_camera(camera_id, errors, field: str) -> Camera | None:
    if hasattr(camera_id, "pk"):
        camera_id = camera_id.pk
    try:
        camera = Camera.objects.filter(pk=int(camera_id)).first()
    except (TypeError, ValueError):
        camera = None
    if camera is None:
        _add(errors, field, f"Unknown camera {camera_id!r}.")
    elif not camera.enabled:
        _add(errors, field, f"The camera {camera.name!r} is disabled.")
    return camera


def _completeness_errors(case: Case, *, now: datetime) -> dict[str, list[str]]:
    """What a case needs before it may be submitted or started urgently (R1-R5, R8, R13)."""
    errors: dict[str, list[str]] = {}
    values = {name: getattr(case, name) for name in DRAFT_FIELDS}
    values["objective"] = case.objective_id
    values["assigned_judge"] = case.assigned_judge_id
    # The settings may have changed since the draft was saved: check again.
    _validate_draft_values(values, requester=case.requester, errors=errors)
    if case.requested_end is not None and case.requested_end <= now:
        _add(errors, "requested_end", "The requested window has already ended.")
    if not case.legal_basis.strip():
        _add(errors, "legal_basis", "Name the provision of national law the case relies on (R2).")
    for name, label in (
        ("evidence", "the objective evidence or clear indications relied on"),
        ("harm_assessment", "the seriousness, probability and scale of the harm if the system is not used"),
        ("rights_impact", "the consequences for the rights of everyone affected"),
    ):
        if not getattr(case, name).strip():
            _add(errors, name, f"Describe {label} (R4).")
    if not case.impact_assessment:
        _add(errors, "impact_assessment", "Attach the fundamental-rights and data-protection impact assessment (R8).")
    persons = list(case.persons.all())
    if not persons:
        _add(errors, "persons", "Name at least one person sought (R3).")
    else:
        missing = persons_without_ready_reference(case=case)
        if missing:
            _add(
                errors,
                "persons",
                "Every person needs a ready reference face; missing for person ids "
                + ", ".join(str(p.pk) for p in missing)
                + ".",
            )
    links = list(case.case_cameras.select_related("camera"))
    if not links:
        _add(errors, "cameras", "Choose at least one camera, with the reason the persons are expected there (R5).")
    elif len(links) > settings.CASE_MAX_CAMERAS:
        _add(errors, "cameras", f"A case may cover at most {settings.CASE_MAX_CAMERAS} cameras (R5).")
    for link in links:
        if not link.camera.enabled:
            _add(errors, "cameras", f"The camera {link.camera.name!r} is disabled.")
    if case.authority == Authority.JUDGE and case.assigned_judge_id is None:
        _add(errors, "assigned_judge", "Name the judge who will decide (R6).")
    if case.authority == Authority.COMMISSION and len(_commission_members(case)) < settings.COMMISSION_QUORUM:
        _add(errors, "authority", f"The commission has fewer than {settings.COMMISSION_QUORUM} members who may vote.")
    return errors


# ---------------------------------------------------------------- drafts


def case_create(
    *,
    actor,
    objective: str | Objective,
    requested_start: datetime,
    requested_end: datetime,
    match_threshold: float | None = None,
    authority: str = Authority.JUDGE,
    assigned_judge=None,
    offence: str = "",
    offence_max_sentence_years: int | None = None,
    legal_basis: str = "",
    evidence: str = "",
    harm_assessment: str = "",
    rights_impact: str = "",
    impact_assessment=None,
    persons: list[dict] | tuple = (),
    cameras: list[dict] | tuple = (),
) -> Case:
    """Draft a case (issue 3, item 2).

    Preconditions: the actor may draft cases (oversight.add_case, the requester
    role); objective enabled (R1); window ordered and within
    CASE_MAX_DURATION_HOURS (R5); threshold within MATCH_THRESHOLD_MAX (R13);
    persons named (R3, R20); cameras known, enabled, each with a reason (R5),
    at most CASE_MAX_CAMERAS. Legal basis, reasons and the impact assessment
    may follow before submission.
    Side effects: the case, its persons and cameras; view/change object
    permissions for the requester; CASE_CREATED and one PERSON_ADDED per person.
    """
    if not actor.has_perm("oversight.add_case"):
        raise PermissionDenied("Only requesters may draft cases.")
    errors: dict[str, list[str]] = {}
    values = {
        "objective": objective,
        "offence": (offence or "").strip(),
        "offence_max_sentence_years": offence_max_sentence_years,
        "legal_basis": (legal_basis or "").strip(),
        "evidence": (evidence or "").strip(),
        "harm_assessment": (harm_assessment or "").strip(),
        "rights_impact": (rights_impact or "").strip(),
        "authority": authority,
        "assigned_judge": assigned_judge,
        "requested_start": requested_start,
        "requested_end": requested_end,
        "match_threshold": settings.MATCH_THRESHOLD_DEFAULT if match_threshold is None else match_threshold,
    }
    resolved = _validate_draft_values(values, requester=actor, errors=errors)
    document = _read_impact_assessment(impact_assessment, errors)
    person_rows = [_validate_person(p, errors, prefix=f"persons[{i}]") for i, p in enumerate(persons)]
    _check_duplicate_names(person_rows, errors)
    camera_rows = []
    if len(cameras) > settings.CASE_MAX_CAMERAS:
        _add(errors, "cameras", f"A case may cover at most {settings.CASE_MAX_CAMERAS} cameras (R5).")
    seen = set()
    for i, row in enumerate(cameras):
        camera = _resolve_camera(row.get("camera_id", row.get("camera")), errors, f"cameras[{i}].camera_id")
        reason = str(row.get("reason") or "").strip()
        if not reason:
            _add(errors, f"cameras[{i}].reason", "Say why the persons are expected at this camera (R5).")
        if camera is not None:
            if camera.pk in seen:
                _add(errors, f"cameras[{i}].camera_id", "This camera is listed twice.")
            seen.add(camera.pk)
            camera_rows.append((camera, reason))
    _raise_if(errors)

    with transaction.atomic():
        now = timezone.now()
        case = Case(
            reference=_next_reference(now),
            requester=actor,
            unit=actor.unit,
            status=Status.DRAFT,
            **{k: v for k, v in resolved.items() if k != "impact_assessment"},
        )
        if document is not None:
            case.impact_assessment.save(_document_name(case, document[1]), ContentFile(document[0]), save=False)
        case.save()
        created_persons = Person.objects.bulk_create([Person(case=case, **row) for row in person_rows])
        CaseCamera.objects.bulk_create([CaseCamera(case=case, camera=c, reason=r) for c, r in camera_rows])
        _grant_requester_perms(case)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_CREATED,
            case_ref=case,
            target_ref=case,
            data={
                "objective": case.objective_id,
                "authority": case.authority,
                "assigned_judge": case.assigned_judge_id,
                "requested_start": _iso(case.requested_start),
                "requested_end": _iso(case.requested_end),
                "match_threshold": case.match_threshold,
                "unit": case.unit,
                "persons": [p.pk for p in created_persons],
                "cameras": [c.pk for c, _ in camera_rows],
                "impact_assessment_sha256": hashlib.sha256(document[0]).hexdigest() if document else None,
            },
        )
        for person in created_persons:
            _audit_person_added(actor, case, person)
    return case


def _document_name(case: Case, extension: str) -> str:
    # Never the uploaded file name: it is chosen by the client and may carry personal data.
    return f"{case.reference}-{uuid.uuid4().hex}{extension}"


def _check_duplicate_names(rows: list[dict], errors: dict, existing: set[str] | None = None) -> None:
    seen = set(existing or ())
    for i, row in enumerate(rows):
        key = row["full_name"].casefold()
        if key and key in seen:
            _add(errors, f"persons[{i}].full_name", "This person is already listed on the case.")
        seen.add(key)


def _audit_person_added(actor, case: Case, person: Person) -> None:
    # R17 (collection): ids and category only; the name stays in the erasable row.
    audit_record(
        actor=actor,
        event_type=EventType.PERSON_ADDED,
        case_ref=case,
        target_ref=person,
        data={"person_id": person.pk, "category": person.category},
    )


def _lock_draft(actor, case: Case) -> Case:
    case = _lock(case)
    _require_perm(actor, case, "change_case", "Only the requester may change this case.")
    if case.status != Status.DRAFT:
        raise ValidationError({"status": [f"Only a draft can be changed; this case is {case.status}."]})
    return case


def case_update_draft(*, actor, case: Case, **changes) -> Case:
    """Change fields of a draft (any of DRAFT_FIELDS; impact_assessment takes an uploaded file).

    Preconditions: the actor is the requester (change_case); the case is a draft.
    Side effects: saves the changed fields only; CASE_UPDATED naming them (with
    old and new values for the non-free-text ones). Nothing changed: no event.
    """
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    with transaction.atomic():
        case = _lock_draft(actor, case)
        current = {name: getattr(case, name) for name in DRAFT_FIELDS if name != "impact_assessment"}
        current["objective"] = case.objective_id
        current["assigned_judge"] = case.assigned_judge_id
        merged = dict(current)
        if changes.get("authority") == Authority.COMMISSION and "assigned_judge" not in changes:
            merged["assigned_judge"] = None  # a commission case names no judge
        for name, value in changes.items():
            if name == "impact_assessment":
                continue
            merged[name] = value.strip() if isinstance(value, str) and name in TEXT_FIELDS else value
        errors: dict[str, list[str]] = {}
        resolved = _validate_draft_values(merged, requester=case.requester, errors=errors)
        document = _read_impact_assessment(changes.get("impact_assessment"), errors)
        _raise_if(errors)

        changed: list[str] = []
        values: dict[str, Any] = {}
        for name in current:
            new = resolved[name]
            new_id = getattr(new, "pk", new)
            if new_id != current[name]:
                changed.append(name)
                if name not in TEXT_FIELDS:
                    values[name] = {"from": _json_value(current[name]), "to": _json_value(new_id)}
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
    row = _validate_person({"full_name": full_name, "category": category, "reason": reason}, errors)
    with transaction.atomic():
        case = _lock_draft(actor, case)
        existing = {name.casefold() for name in case.persons.values_list("full_name", flat=True)}
        if row["full_name"] and row["full_name"].casefold() in existing:
            _add(errors, "full_name", "This person is already listed on the case.")
        _raise_if(errors)
        person = Person.objects.create(case=case, **row)
        _audit_person_added(actor, case, person)
    return person


def case_person_remove(*, actor, case: Case, person_id: int) -> None:
    """Remove a person from a draft. Side effects: deletes the row; PERSON_REMOVED."""
    with transaction.atomic():
        case = _lock_draft(actor, case)
        person = case.persons.filter(pk=person_id).first()
        if person is None:
            raise ValidationError({"person": [f"No person {person_id} on this case."]})
        person.delete()
        audit_record(
            actor=actor,
            event_type=EventType.PERSON_REMOVED,
            case_ref=case,
            target_ref=f"watchlists.Person:{person_id}",
            data={"person_id": person_id},
        )


def case_camera_add(*, actor, case: Case, camera_id: int, reason: str) -> CaseCamera:
    """Add a camera to a draft with the reason the persons are expected there (R5).

    Refused: unknown or disabled camera, no reason, more than CASE_MAX_CAMERAS, a duplicate.
    Side effects: the CaseCamera row; CASE_UPDATED {"cameras_added": [id]}.
    """
    errors: dict[str, list[str]] = {}
    camera = _resolve_camera(camera_id, errors, "camera")
    reason = (reason or "").strip()
    if not reason:
        _add(errors, "reason", "Say why the persons are expected at this camera (R5).")
    with transaction.atomic():
        case = _lock_draft(actor, case)
        links = set(case.case_cameras.values_list("camera_id", flat=True))
        if camera is not None and camera.pk in links:
            _add(errors, "camera", "This camera is already on the case.")
        elif len(links) >= settings.CASE_MAX_CAMERAS:
            _add(errors, "camera", f"A case may cover at most {settings.CASE_MAX_CAMERAS} cameras (R5).")
        _raise_if(errors)
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
        deleted, _ = case.case_cameras.filter(camera_id=camera_id).delete()
        if not deleted:
            raise ValidationError({"camera": [f"Camera {camera_id} is not on this case."]})
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            case_ref=case,
            target_ref=case,
            data={"changed": ["cameras"], "cameras_removed": [camera_id]},
        )


# ---------------------------------------------------------------- submission and urgency


def case_submit(*, actor, case: Case) -> Case:
    """File the request with its authority: draft → submitted, or urgent → submitted (R9).

    Preconditions: the actor is the requester; the case is complete
    (_completeness_errors: R1-R5, R8, R13, every person with a ready reference
    face); an urgent case is filed before its 24 hours run out.
    Side effects: submitted_at; view + decide (judge) or view + vote (each
    commission member but the requester) object permissions; CASE_SUBMITTED.
    """
    with transaction.atomic():
        case = _lock(case)
        _require_perm(actor, case, "change_case", "Only the requester may submit this case.")
        if not _may_move(case, Status.SUBMITTED):
            return case
        now = timezone.now()
        if case.status == Status.URGENT and now >= case.urgency_ends_at:
            raise ValidationError(
                {
                    "status": [
                        f"The {settings.CASE_URGENCY_HOURS}-hour urgency limit has passed; the case has lapsed (R9)."
                    ]
                }
            )
        _raise_if(_completeness_errors(case, now=now))
        previous = case.status
        case.status = Status.SUBMITTED
        case.submitted_at = now
        case.save(update_fields=["status", "submitted_at", "updated_at"])
        grants = _grant_authority_perms(case)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_SUBMITTED,
            case_ref=case,
            target_ref=case,
            data={"from": previous, "to": case.status, "authority": case.authority, "urgent": case.is_urgent, **grants},
        )
    return case


def case_start_urgent(*, actor, case: Case, urgency_reason: str) -> Case:
    """R9: start a complete draft at once, before authorisation, for a duly justified urgency.

    Preconditions: the actor is the requester; a written urgency reason; the
    case complete as for submission, impact assessment included (R8: no case
    becomes active without it).
    Side effects: is_urgent, urgency_reason, urgent_started_at = now; the
    authority gets view and decide/vote permissions at once (it may revoke);
    CASE_URGENT_STARTED. The gate opens for CASE_URGENCY_HOURS at most; the
    request must be filed (case_submit) within that time.
    """
    with transaction.atomic():
        case = _lock(case)
        _require_perm(actor, case, "change_case", "Only the requester may start this case.")
        if not _may_move(case, Status.URGENT):
            return case
        now = timezone.now()
        errors = _completeness_errors(case, now=now)
        urgency_reason = (urgency_reason or "").strip()
        if not urgency_reason:
            _add(errors, "urgency_reason", "Explain the urgency in writing (R9).")
        _raise_if(errors)
        case.status = Status.URGENT
        case.is_urgent = True
        case.urgency_reason = urgency_reason
        case.urgent_started_at = now
        case.save(update_fields=["status", "is_urgent", "urgency_reason", "urgent_started_at", "updated_at"])
        grants = _grant_authority_perms(case)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_URGENT_STARTED,
            case_ref=case,
            target_ref=case,
            data={
                "from": Status.DRAFT,
                "to": Status.URGENT,
                "urgent_started_at": _iso(now),
                "urgency_ends_at": _iso(case.urgency_ends_at),
                **grants,
            },
        )
    return case


# ---------------------------------------------------------------- decisions


def _proposed_scope(
    case: Case,
    *,
    now: datetime,
    start: datetime | None,
    end: datetime | None,
    threshold: float | None,
    person_ids,
    camera_ids,
) -> dict:
    """A decision or vote may narrow the request, never widen it (R5, R6). None means "as requested".

    Returns the scope with the narrowing it makes; raises ValidationError naming the field.
    """
    errors: dict[str, list[str]] = {}
    start = case.requested_start if start is None else start
    end = case.requested_end if end is None else end
    if start < case.requested_start:
        _add(errors, "start", "A decision may only narrow the request: the start cannot be earlier than requested.")
    if end > case.requested_end:
        _add(errors, "end", "A decision may only narrow the request: the end cannot be later than requested.")
    if end <= start:
        _add(errors, "end", "The end must be after the start.")
    elif end <= now:
        _add(errors, "end", "This window has already ended: nothing can be authorised in it.")
    if threshold is None:
        threshold = case.match_threshold
    else:
        threshold = _check_threshold(threshold, errors, field="threshold")
        if threshold is not None and threshold > case.match_threshold:
            _add(
                errors,
                "threshold",
                f"A decision may only narrow the request: the threshold cannot be laxer (higher) than the "
                f"requested {case.match_threshold} (R13).",
            )
    requested_persons = sorted(case.persons.filter(in_scope=True).values_list("pk", flat=True))
    requested_cameras = sorted(case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True))
    persons = _subset(person_ids, requested_persons, "person_ids", "person", errors)
    cameras = _subset(camera_ids, requested_cameras, "camera_ids", "camera", errors)
    _raise_if(errors)
    narrowed = {}
    if start != case.requested_start:
        narrowed["start"] = {"requested": _iso(case.requested_start), "allowed": _iso(start)}
    if end != case.requested_end:
        narrowed["end"] = {"requested": _iso(case.requested_end), "allowed": _iso(end)}
    if threshold != case.match_threshold:
        narrowed["threshold"] = {"requested": case.match_threshold, "allowed": threshold}
    if persons != requested_persons:
        narrowed["persons_excluded"] = sorted(set(requested_persons) - set(persons))
    if cameras != requested_cameras:
        narrowed["cameras_excluded"] = sorted(set(requested_cameras) - set(cameras))
    return {
        "start": start,
        "end": end,
        "threshold": threshold,
        "person_ids": persons,
        "camera_ids": cameras,
        "narrowed": narrowed,
    }


def _subset(chosen, requested: list[int], field: str, noun: str, errors) -> list[int]:
    if chosen is None:
        return list(requested)
    try:
        ids = sorted({int(x) for x in chosen})
    except (TypeError, ValueError):
        _add(errors, field, f"Give {noun} ids as numbers.")
        return []
    outside = [i for i in ids if i not in requested]
    if outside:
        _add(
            errors,
            field,
            f"A decision may only narrow the request: {noun}s {outside} are not in the request.",
        )
    if not ids:
        _add(errors, field, f"Keep at least one {noun}, or refuse the request.")
    return ids


def _apply_scope(case: Case, scope: dict, now: datetime) -> list[str]:
    """Write an approval's scope onto the case (fields returned for update_fields)."""
    case.approved_start = scope["start"]
    case.approved_end = scope["end"]
    case.approved_threshold = scope["threshold"]
    case.persons.exclude(pk__in=scope["person_ids"]).update(in_scope=False)
    case.case_cameras.exclude(camera_id__in=scope["camera_ids"]).update(in_scope=False)
    case.status = Status.APPROVED
    case.decided_at = now
    return ["status", "decided_at", "approved_start", "approved_end", "approved_threshold", "updated_at"]


def _deny(case: Case, now: datetime, *, actor, data: dict) -> None:
    previous = case.status
    case.status = Status.DENIED
    case.decided_at = now
    fields = ["status", "decided_at", "updated_at"]
    if case.is_urgent:
        case.data_deletion_due_at = now
        fields.append("data_deletion_due_at")
    case.save(update_fields=fields)
    audit_record(
        actor=actor,
        event_type=EventType.CASE_DENIED,
        case_ref=case,
        target_ref=case,
        data={"from": previous, "to": case.status, **data},
    )
    if case.is_urgent:
        # R9: refused after an urgent start: processing stops at once (the gate
        # sees `denied`) and everything the use produced must be deleted.
        _record_deletion_due(case, actor=actor, why="refused")


def _record_deletion_due(case: Case, *, actor, why: str) -> None:
    audit_record(
        actor=actor,
        event_type=EventType.CASE_DATA_DELETION_DUE,
        case_ref=case,
        target_ref=case,
        data={"why": why, "due_at": _iso(case.data_deletion_due_at), "urgent_started_at": _iso(case.urgent_started_at)},
    )


def case_decide(
    *,
    actor,
    case: Case,
    granted: bool,
    reasons: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float | None = None,
    person_ids: list[int] | None = None,
    camera_ids: list[int] | None = None,
) -> Case:
    """The judge's binding decision (R6): submitted → approved or denied.

    Preconditions: the actor is the case's assigned judge (decide_case) and not
    its requester (R7); reasons for a refusal; a grant may narrow the scope
    (later start, earlier end, stricter threshold, fewer persons or cameras)
    but never widen it.
    Side effects: one Decision row (unique per case); the case's approved scope
    and persons/cameras out of scope; CASE_APPROVED or CASE_DENIED (with the
    narrowing); a refused urgent case is marked for data deletion (R9).
    The same decision again returns the case unchanged; a different one is refused.
    """
    with transaction.atomic():
        case = _lock(case)
        _require_not_requester(actor, case)
        _require_perm(actor, case, "decide_case", "Only the judge assigned to this case may decide it.")
        if (
            case.authority != Authority.JUDGE
            or case.assigned_judge_id != actor.pk
            or not user_has_role(actor, Role.JUDGE)
        ):
            raise PermissionDenied("Only the judge assigned to this case may decide it.")
        target = Status.APPROVED if granted else Status.DENIED
        existing = Decision.objects.filter(case=case).first()
        if existing is not None:
            if existing.granted == bool(granted):
                return case  # the same decision again: the repeat changes nothing
            raise TransitionNotAllowed(case, target, "The decision has been taken.")
        if not _may_move(case, target):
            return case
        now = timezone.now()
        reasons = (reasons or "").strip()
        if not granted:
            if not reasons:
                raise ValidationError({"reasons": ["A refusal states its reasons (R6)."]})
            Decision.objects.create(
                case=case, decided_by=actor, requester_id=case.requester_id, granted=False, reasons=reasons
            )
            _deny(case, now, actor=actor, data={"authority": Authority.JUDGE, "decided_by": actor.pk})
            return case
        scope = _proposed_scope(
            case, now=now, start=start, end=end, threshold=threshold, person_ids=person_ids, camera_ids=camera_ids
        )
        decision = Decision.objects.create(
            case=case,
            decided_by=actor,
            requester_id=case.requester_id,
            granted=True,
            reasons=reasons,
            **_scope_columns(scope),
        )
        _approve(
            case,
            scope,
            now,
            actor=actor,
            data={"authority": Authority.JUDGE, "decision_id": decision.pk, "narrowed": scope["narrowed"]},
        )
    return case


def case_vote(
    *,
    actor,
    case: Case,
    granted: bool,
    reasons: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float | None = None,
    person_ids: list[int] | None = None,
    camera_ids: list[int] | None = None,
) -> Case:
    """One commission member's vote (R6); the vote that reaches the quorum decides.

    Preconditions: the actor holds vote_case on the case (a commission member
    when it was submitted) and is not its requester (R7); the case is
    submitted; reasons for a vote against; a vote in favour may narrow the
    scope, never widen it.
    Decision rule, read from settings at each vote: once COMMISSION_QUORUM votes
    are in, the case is approved if strictly more than COMMISSION_MAJORITY of
    them are in favour, with the INTERSECTION of the favourable votes' scopes
    (latest start, earliest end, lowest threshold, persons and cameras every
    favourable vote kept); otherwise, or if that intersection is empty, denied.
    Side effects: the Vote row (unique per case and member); CASE_VOTE_CAST;
    at the quorum CASE_APPROVED or CASE_DENIED. The same vote again changes nothing; a different
    one is refused (a vote is final).
    """
    with transaction.atomic():
        # The case row lock serialises concurrent votes: the tally sees them all.
        case = _lock(case)
        _require_not_requester(actor, case)
        _require_perm(actor, case, "vote_case", "Only commission members may vote on this case.")
        if case.authority != Authority.COMMISSION or not user_has_role(actor, Role.COMMISSION_MEMBER):
            raise PermissionDenied("Only commission members may vote on this case.")
        existing = Vote.objects.filter(case=case, member=actor).first()
        if existing is not None:
            if existing.granted == bool(granted):
                return case  # the same vote again: the repeat changes nothing
            raise ValidationError({"granted": ["You have already voted on this case; a vote is final."]})
        if case.status != Status.SUBMITTED:
            raise ValidationError({"status": [f"Voting is closed: the case is {case.status}."]})
        now = timezone.now()
        reasons = (reasons or "").strip()
        if granted:
            scope = _proposed_scope(
                case, now=now, start=start, end=end, threshold=threshold, person_ids=person_ids, camera_ids=camera_ids
            )
            vote = Vote.objects.create(
                case=case,
                member=actor,
                requester_id=case.requester_id,
                granted=True,
                reasons=reasons,
                **_scope_columns(scope),
            )
            narrowed = scope["narrowed"]
        else:
            if not reasons:
                raise ValidationError({"reasons": ["A vote against states its reasons (R6)."]})
            vote = Vote.objects.create(
                case=case, member=actor, requester_id=case.requester_id, granted=False, reasons=reasons
            )
            narrowed = {}
        audit_record(
            actor=actor,
            event_type=EventType.CASE_VOTE_CAST,
            case_ref=case,
            target_ref=vote,
            data={"vote_id": vote.pk, "granted": vote.granted, "narrowed": narrowed},
        )
        _commission_tally(case, now=now)
    return case


def _commission_tally(case: Case, *, now: datetime) -> None:
    votes = list(case.votes.order_by("id"))
    if len(votes) < settings.COMMISSION_QUORUM:
        return
    in_favour = [v for v in votes if v.granted]
    tally = {"votes": len(votes), "in_favour": len(in_favour), "against": len(votes) - len(in_favour)}
    rule = {"quorum": settings.COMMISSION_QUORUM, "majority_above": settings.COMMISSION_MAJORITY}
    if not len(in_favour) / len(votes) > settings.COMMISSION_MAJORITY:
        _deny(case, now, actor=COMMISSION_ACTOR, data={"authority": Authority.COMMISSION, "tally": tally, "rule": rule})
        return
    # The strictest scope every favourable vote accepts.
    start = max(v.scope_start for v in in_favour)
    end = min(v.scope_end for v in in_favour)
    threshold = min(v.scope_threshold for v in in_favour)
    persons = sorted(set.intersection(*(set(v.scope_person_ids) for v in in_favour)))
    cameras = sorted(set.intersection(*(set(v.scope_camera_ids) for v in in_favour)))
    if end <= start or not persons or not cameras:
        # Fail closed: the majority agrees on no common scope.
        _deny(
            case,
            now,
            actor=COMMISSION_ACTOR,
            data={"authority": Authority.COMMISSION, "tally": tally, "rule": rule, "why": "no common scope"},
        )
        return
    scope = {"start": start, "end": end, "threshold": threshold, "person_ids": persons, "camera_ids": cameras}
    requested_persons = set(case.persons.filter(in_scope=True).values_list("pk", flat=True))
    requested_cameras = set(case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True))
    narrowed = {
        **({"start": _iso(start)} if start != case.requested_start else {}),
        **({"end": _iso(end)} if end != case.requested_end else {}),
        **({"threshold": threshold} if threshold != case.match_threshold else {}),
        **({"persons_excluded": sorted(requested_persons - set(persons))} if requested_persons - set(persons) else {}),
        **({"cameras_excluded": sorted(requested_cameras - set(cameras))} if requested_cameras - set(cameras) else {}),
    }
    _approve(
        case,
        scope,
        now,
        actor=COMMISSION_ACTOR,
        data={"authority": Authority.COMMISSION, "tally": tally, "rule": rule, "narrowed": narrowed},
    )


def _scope_columns(scope: dict) -> dict:
    """A proposed scope as the columns of a Decision or Vote."""
    return {
        "scope_start": scope["start"],
        "scope_end": scope["end"],
        "scope_threshold": scope["threshold"],
        "scope_person_ids": scope["person_ids"],
        "scope_camera_ids": scope["camera_ids"],
    }


def _approve(case: Case, scope: dict, now: datetime, *, actor, data: dict) -> None:
    """submitted → approved with `scope` (judge or commission); CASE_APPROVED records the scope and how."""
    case.save(update_fields=_apply_scope(case, scope, now))
    audit_record(
        actor=actor,
        event_type=EventType.CASE_APPROVED,
        case_ref=case,
        target_ref=case,
        data={
            "from": Status.SUBMITTED,
            "to": Status.APPROVED,
            **data,
            "approved_start": _iso(case.approved_start),
            "approved_end": _iso(case.approved_end),
            "approved_threshold": case.approved_threshold,
            "person_ids": scope["person_ids"],
            "camera_ids": scope["camera_ids"],
        },
    )


# ---------------------------------------------------------------- ending a case


def case_revoke(*, actor, case: Case, reason: str) -> Case:
    """The deciding authority stops a case: approved → revoked, or urgent → revoked.

    Preconditions: the actor holds decide_case (the judge) or vote_case (any
    commission member: stopping is always the safe direction); a reason.
    Side effects: revoked_at/by/reason; CASE_REVOKED; an urgent case revoked
    before authorisation is marked for data deletion (R9). The gate closes at once.
    """
    with transaction.atomic():
        case = _lock(case)
        perms = selectors.case_object_perms(user=actor, case=case)
        if actor.pk == case.requester_id or not perms & {"decide_case", "vote_case"}:
            raise PermissionDenied("Only the deciding authority may revoke this case; the requester withdraws it.")
        if not _may_move(case, Status.REVOKED):
            return case
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": ["Give the reason for the revocation."]})
        _stop(case, actor=actor, reason=reason, event_type=EventType.CASE_REVOKED)
    return case


def _stop(case: Case, *, actor, reason: str, event_type: EventType) -> None:
    """approved/urgent → revoked, or submitted → closed (a withdrawal before the decision)."""
    now = timezone.now()
    previous = case.status
    unauthorised_urgent = case.is_urgent and previous in (Status.URGENT, Status.SUBMITTED)
    fields = ["status", "updated_at", "revocation_reason", "revoked_by"]
    case.revoked_by = actor
    case.revocation_reason = reason
    if previous == Status.SUBMITTED:
        case.status = Status.CLOSED
        case.closed_at = now
        fields.append("closed_at")
    else:
        case.status = Status.REVOKED
        case.revoked_at = now
        fields.append("revoked_at")
    if unauthorised_urgent:
        case.data_deletion_due_at = now
        fields.append("data_deletion_due_at")
    case.save(update_fields=fields)
    audit_record(
        actor=actor,
        event_type=event_type,
        case_ref=case,
        target_ref=case,
        data={"from": previous, "to": case.status},
    )
    if unauthorised_urgent:
        # R9: an urgent use that ends without authorisation leaves nothing behind.
        _record_deletion_due(case, actor=actor, why="ended without authorisation")


WITHDRAW_TARGETS = {Status.APPROVED: Status.REVOKED, Status.URGENT: Status.REVOKED, Status.SUBMITTED: Status.CLOSED}


def case_withdraw(*, actor, case: Case, reason: str = "") -> Case:
    """The requester withdraws: approved/urgent → revoked, submitted → closed.

    Preconditions: the actor is the requester (change_case).
    Side effects: as case_revoke, with CASE_WITHDRAWN; an urgent case withdrawn
    before authorisation is marked for data deletion (R9). Withdrawing a case
    that is already revoked or closed changes nothing.
    """
    with transaction.atomic():
        case = _lock(case)
        _require_perm(actor, case, "change_case", "Only the requester may withdraw this case.")
        if case.status in (Status.REVOKED, Status.CLOSED):
            return case
        target = WITHDRAW_TARGETS.get(case.status)
        if target is None:
            raise TransitionNotAllowed(case, "withdrawn")
        _may_move(case, target)
        _stop(case, actor=actor, reason=(reason or "").strip(), event_type=EventType.CASE_WITHDRAWN)
    return case


def case_close(*, actor, case: Case) -> Case:
    """Close a case for good: draft, denied, expired or revoked → closed (a submitted case is withdrawn).

    Preconditions: the actor is the requester. Side effects: closed_at; CASE_CLOSED.
    """
    with transaction.atomic():
        case = _lock(case)
        _require_perm(actor, case, "change_case", "Only the requester may close this case.")
        if case.status == Status.SUBMITTED:
            raise TransitionNotAllowed(case, Status.CLOSED, "Withdraw it instead.")
        if not _may_move(case, Status.CLOSED):
            return case
        previous = case.status
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=actor,
            event_type=EventType.CASE_CLOSED,
            case_ref=case,
            target_ref=case,
            data={"from": previous, "to": case.status},
        )
    return case


def case_expire_due(*, now: datetime | None = None) -> list[str]:
    """Periodic: mark approved cases past their end, and urgent ones past their limit, as expired.

    The gate never waits for this (it reads the times); this keeps statuses
    and the record true. Each case is locked and re-checked in its own
    transaction, so a concurrent revocation wins cleanly. Returns the references expired.
    Side effects: ended_at = the instant the case actually stopped; CASE_EXPIRED,
    or CASE_URGENCY_LAPSED plus data deletion due for an urgent case that was
    never filed (R9).
    """
    now = now or timezone.now()
    urgency = timedelta(hours=settings.CASE_URGENCY_HOURS)
    due_ids = Case.objects.filter(
        Q(status=Status.APPROVED, approved_end__lte=now)
        | Q(status=Status.URGENT, urgent_started_at__lte=now - urgency)
        | Q(status=Status.URGENT, requested_end__lte=now)
    ).values_list("pk", flat=True)
    expired = []
    for pk in sorted(due_ids):
        with transaction.atomic():
            case = _lock(pk)
            if case.status == Status.APPROVED and case.approved_end <= now:
                case.status = Status.EXPIRED
                case.ended_at = case.approved_end
                case.save(update_fields=["status", "ended_at", "updated_at"])
                audit_record(
                    actor=SYSTEM,
                    event_type=EventType.CASE_EXPIRED,
                    case_ref=case,
                    target_ref=case,
                    data={"from": Status.APPROVED, "to": Status.EXPIRED, "approved_end": _iso(case.approved_end)},
                )
            elif case.status == Status.URGENT and min(case.urgency_ends_at, case.requested_end) <= now:
                case.status = Status.EXPIRED
                case.ended_at = min(case.urgency_ends_at, case.requested_end)
                case.data_deletion_due_at = now
                case.save(update_fields=["status", "ended_at", "data_deletion_due_at", "updated_at"])
                audit_record(
                    actor=SYSTEM,
                    event_type=EventType.CASE_URGENCY_LAPSED,
                    case_ref=case,
                    target_ref=case,
                    data={
                        "from": Status.URGENT,
                        "to": Status.EXPIRED,
                        "urgent_started_at": _iso(case.urgent_started_at),
                        "stopped_at": _iso(case.ended_at),
                    },
                )
                _record_deletion_due(case, actor=SYSTEM, why="urgency lapsed without a request")
            else:
                continue
            expired.append(case.reference)
    return expired


# ---------------------------------------------------------------- consultation (R17)


def case_record_view(*, actor, case: Case, interface: str, part: str = "details") -> None:
    """R17: every consultation of a case's details is recorded: who, which case, how, on what basis."""
    audit_record(
        actor=actor,
        event_type=EventType.CASE_VIEWED,
        case_ref=case,
        target_ref=case,
        data={"interface": interface, "part": part, "access": getattr(case, "access_basis", None)},
    )


# ---------------------------------------------------------------- configuration


def objective_set_enabled(*, actor, code: str, enabled: bool) -> Objective:
    """R1: an administrator enables or disables a legal objective.

    A disabled objective cannot be chosen for a draft, nor submitted or
    started urgently; cases already decided are not touched.
    Side effects: OBJECTIVE_CHANGED. Setting the current value changes nothing.
    """
    if not actor.has_perm("oversight.change_objective"):
        raise PermissionDenied("Only platform administrators manage objectives.")
    with transaction.atomic():
        objective = Objective.objects.select_for_update().filter(pk=code).first()
        if objective is None:
            raise ValidationError({"objective": [f"Unknown objective {code!r}."]})
        if objective.enabled == enabled:
            return objective
        objective.enabled = enabled
        objective.save(update_fields=["enabled"])
        audit_record(
            actor=actor,
            event_type=EventType.OBJECTIVE_CHANGED,
            target_ref=objective,
            data={"code": objective.code, "enabled": enabled},
        )
    return objective


CAMERA_FIELDS = ("name", "location_label", "latitude", "longitude", "source", "enabled")


def _source_kind(source: str) -> str:
    # The source itself may hold stream credentials: the audit records its kind only.
    return source.split("://", 1)[0].lower() if "://" in source else "file"


def _clean_camera(camera: Camera) -> None:
    try:
        camera.full_clean(exclude=["created_at", "last_frame_at", "analysed_fps", "last_error", "last_error_at"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def camera_create(
    *,
    actor,
    name: str,
    location_label: str,
    source: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    enabled: bool = True,
) -> Camera:
    """Register a camera (platform_admin). Side effects: CAMERA_CREATED (never the source URL itself)."""
    if not actor.has_perm("recognition.add_camera"):
        raise PermissionDenied("Only platform administrators register cameras.")
    camera = Camera(
        name=(name or "").strip(),
        location_label=(location_label or "").strip(),
        source=source or "",
        latitude=latitude,
        longitude=longitude,
        enabled=enabled,
    )
    _check_coordinates(camera)
    _clean_camera(camera)
    with transaction.atomic():
        camera.save()
        audit_record(
            actor=actor,
            event_type=EventType.CAMERA_CREATED,
            target_ref=camera,
            data={
                "camera_id": camera.pk,
                "name": camera.name,
                "enabled": camera.enabled,
                "source_kind": _source_kind(camera.source),
            },
        )
    return camera


def _check_coordinates(camera: Camera) -> None:
    if (camera.latitude is None) != (camera.longitude is None):
        field = "longitude" if camera.longitude is None else "latitude"
        raise ValidationError({field: ["Give both coordinates, or neither."]})


def camera_update(*, actor, camera: Camera, **changes) -> Camera:
    """Change a camera (platform_admin). Disabling it closes the gate for it at once.

    Side effects: CAMERA_UPDATED naming the changed fields. Nothing changed: no event.
    """
    if not actor.has_perm("recognition.change_camera"):
        raise PermissionDenied("Only platform administrators change cameras.")
    unknown = set(changes) - set(CAMERA_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        changed = []
        for name, value in changes.items():
            if isinstance(value, str) and name != "source":
                value = value.strip()
            if getattr(camera, name) != value:
                setattr(camera, name, value)
                changed.append(name)
        if not changed:
            return camera
        _check_coordinates(camera)
        _clean_camera(camera)
        camera.save(update_fields=changed)
        audit_record(
            actor=actor,
            event_type=EventType.CAMERA_UPDATED,
            target_ref=camera,
            data={
                "camera_id": camera.pk,
                "changed": changed,
                "enabled": camera.enabled,
                "source_kind": _source_kind(camera.source),
            },
        )
    return camera
