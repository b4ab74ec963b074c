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
