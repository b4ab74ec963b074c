"""Celery tasks of the data protection office: a thin interface over its services (STYLE, habit 6)."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="office.retention_apply", ignore_result=True)
def retention_apply() -> dict:
    """Apply the retention schedule once (R19): bounded, idempotent, safe on several workers at once."""
    from office.services.retention import retention_run

    return retention_run(now=timezone.now())


@shared_task(name="office.case_data_purge", acks_late=True, ignore_result=True)
def case_data_purge(case_id: int) -> dict:
    """R9: delete what an unauthorised urgent use produced (re-checked here: a purged case is left alone)."""
    from office.services.retention import case_data_purge as purge

    return purge(case_id=case_id)


@shared_task(name="office.case_persons_purge", acks_late=True, ignore_result=True)
def case_persons_purge(case_id: int, person_ids: list[int]) -> dict:
    """R9 for a partial grant: delete the urgent-phase data of the persons the grant excluded (re-checked here)."""
    from office.services.retention import case_persons_purge as purge

    return purge(case_id=case_id, person_ids=person_ids)


@shared_task(name="office.subject_face_search", acks_late=True, ignore_result=True)
def subject_face_search(request_id: int) -> None:
    """R21: compare a data subject's photo with the templates of active cases (workers only: loads the engine)."""
    from office.services.subject_requests import subject_face_search as search

    search(request_id=request_id)


# The names these tasks had before the office had an app of its own: messages queued by the previous release
# (a purge after a refusal, a face search) still run after an upgrade. Nothing queues them any more.
@shared_task(name="oversight.retention_apply", ignore_result=True)
def retention_apply_previous_name() -> dict:
    return retention_apply()


@shared_task(name="oversight.case_data_purge", acks_late=True, ignore_result=True)
def case_data_purge_previous_name(case_id: int) -> dict:
    return case_data_purge(case_id)


@shared_task(name="watchlists.subject_face_search", acks_late=True, ignore_result=True)
def subject_face_search_previous_name(request_id: int) -> None:
    subject_face_search(request_id)


# Watchlists had a periodic destruction of their own beside the retention rule; the retention run is now the one
# path (R12, with THE hold rule). A message the previous scheduler queued runs the retention run instead.
@shared_task(name="watchlists.destroy_due", ignore_result=True)
def watchlists_destroy_due_previous_name() -> dict:
    return retention_apply()
