"""Celery tasks: a thin interface over the services (STYLE, habit 6)."""

from celery import shared_task
from django.utils import timezone

from oversight.services import case_expire_due


@shared_task(name="oversight.cases_expire_due", ignore_result=True)
def cases_expire_due() -> int:
    """Mark approved cases past their end and urgent cases past their limit as expired.

    Idempotent: a case is expired once; a second run finds nothing. The gate
    (case_scopes_for_camera) does not depend on this task having run.
    """
    return len(case_expire_due(now=timezone.now()))


@shared_task(name="oversight.retention_apply", ignore_result=True)
def retention_apply() -> dict:
    """Apply the retention schedule once (R19): bounded, idempotent, safe on several workers at once."""
    from oversight.services.retention import retention_run

    return retention_run(now=timezone.now())


@shared_task(name="oversight.case_data_purge", acks_late=True, ignore_result=True)
def case_data_purge(case_id: int) -> dict:
    """R9: delete what an unauthorised urgent use produced (re-checked here: a purged case is left alone)."""
    from oversight.services.retention import case_data_purge as purge

    return purge(case_id=case_id)
