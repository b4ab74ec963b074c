"""Checks of a case's values: each returns or collects errors by field name, and writes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oversight.conditions import scope_condition_errors
from oversight.models import (
    CASE_DRAFT_FIELDS,
    USABLE_OPINIONS,
    Camera,
    Case,
    Objective,
    Person,
    validate_named_person,
)
from oversight.registry import case_readiness_checks
from oversight.roles import Role, user_has_role
from oversight.services._common import Authority, add_error, commission_members, users

IMPACT_ASSESSMENT_TYPES = {"pdf": ".pdf", "text": ".txt"}

# Derived from CASE_DRAFT_FIELDS and the model, never listed again.
DOCUMENT_FIELD = "impact_assessment"
VALUE_FIELDS = tuple(name for name in CASE_DRAFT_FIELDS if name != DOCUMENT_FIELD)
# Free text: audit events name these fields but never copy their content.
TEXT_FIELDS = frozenset(
    name
    for name in VALUE_FIELDS
    if isinstance(field := Case._meta.get_field(name), models.CharField | models.TextField) and not field.choices
)


def stored_draft_values(case: Case) -> dict[str, Any]:
    """The case's current draft values (foreign keys as ids), the document aside."""
    return {name: getattr(case, Case._meta.get_field(name).attname) for name in VALUE_FIELDS}


def resolve_objective(value, errors) -> Objective | None:
    if value in (None, ""):
        add_error(errors, "objective", _("Choose the legal objective (R1)."))
        return None
    if isinstance(value, Objective):
        value = value.pk
    objective = Objective.objects.filter(pk=value).first()
    if objective is None:
        add_error(errors, "objective", _("Unknown objective %(value)r.") % {"value": value})
    elif not objective.enabled:
        add_error(
            errors,
            "objective",
            _("The objective %(code)r is disabled: national law does not enable it (R1).") % {"code": objective.code},
        )
    return objective


def resolve_judge(value, errors):
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        value = value.pk
    try:
        judge = users().filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        judge = None
    if judge is None or not user_has_role(judge, Role.JUDGE):
        add_error(errors, "assigned_judge", _("Choose an active user with the judge role."))
        return None
    return judge


def check_threshold(value, errors, field: str = "match_threshold") -> float | None:
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        add_error(errors, field, _("Give a number."))
        return None
    if not threshold > 0:
        add_error(errors, field, _("The threshold must be greater than 0."))
    elif threshold > settings.MATCH_THRESHOLD_MAX:
        # R13: a distance, lower is stricter; the administrator's limit is the laxest allowed.
        add_error(
            errors,
            field,
            _("The threshold may not exceed %(max)s (the administrator's limit; a lower distance is stricter) (R13).")
            % {"max": number_format(settings.MATCH_THRESHOLD_MAX)},
        )
    return threshold


def check_window(start, end, errors) -> None:
    if start is None:
        add_error(errors, "requested_start", _("Give the requested start."))
    if end is None:
        add_error(errors, "requested_end", _("Give the requested end."))
    if start is None or end is None:
        return
    if end <= start:
        add_error(errors, "requested_end", _("The end must be after the start."))
    elif end - start > timedelta(hours=settings.CASE_MAX_DURATION_HOURS):
        add_error(
            errors,
            "requested_end",
            ngettext(
                "The window may last at most %(hours)d hour (R5).",
                "The window may last at most %(hours)d hours (R5).",
                settings.CASE_MAX_DURATION_HOURS,
            )
            % {"hours": settings.CASE_MAX_DURATION_HOURS},
        )


def check_capture_range(values: dict, errors) -> tuple[str, datetime | None, datetime | None]:
    """R24: a post-event search names the capture-time range of the footage it searches (in the past, at most
    CASE_MAX_DURATION_HOURS long: targeted like a live window); a live search names none."""
    kind = values.get("kind") or Case.Kind.LIVE
    if kind not in Case.Kind.values:
        add_error(errors, "kind", _("Choose one of: %(values)s.") % {"values": ", ".join(Case.Kind.values)})
        return Case.Kind.LIVE, None, None
    start, end = values.get("capture_start"), values.get("capture_end")
    if kind == Case.Kind.LIVE:
        for name, value in (("capture_start", start), ("capture_end", end)):
            if value is not None:
                add_error(errors, name, _("Only a post-event search names the capture time of footage."))
        return kind, None, None
    if start is None or end is None:
        # A draft may leave them empty; submission needs them (completeness_errors).
        return kind, start, end
    if end <= start:
        add_error(errors, "capture_end", _("The end must be after the start."))
    elif end - start > timedelta(hours=settings.CASE_MAX_DURATION_HOURS):
        add_error(
            errors,
            "capture_end",
            ngettext(
                "The footage searched may span at most %(hours)d hour (R5, R24).",
                "The footage searched may span at most %(hours)d hours (R5, R24).",
                settings.CASE_MAX_DURATION_HOURS,
            )
            % {"hours": settings.CASE_MAX_DURATION_HOURS},
        )
    if end > timezone.now():
        add_error(errors, "capture_end", _("A post-event search looks at footage already recorded: end it by now."))
    return kind, start, end


