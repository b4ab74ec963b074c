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
    event = audit_record(
        actor=requester, event_type="case.viewed", case_ref="FR-2026-0001", target_ref=requester, need_seq=True
    )
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


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("many", [False, True], ids=["one event", "several events"])
def test_an_appending_transaction_releases_the_head_at_commit_and_is_on_disk_before_the_caller_goes_on(many):
    """R16: the head lock is not held while the commit waits for the disk (the appending transaction commits without
    waiting for its WAL flush), yet nothing goes on before the events are durable: commit() returns once the WAL is
    flushed past them. Measured on the WAL: what the transaction wrote is flushed when its first on-commit hook runs
    (without the wait it would still be in memory, written out by the WAL writer within a fifth of a second)."""
    from audits.services import audit_record_many

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's write-ahead log")
    seen = {}

    def read_wal(key, what):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {what}::text")
            seen[key] = _lsn(cursor.fetchone()[0])

    with transaction.atomic():
        if many:
            audit_record_many(events=[{"actor": None, "event_type": EventType.CASE_VIEWED}] * 3)
        else:
            audit_record(actor=None, event_type=EventType.CASE_VIEWED)
        read_wal("written", "pg_current_wal_insert_lsn()")
        transaction.on_commit(lambda: read_wal("flushed", "pg_current_wal_flush_lsn()"))
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "off"  # for this transaction only: the lock goes at commit
    assert seen["flushed"] >= seen["written"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the session's other transactions wait for the disk as before
    assert AuditEvent.objects.count() == (3 if many else 1) and audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_append_leaves_the_session_committing_synchronously():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, event_type=EventType.CASE_VIEWED)
        raise RuntimeError("the action failed")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert AuditEvent.objects.count() == 0
