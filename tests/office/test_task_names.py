"""The office's tasks carry the office's names, the beat runs the retention under them, and messages queued under
the names they had before the office had an app (oversight.*, watchlists.subject_face_search) still run."""

import pytest
from django.conf import settings

from config.celery import app
from office.models import DeletionRecord
from oversight.models import DataSubjectRequest


def test_the_beat_runs_the_office_retention():
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["office-retention-apply"]
    assert entry["task"] == "office.retention_apply"
    assert "oversight-retention-apply" not in settings.CELERY_BEAT_SCHEDULE
    assert "office.retention_apply" in app.tasks


@pytest.mark.django_db
def test_messages_queued_under_the_previous_names_still_run(world):
    app.loader.import_default_modules()
    # A purge of a case that does not exist, and a face search without a probe photo: each does nothing, quietly.
    assert app.tasks["oversight.case_data_purge"](case_id=987654) == {}
    assert app.tasks["watchlists.subject_face_search"](request_id=987654) is None
    # The previous retention task runs the whole schedule: counts per rule, nothing due on an empty platform.
    counts = app.tasks["oversight.retention_apply"]()
    assert set(counts) >= {"oversight.persons", "recognition.alerts_verified", "oversight.urgency_purge"}
    assert not any(counts.values())
    assert DeletionRecord.objects.count() == 0 and DataSubjectRequest.objects.count() == 0
