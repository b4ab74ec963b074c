"""Sequence numbers are gapless and an action and its record commit or roll back together."""

import multiprocessing

import pytest
from django.db import connection, transaction

from audits.events import EventType
from audits.models import AuditEvent
from audits.selectors import audit_verify
from audits.services import audit_record
from tests.audits.helpers import fill_log


@pytest.mark.django_db
def test_rolled_back_transaction_leaves_no_hole():
    fill_log(3)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit_record(actor=None, event_type=EventType.CASE_SUBMITTED, case_ref="FR-X")
            raise RuntimeError("the action failed")
    fill_log(2, start=3)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert not AuditEvent.objects.filter(case_ref="FR-X").exists()
    assert audit_verify().ok


@pytest.mark.django_db
def test_each_event_links_to_the_previous_hash():
    fill_log(4)
    events = list(AuditEvent.objects.order_by("seq"))
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash


@pytest.mark.django_db
def test_event_names_actor_case_and_object_by_identifier(requester):
    event = audit_record(actor=requester, event_type="case.viewed", case_ref="FR-2026-0001", target_ref=requester)
    assert (event.actor_id, event.actor_label) == (str(requester.pk), requester.username)
    assert event.target_ref == f"oversight.User:{requester.pk}"
    requester.delete()  # the event outlives what it describes
    assert AuditEvent.objects.get(seq=event.seq).actor_label == "officer_novak"


@pytest.mark.django_db
def test_unknown_event_type_is_refused():
    with pytest.raises(ValueError):
        audit_record(actor=None, event_type="case.teleported")
    assert AuditEvent.objects.count() == 0


def _writer(n, barrier):
    import django

    django.setup()
    from django.db import connection as conn

    conn.close()
    barrier.wait()
    from tests.audits.helpers import fill_log as fill

    for i in range(n):
        try:
            with transaction.atomic():
                fill(1, start=i)
                if i % 5 == 0:
                    raise RuntimeError("roll back")
        except RuntimeError:
            pass
    conn.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_in_two_processes_keep_the_sequence_gapless(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database shared by two processes")
    connection.close()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(60, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * 48 + 1))  # 12 of each 60 rolled back
    assert audit_verify().ok
