"""The legal objectives an administrator enables (R1)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Objective


def objective_set_enabled(*, actor, code: str, enabled: bool) -> Objective:
    """R1: an administrator enables or disables a legal objective.

    A disabled objective cannot be chosen for a draft, nor submitted or
    started urgently; cases already decided are not touched.
    Side effects: OBJECTIVE_CHANGED. Setting the current value changes nothing.
    """
    if not actor.has_perm("oversight.change_objective"):
        raise PermissionDenied(_("Only platform administrators manage objectives."))
    with transaction.atomic():
        objective = Objective.objects.select_for_update().filter(pk=code).first()
        if objective is None:
            raise ValidationError({"objective": [_("Unknown objective %(value)r.") % {"value": code}]})
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