def validate_draft_values(values: dict, *, requester, errors: dict) -> dict:
    """Check the draft's fields as a whole; returns them resolved (objective, judge objects)."""
    resolved = dict(values)
    objective = resolve_objective(values.get("objective"), errors)
    resolved["objective"] = objective
    years = values.get("offence_max_sentence_years")
    if years in (None, ""):
        years = None
    else:
        try:
            years = int(years)
        except (TypeError, ValueError):
            add_error(errors, "offence_max_sentence_years", _("Give a whole number of years."))
            years = None
        else:
            if years < 0:
                add_error(errors, "offence_max_sentence_years", _("Give a whole number of years."))
    resolved["offence_max_sentence_years"] = years
    if objective is not None and objective.code == Objective.SUSPECT:
        # R1(c): the offence and its maximum sentence, at least 4 years.
        if not (values.get("offence") or "").strip():
            add_error(errors, "offence", _("Name the offence the suspect is sought for (R1(c))."))
        if years is None and "offence_max_sentence_years" not in errors:
            add_error(errors, "offence_max_sentence_years", _("Give the offence's maximum sentence in years (R1(c))."))
        elif years is not None and years < 4:
            add_error(
                errors,
                "offence_max_sentence_years",
                _("A suspect search needs an offence punishable by at least 4 years (R1(c))."),
            )
    check_window(values.get("requested_start"), values.get("requested_end"), errors)
    resolved["kind"], resolved["capture_start"], resolved["capture_end"] = check_capture_range(values, errors)
    resolved["match_threshold"] = check_threshold(values.get("match_threshold"), errors)
    authority = values.get("authority") or Authority.JUDGE
    if authority not in Authority.values:
        add_error(errors, "authority", _("Choose one of: %(values)s.") % {"values": ", ".join(Authority.values)})
    resolved["authority"] = authority
    judge = resolve_judge(values.get("assigned_judge"), errors)
    if judge is not None:
        if authority != Authority.JUDGE:
            add_error(errors, "assigned_judge", _("Only a case decided by a judge names a judge."))
        elif judge.pk == requester.pk:
            add_error(errors, "assigned_judge", _("You cannot be the judge of your own request (R7)."))
    resolved["assigned_judge"] = judge if authority == Authority.JUDGE else None
    return resolved


def read_impact_assessment(upload, errors) -> tuple[bytes, str] | None:
    """R8: a PDF or a plain-text document, decided by content; returns (bytes, extension)."""
    return read_document(upload, errors, field="impact_assessment")


