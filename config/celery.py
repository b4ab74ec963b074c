"""The Celery application shared by web, workers and the scheduler."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# One BLAS thread per worker process: matching is tiny, oversubscription is not.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

app = Celery("oversight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
