"""Several workers may run the retention schedule at once: SKIP LOCKED gives each disjoint rows, none twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from audits.models import AuditEvent
from office.services.retention import SCHEDULE, retention_run
from recognition.models import Alert
from tests.office.retention_helpers import alert_for, audits_verify_ok
from tests.oversight.factories import END, START, approved_case


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_take_disjoint_rows(world, clock):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    case = approved_case(world)
    clock.move_to(START + timedelta(hours=1))
    ids = [alert_for(case, n=n).pk for n in range(10)]
    clock.move_to(END + timedelta(days=31))
    rule = next(r for r in SCHEDULE if r.code == "recognition.alerts_unreviewed")
    held, taken, release = [], threading.Event(), threading.Event()

    def other_worker():
        # Another worker's run, caught mid-transaction: it has locked its batch and not committed yet.
        try:
            with transaction.atomic():
                held.extend(rule.select(now=END + timedelta(days=31), limit=4, lock=True))
                taken.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert taken.wait(10)
    counts = retention_run(batch_size=100)
    release.set()
    thread.join()
    assert len(held) == 4 and counts["recognition.alerts_unreviewed"] == 6
    assert set(Alert.objects.values_list("pk", flat=True)) == set(held)  # skipped, not waited for or taken twice
    assert retention_run()["recognition.alerts_unreviewed"] == 4
    assert not Alert.objects.filter(pk__in=ids).exists()
    assert AuditEvent.objects.filter(event_type="retention.applied").count() == 2
    audits_verify_ok()
