"""Deployments and the office's prior opinion (R17, R22): administrators register the pilot and its cameras,
office reviewers record the opinion; cases may use only cameras of a deployment with a usable opinion."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Camera, Deployment, Opinion
from oversight.services._common import add_error, raise_if
from oversight.services.validation import read_document


def _camera_ids(camera_ids: Iterable, errors: dict) -> list[int]:
    try:
        ids = sorted({int(getattr(c, "pk", c)) for c in camera_ids})
    except (TypeError, ValueError):
        add_error(errors, "cameras", _("Give camera ids as numbers."))
        return []
    known = set(Camera.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - known:
        add_error(
            errors,
            "cameras",
            _("Unknown cameras: %(ids)s.") % {"ids": ", ".join(str(i) for i in sorted(set(ids) - known))},
        )
    return ids


def deployment_create(
    *,
    actor,
    name: str,
    locations: str,
    consultation_request: str,
    consultation_requested_on: date,
    camera_ids: Iterable = (),
) -> Deployment:
    """Register a deployment and its cameras (platform_admin), with the request sent to the office.

    Side effects: the Deployment row and its camera links; DEPLOYMENT_CREATED. Its cameras are unusable by
    cases until the office's opinion is recorded.
    """
    if not actor.has_perm("oversight.add_deployment"):
        raise PermissionDenied(_("Only platform administrators register deployments."))
    errors: dict[str, list[str]] = {}
    name, locations, request_text = (
        (name or "").strip(),
        (locations or "").strip(),
        (consultation_request or "").strip(),
    )
    if not name:
        add_error(errors, "name", _("Give the deployment a name."))
    elif Deployment.objects.filter(name__iexact=name).exists():
        add_error(errors, "name", "A deployment with this name exists.")
    if not locations:
        add_error(errors, "locations", _("Name the locations the deployment covers."))
    if not request_text:
        add_error(errors, "consultation_request", _("Describe what the office was asked."))
    if consultation_requested_on is None:
        add_error(errors, "consultation_requested_on", _("Give the date the office was asked."))
    ids = _camera_ids(camera_ids, errors)
    raise_if(errors)
    with transaction.atomic():
        deployment = Deployment.objects.create(
            name=name,
            locations=locations,
            consultation_request=request_text,
            consultation_requested_on=consultation_requested_on,
            created_by=actor,
        )
        deployment.cameras.set(ids)
        audit_record(
            actor=actor,
            event_type=EventType.DEPLOYMENT_CREATED,
            target_ref=deployment,
            data={"deployment_id": deployment.pk, "cameras": ids},  # the name is the deployment's (no typed text)
        )
    return deployment


def deployment_set_cameras(*, actor, deployment: Deployment, camera_ids: Iterable) -> Deployment:
    """Change which cameras a deployment groups (platform_admin). Side effects: DEPLOYMENT_UPDATED; none if same.

    Cases already drafted keep their cameras; the checks at submission and decision see the new grouping.
    """
    if not actor.has_perm("oversight.change_deployment"):
        raise PermissionDenied(_("Only platform administrators change deployments."))
    errors: dict[str, list[str]] = {}
    ids = _camera_ids(camera_ids, errors)
    raise_if(errors)
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        current = sorted(deployment.cameras.values_list("pk", flat=True))
        if current == ids:
            return deployment
        deployment.cameras.set(ids)
        audit_record(
            actor=actor,
            event_type=EventType.DEPLOYMENT_UPDATED,
            target_ref=deployment,
            data={
                "deployment_id": deployment.pk,
                "cameras_added": sorted(set(ids) - set(current)),
                "cameras_removed": sorted(set(current) - set(ids)),
            },
        )
    return deployment


def deployment_record_opinion(
    *,
    actor,
    deployment: Deployment,
    opinion: str,
    given_on: date,
    conditions: str = "",
    document=None,
    hours_from: time | None = None,
    hours_until: time | None = None,
    weekdays: str = "",
    max_duration_hours: int | None = None,
    max_threshold: float | None = None,
) -> Deployment:
    """Record the office's opinion on a deployment (dpo_reviewer), with its date, conditions and document.

    Preconditions: one of the Opinion values; a date not in the future; conditions for a conditional opinion;
    the document a PDF or plain text (like a case's impact assessment). The conditions the platform enforces
    (oversight.conditions: hours of the day as a pair, days of the week 1-7, the longest use in hours, the laxest
    threshold) only with a favourable opinion with conditions. A revised opinion replaces the earlier one; both
    stay in the audit trail. The same opinion again (no new document) changes nothing.
    Side effects: the deployment's opinion fields; DEPLOYMENT_OPINION_RECORDED with the document's SHA-256.
    """
    if not actor.has_perm("oversight.record_opinion"):
        raise PermissionDenied(_("Only the data protection office records its opinion."))
    errors: dict[str, list[str]] = {}
    conditions = (conditions or "").strip()
    if opinion not in Opinion.values:
        add_error(errors, "opinion", _("Choose favourable, favourable with conditions, or unfavourable."))
    if given_on is None:
        add_error(errors, "given_on", _("Give the date of the opinion."))
    elif given_on > timezone.localdate():
        add_error(errors, "given_on", _("The opinion cannot be dated in the future."))
    rules = _rules(
        errors,
        hours_from=hours_from,
        hours_until=hours_until,
        weekdays=weekdays,
        max_duration_hours=max_duration_hours,
        max_threshold=max_threshold,
    )
    if opinion == Opinion.CONDITIONAL and not conditions and not any(rules.values()):
        add_error(errors, "conditions", _("State the office's conditions."))
    if opinion != Opinion.CONDITIONAL and any(v not in (None, "") for v in rules.values()):
        add_error(errors, "opinion", _("Conditions go with a favourable opinion with conditions."))
    content = read_document(document, errors, field="document")
    raise_if(errors)
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if (
            content is None
            and deployment.opinion == opinion
            and deployment.opinion_given_on == given_on
            and deployment.conditions == conditions
            and all(getattr(deployment, name) == value for name, value in rules.items())
        ):
            return deployment
        previous = deployment.opinion
        deployment.opinion = opinion
        deployment.opinion_given_on = given_on
        deployment.conditions = conditions
        for name, value in rules.items():
            setattr(deployment, name, value)
        deployment.opinion_recorded_by = actor
        fields = ["opinion", "opinion_given_on", "conditions", "opinion_recorded_by", *rules]
        if content is not None:
            old_file = deployment.opinion_document.name if deployment.opinion_document else None
            name = f"deployment-{deployment.pk}-{uuid.uuid4().hex}{content[1]}"
            deployment.opinion_document.save(name, ContentFile(content[0]), save=False)
            fields.append("opinion_document")
            if old_file:
                storage = deployment.opinion_document.storage
                transaction.on_commit(lambda: storage.delete(old_file))
        deployment.save(update_fields=fields)
        audit_record(
            actor=actor,
            event_type=EventType.DEPLOYMENT_OPINION_RECORDED,
            target_ref=deployment,
            data={
                "deployment_id": deployment.pk,
                "from": previous,
                "to": opinion,
                "given_on": given_on.isoformat(),
                "conditions_given": bool(conditions),
                "rules": {
                    name: value.isoformat() if isinstance(value, time) else value for name, value in rules.items()
                },
                "document_sha256": hashlib.sha256(content[0]).hexdigest() if content else None,
            },
        )
    return deployment


def deployment_record_document_view(*, actor, deployment: Deployment) -> None:
    """R17: a consultation of the office's opinion document."""
    audit_record(
        actor=actor,
        event_type=EventType.DEPLOYMENT_DOCUMENT_VIEWED,
        target_ref=deployment,
        data={"deployment_id": deployment.pk},
    )


def _rules(errors, *, hours_from, hours_until, weekdays, max_duration_hours, max_threshold) -> dict:
    """The opinion's enforced conditions, checked; errors in plain words by field."""
    weekdays = "".join(sorted(set((weekdays or "").replace(" ", "").replace(",", ""))))
    if (hours_from is None) != (hours_until is None):
        add_error(errors, "hours_until", _("Give both times of day, or neither."))
    elif hours_from is not None and hours_from == hours_until:
        add_error(errors, "hours_until", _("The two times of day must differ."))
    if weekdays and not all(day in "1234567" for day in weekdays):
        add_error(errors, "weekdays", _("Write the days as numbers from 1 (Monday) to 7 (Sunday), e.g. 12345."))
    if max_duration_hours is not None and max_duration_hours < 1:
        add_error(errors, "max_duration_hours", _("The longest use is at least one hour."))
    if max_threshold is not None and not 0 < max_threshold <= 1:
        add_error(errors, "max_threshold", _("A threshold lies between 0 and 1."))
    return {
        "hours_from": hours_from,
        "hours_until": hours_until,
        "weekdays": weekdays,
        "max_duration_hours": max_duration_hours,
        "max_threshold": max_threshold,
    }