def read_document(upload, errors, *, field: str) -> tuple[bytes, str] | None:
    """An uploaded PDF or plain-text (UTF-8) document, decided by content; returns (bytes, extension)."""
    if upload is None:
        return None
    size = getattr(upload, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        add_error(
            errors, field, _("The document is larger than %(bytes)s bytes.") % {"bytes": settings.UPLOAD_MAX_BYTES}
        )
        return None
    upload.seek(0)
    content = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(content) > settings.UPLOAD_MAX_BYTES:
        add_error(
            errors, field, _("The document is larger than %(bytes)s bytes.") % {"bytes": settings.UPLOAD_MAX_BYTES}
        )
        return None
    if not content.strip():
        add_error(errors, field, _("The document is empty."))
        return None
    if content.startswith(b"%PDF-"):
        return content, IMPACT_ASSESSMENT_TYPES["pdf"]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        add_error(errors, field, _("Attach a PDF or a plain-text (UTF-8) document."))
        return None
    return content, IMPACT_ASSESSMENT_TYPES["text"]


def validate_person(data: dict, errors: dict, prefix: str = "") -> dict:
    field = (prefix + ".") if prefix else ""
    full_name = " ".join(str(data.get("full_name") or "").split())
    try:
        validate_named_person(full_name)
    except ValidationError as exc:
        for message in exc.messages:
            add_error(errors, f"{field}full_name" if prefix else "full_name", message)
    category = data.get("category")
    if category not in Person.Category.values:
        add_error(
            errors,
            f"{field}category" if prefix else "category",
            _("Choose one of: %(values)s (R20).") % {"values": ", ".join(Person.Category.values)},
        )
    reason = str(data.get("reason") or "").strip()
    if not reason:
        add_error(errors, f"{field}reason" if prefix else "reason", _("Say why this person is sought."))
    return {"full_name": full_name, "category": category, "reason": reason}


def resolve_camera(camera_id, errors, field: str) -> Camera | None:
    if hasattr(camera_id, "pk"):
        camera_id = camera_id.pk
    try:
        camera = Camera.objects.filter(pk=int(camera_id)).first()
    except (TypeError, ValueError):
        camera = None
    if camera is None:
        add_error(errors, field, _("Unknown camera %(id)r.") % {"id": camera_id})
    elif not camera.enabled:
        add_error(errors, field, _("The camera %(name)r is disabled.") % {"name": camera.name})
    return camera


def completeness_errors(case: Case, *, now: datetime) -> dict[str, list[str]]:
    """What a case needs before it may be submitted or started urgently (R1-R5, R8, R13)."""
    errors: dict[str, list[str]] = {}
    values = stored_draft_values(case)
    # The settings may have changed since the draft was saved: check again.
    validate_draft_values(values, requester=case.requester, errors=errors)
    if case.requested_end is not None and case.requested_end <= now:
        add_error(errors, "requested_end", _("The requested window has already ended."))
    if case.is_post_event and (case.capture_start is None or case.capture_end is None):
        add_error(errors, "capture_start", _("Give the capture-time range of the footage to search (R24)."))
    if not case.legal_basis.strip():
        add_error(errors, "legal_basis", _("Name the provision of national law the case relies on (R2)."))
    for name, message in (
        ("evidence", _("Describe the objective evidence or clear indications relied on (R4).")),
        (
            "harm_assessment",
            _("Describe the seriousness, probability and scale of the harm if the system is not used (R4)."),
        ),
        ("rights_impact", _("Describe the consequences for the rights of everyone affected (R4).")),
    ):
        if not getattr(case, name).strip():
            add_error(errors, name, message)
    if not case.impact_assessment:
        add_error(
            errors, "impact_assessment", _("Attach the fundamental-rights and data-protection impact assessment (R8).")
        )
    if not case.persons.exists():
        add_error(errors, "persons", _("Name at least one person sought (R3)."))
    # Checks of higher layers, e.g. every person has a ready reference face (watchlists).
    for check in case_readiness_checks():
        for field, messages in check(case).items():
            for message in messages:
                add_error(errors, field, message)
    links = list(case.case_cameras.select_related("camera"))
    if not links:
        add_error(
            errors, "cameras", _("Choose at least one camera, with the reason the persons are expected there (R5).")
        )
    elif len(links) > settings.CASE_MAX_CAMERAS:
        add_error(errors, "cameras", too_many_cameras())
    for link in links:
        if not link.camera.enabled:
            add_error(errors, "cameras", _("The camera %(name)r is disabled.") % {"name": link.camera.name})
    # The office's prior opinion on the deployment must be given and not unfavourable.
    for message in camera_usability_errors(link.camera for link in links):
        add_error(errors, "cameras", message)
    # The office's conditions as rules (hours and days are the gate's: see oversight.conditions).
    for message in scope_condition_errors(
        camera_ids=[link.camera_id for link in links],
        start=case.requested_start,
        end=case.requested_end,
        threshold=case.match_threshold,
    ):
        add_error(errors, "cameras", message)
    if case.authority == Authority.JUDGE and case.assigned_judge_id is None:
        add_error(errors, "assigned_judge", _("Name the judge who will decide (R6)."))
    if case.authority == Authority.COMMISSION and len(commission_members(case)) < settings.COMMISSION_QUORUM:
        add_error(
            errors,
            "authority",
            ngettext(
                "The commission has fewer than %(count)d member who may vote.",
                "The commission has fewer than %(count)d members who may vote.",
                settings.COMMISSION_QUORUM,
            )
            % {"count": settings.COMMISSION_QUORUM},
        )
    return errors


def too_many_cameras() -> str:
    count = settings.CASE_MAX_CAMERAS
    return ngettext(
        "A case may cover at most %(count)d camera (R5).", "A case may cover at most %(count)d cameras (R5).", count
    ) % {"count": count}


def camera_usability_errors(cameras: Iterable[Camera]) -> list[str]:
    """Plain-words problems for cameras a case may not use: no deployment whose office opinion is given and
    not unfavourable. Empty when every camera is usable."""
    cameras = list(cameras)
    usable = set(
        Camera.objects.filter(pk__in=[c.pk for c in cameras], deployments__opinion__in=USABLE_OPINIONS).values_list(
            "pk", flat=True
        )
    )
    return [
        _(
            "The camera %(name)r belongs to no deployment on which the data protection office has given a "
            "favourable opinion (with or without conditions); it cannot be used."
        )
        % {"name": camera.name}
        for camera in cameras
        if camera.pk not in usable
    ]
