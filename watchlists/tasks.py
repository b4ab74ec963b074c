"""Celery tasks for watchlists: thin, take ids, call services."""

from celery import shared_task

from watchlists import services


@shared_task(name="watchlists.reference_photo_encode", acks_late=True, ignore_result=True)
def reference_photo_encode(photo_id: int) -> None:
    services.reference_photo_encode(photo_id=photo_id)
