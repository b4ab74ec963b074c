"""Celery tasks: a thin interface over the services (STYLE, habit 6)."""

from celery import shared_task

from audits.services import audit_checkpoint_due, audit_export_run, audit_retention_apply


@shared_task(name="audits.export_run", ignore_result=True, acks_late=True)
def audit_export_task(export_id: int) -> str:
    """Write a requested offline-verifiable export; idempotent (a finished job is left alone)."""
    return audit_export_run(export_id=export_id).status


@shared_task(name="audits.retention_apply", ignore_result=True)
def audit_retention_task() -> dict:
    """Archive and cut the trail's prefix older than AUDIT_RETENTION_DAYS (R18); nothing when nothing is due."""
    return audit_retention_apply()


@shared_task(name="audits.checkpoint_due", ignore_result=True)
def audit_checkpoint_task() -> int | None:
    """Sign a checkpoint if the unprotected tail is due (AUDIT_CHECKPOINT_SECONDS / AUDIT_CHECKPOINT_EVENTS)."""
    checkpoint = audit_checkpoint_due()
    return checkpoint.pk if checkpoint else None
