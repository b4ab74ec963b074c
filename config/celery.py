"""The Celery application shared by web, workers and the scheduler."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# One BLAS thread per worker process: matching is tiny, oversubscription is not.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

app = Celery("oversight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_the_owners_connection(**kwargs):
    """With DEBUG off a worker or the scheduler does not start on the audit trail owner's connection (R17)."""
    import django

    django.setup()
    from django.core.exceptions import ImproperlyConfigured

    from audits.checks import refuse_owner_connection

    try:
        refuse_owner_connection()
    except ImproperlyConfigured as refusal:
        raise SystemExit(f"refusing to start: {refusal}") from None  # Celery logs and ignores other exceptions
