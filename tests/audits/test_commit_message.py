"""R16: an event is appended with its transaction's next statement or its COMMIT (audits.backends.postgresql), so
the head lock that serialises every writer of the trail is held only while the server runs that last message, and
the trail, the head and the action still commit or roll back together."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import DataError, connection, connections, transaction

from audits.events import EventType
from audits.models import AuditEvent, AuditHead
from audits.selectors import audit_verify
from audits.services import audit_record, audit_record_many

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's commit")


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _append_from_another_connection(result: dict) -> None:
    """Another writer, on its own connection, that gives up if the head stays locked for 2 s."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            result["seq"] = audit_record(actor="other", event_type=EventType.CASE_VIEWED, need_seq=True).seq
    except Exception as error:  # noqa: BLE001 - reported to the test
        result["error"] = error
    finally:
        connections.close_all()


def test_a_transaction_still_at_work_after_recording_does_not_hold_the_head():
    """The event recorded last is sent with the COMMIT: until then another writer appends without waiting."""
    with transaction.atomic():
        mine = audit_record(actor="me", event_type=EventType.CASE_VIEWED, data={"step": "recorded, still at work"})
        other = {}
        thread = threading.Thread(target=_append_from_another_connection, args=(other,))
        thread.start()
        thread.join(30)
        assert "error" not in other, other.get("error")
        assert other["seq"] == 1
    assert mine.seq == 2 and mine.prev_hash == AuditEvent.objects.get(seq=1).hash
    assert [e.actor_label for e in AuditEvent.objects.order_by("seq")] == ["other", "me"]
    assert AuditHead.objects.get(pk=1).hash == mine.hash and audit_verify().ok


def test_an_event_not_yet_sent_cannot_be_used_for_its_sequence_number():
    with transaction.atomic():
        event = audit_record(actor=None, event_type=EventType.CASE_VIEWED)
        with pytest.raises(TypeError, match="need_seq=True"):
            AuditEvent.objects.filter(seq=event.seq).exists()
        with pytest.raises(TypeError, match="need_seq=True"):
            AuditEvent(seq=1, hash=event.hash).full_clean()
        assert str(event) == "#? case.viewed by system"  # shown, it is a question mark
        sent = audit_record(actor=None, event_type=EventType.CASE_VIEWED, need_seq=True)
        assert (event.seq, sent.seq) == (1, 2)  # asking for one sends every event queued before it, in order
    assert event.hash == sent.prev_hash and audit_verify().ok


def test_the_next_statement_of_the_transaction_sees_the_event_and_the_head():
    with transaction.atomic():
        audit_record(actor=None, event_type=EventType.CASE_VIEWED)
        audit_record_many(events=[{"actor": None, "event_type": EventType.CASE_VIEWED}] * 2)
        assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]
        assert AuditHead.objects.get(pk=1).seq == 3


def test_events_recorded_in_a_rolled_back_savepoint_are_dropped_and_the_rest_commit():
    with transaction.atomic():
        audit_record(actor="kept", event_type=EventType.CASE_VIEWED)
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(actor="dropped", event_type=EventType.CASE_VIEWED)
            raise RuntimeError("the inner step failed")
        last = audit_record(actor="kept too", event_type=EventType.CASE_VIEWED)
    assert [(e.seq, e.actor_label) for e in AuditEvent.objects.all()] == [(1, "kept"), (2, "kept too")]
    assert last.seq == 2 and audit_verify().ok


@pytest.mark.parametrize("alone", [True, False], ids=["nothing else in the transaction", "after the action"])
def test_an_append_refused_at_commit_rolls_back_the_action_and_leaves_the_connection_as_it_was(alone):
    """The server refuses the event only when the COMMIT's message runs (a case reference longer than the column):
    nothing of the transaction stays, the error reaches the caller, and the next transaction works as before."""
    users = get_user_model().objects
    with pytest.raises(DataError), transaction.atomic():
        if not alone:
            users.create_user(username="created_by_the_action", password="not-used-0123")
        audit_record(actor=None, event_type=EventType.CASE_VIEWED, case_ref="x" * 65)
    assert not users.filter(username="created_by_the_action").exists()
    assert AuditEvent.objects.count() == 0 and not AuditHead.objects.filter(seq__gt=0).exists()
    event = audit_record(actor=None, event_type=EventType.CASE_VIEWED)
    assert event.seq == 1 and audit_verify().ok
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


def test_an_event_sent_with_the_commit_is_on_disk_before_the_caller_goes_on():
    """R16: the commit that carries the append waits for the WAL flush before it returns, as in the other path
    (tests/audits/test_sequence.py). Read by the first on-commit hook: everything written so far, the appending
    transaction's commit among it, is flushed."""
    seen = {}

    def read_wal():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text, pg_current_wal_flush_lsn()::text")
            seen["written"], seen["flushed"] = (_lsn(v) for v in cursor.fetchone())

    with transaction.atomic():
        audit_record(actor=None, event_type=EventType.CASE_VIEWED)
        transaction.on_commit(read_wal)
    assert seen["flushed"] >= seen["written"]
    assert AuditEvent.objects.count() == 1 and audit_verify().ok
