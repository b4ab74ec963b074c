"""Django's PostgreSQL backend, with the audit trail's commit (R16).

Two things happen in commit() that the head lock (which serialises every writer of the trail) would otherwise wait
for.

1. The append is sent with the COMMIT. audits.services.record queues the transaction's appends on this connection
   instead of sending each at once; commit() sends them, the COMMIT and the wait below as one simple-protocol
   message, and a transaction that did nothing else is opened in the same message too (BEGIN first). The head is
   locked only while the server runs that message: no round trip to this process and back happens under the lock.
   Any other statement of the transaction sends the queued appends first (_cursor()), so the trail, the head and
   what the transaction reads stay exactly as if each append had been sent when it was recorded; a rollback drops
   them with the rest of the transaction.
2. The transaction commits without waiting for its WAL flush: audits_append() turns synchronous_commit off for
   that transaction only (migration 0015), so the head lock is released as soon as the commit is written, not once
   it reaches the disk. commit() then waits for the flush before it returns: nothing that follows a commit (the
   caller's next step, its on-commit hooks, the answer to the user) runs before the events and the action they
   record are durable. The wait: a transaction that writes WAL commits synchronously, and the flush of its commit
   record covers all WAL written before it, among which the commit of the transaction that appended (WAL is
   flushed in order). The smallest such transaction is one transactional logical-decoding message (a few bytes of
   WAL, no table touched; a statement that only takes a transaction id is not enough: PostgreSQL commits a
   transaction that wrote nothing without waiting). It runs after the COMMIT, in an implicit transaction of its
   own, which commits synchronously (the appending transaction's setting ended with it).

Configured by config.env for every postgres:// URL; audits.checks refuses another engine.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction

IDLE = psycopg.pq.TransactionStatus.IDLE
# Two statements prepared once per connection: parsing and planning them as new statements at every commit cost the
# server a fifth of an append's CPU (measured on the backend's own CPU time, one writer: 0.25-0.28 ms per append with
# both sent as text, 0.21-0.24 ms prepared).
PREPARED_STATEMENTS = (
    "PREPARE audits_append_one (timestamptz, text, text, text, text, text, text) AS"
    " SELECT seq, prev_hash, hash FROM audits_append($1, $2, $3, $4, $5, $6, $7)",
    "PREPARE audits_wait_for_the_disk AS SELECT pg_logical_emit_message(true, 'audits', 'flush')",
)
APPEND_ONE = "EXECUTE audits_append_one(%s, %s, %s, %s, %s, %s, %s)"
WAIT_FOR_THE_DISK = "EXECUTE audits_wait_for_the_disk"


class NotSentYet:
    """An event's seq, prev_hash and hash until its append is sent. Stored or looked up as a value, it fails loudly
    (a caller that needs them before the commit asks for them: audit_record(need_seq=True)); shown, it is "?"."""

    def __repr__(self):
        return "<not known until the append is sent: audit_record(..., need_seq=True)>"

    def __int__(self):
        raise TypeError(repr(self))

    __index__ = __int__
    __str__ = __int__  # what Django's CharField does with a value that is not a string

    def __format__(self, spec):
        return "?"


NOT_SENT_YET = NotSentYet()


@dataclass
class QueuedAppend:
    """One call of audits_append() or audits_append_many() not yet sent, and the events it fills in."""

    sql: str  # answers seq, prev_hash, hash: one row per event, in order
    params: list[Any]
    events: list[Any]

    def fill(self, rows) -> None:
        for event, (seq, prev_hash, digest) in zip(self.events, rows, strict=True):
            event.seq, event.prev_hash, event.hash = seq, prev_hash, digest


class DatabaseWrapper(base.DatabaseWrapper):
    # Set when the current transaction appended; cleared by its commit or rollback.
    audit_flush_pending = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit_queue: list[QueuedAppend] = []
        self.audit_prepared = False  # PREPARED_STATEMENTS ran on the current connection

    def audit_queue_append(self, item: QueuedAppend, *, send_now: bool = False) -> None:
        """Called by audits.services.record inside an atomic block: item is sent before the transaction's next
        statement or with its COMMIT, or at once with send_now (the caller reads the sequence numbers)."""
        self.audit_queue.append(item)
        self.audit_flush_pending = True
        if send_now:
            self.audit_send_queue()

    def audit_send_queue(self) -> None:
        """Send the queued appends now, in order."""
        self._audit_prepare()
        queue, self.audit_queue = self.audit_queue, []
        with super()._cursor() as cursor:
            for item in queue:
                cursor.execute(item.sql, item.params)
                item.fill(cursor.fetchall())

    def _audit_prepare(self) -> None:
        if not self.audit_prepared:
            self.ensure_connection()
            with self.wrap_database_errors:
                # A prepared statement belongs to the session, not the transaction: a rollback keeps it.
                self.connection.execute("; ".join(PREPARED_STATEMENTS))
            self.audit_prepared = True

    def get_new_connection(self, conn_params):
        self.audit_prepared = False
        return super().get_new_connection(conn_params)

    def _cursor(self, name=None):
        if self.audit_queue:
            self.audit_send_queue()
        return super()._cursor(name)

    def _commit(self):
        if not self.audit_flush_pending or self.connection is None:
            return super()._commit()
        queue, self.audit_queue = self.audit_queue, []
        self.audit_flush_pending = False
        with self.wrap_database_errors:
            self._audit_prepare()
            self._send_commit(queue)

    def _send_commit(self, queue: list[QueuedAppend]) -> None:
        """One message: [BEGIN;] the queued appends; COMMIT; the wait for the disk. No parameters are left in it, so
        psycopg sends it with the simple protocol, whose statements run in order and stop at the first error."""
        conn = self.connection
        cursor = psycopg.ClientCursor(conn)
        statements = [cursor.mogrify(item.sql, item.params) for item in queue]
        # Nothing sent yet in this transaction (it only recorded events): open it in the same message, where psycopg
        # would have sent a BEGIN of its own first (one more round trip).
        opening = bool(statements) and conn.info.transaction_status == IDLE
        if opening:
            conn.autocommit = True  # psycopg then adds no BEGIN; the setting is the client's, nothing is sent
            statements.insert(0, "BEGIN")
        message = "; ".join([*statements, "COMMIT", WAIT_FOR_THE_DISK])
        try:
            with debug_transaction(self, message):
                cursor.execute(message, prepare=False)
            if opening:
                cursor.nextset()  # past the BEGIN's answer
            for item in queue:  # one answer each, in order
                item.fill(cursor.fetchall())
                cursor.nextset()
        except Exception:
            if opening and conn.info.transaction_status != IDLE:
                # The BEGIN was ours: end what it opened (the error raised is the one that stopped the message).
                with contextlib.suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
            raise
        finally:
            if opening and not conn.closed:
                conn.autocommit = False

    def _rollback(self):
        self.audit_queue = []  # never sent: nothing of it to undo
        self.audit_flush_pending = False  # nothing of the transaction was written
        return super()._rollback()

    def _close(self):
        self.audit_queue = []
        self.audit_flush_pending = False
        return super()._close()
