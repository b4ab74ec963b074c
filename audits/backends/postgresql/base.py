"""Django's PostgreSQL backend, with the audit trail's commit (R16).

A transaction that appends to the trail commits without waiting for its WAL flush: audits_append() turns
synchronous_commit off for that transaction only (migration 0015), so the head lock that serialises writers is
released as soon as the commit is written, not once it reaches the disk, and the next writer need not wait for the
disk. This backend then waits for the flush inside commit(), before commit() returns: nothing that follows a commit
(the caller's next step, its on-commit hooks, the answer to the user) runs before the events and the action they
record are durable.

The wait: a transaction that writes WAL commits synchronously, and the flush of its commit record covers all WAL
written before it, among which the commit of the transaction that appended (WAL is flushed in order). The smallest
such transaction is one transactional logical-decoding message (a few bytes of WAL, no table touched; a statement
that only takes a transaction id is not enough: PostgreSQL commits a transaction that wrote nothing without
waiting). It is sent with the COMMIT in one simple-protocol message, so it costs no extra round trip: the server
commits the appending transaction, then runs the message in an implicit transaction of its own, which commits
synchronously (the appending transaction's setting ended with it).
Configured by config.env for every postgres:// URL; audits.checks refuses another engine.
"""

from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction

COMMIT_THEN_WAIT_FOR_THE_DISK = "COMMIT; SELECT pg_logical_emit_message(true, 'audits', 'flush')"


class DatabaseWrapper(base.DatabaseWrapper):
    # Set by audits.services.record when the current transaction appended; cleared by its commit or rollback.
    audit_flush_pending = False

    def _commit(self):
        if not self.audit_flush_pending or self.connection is None:
            return super()._commit()
        self.audit_flush_pending = False
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
            # No parameters: psycopg sends the two statements as one simple-protocol message.
            self.connection.execute(COMMIT_THEN_WAIT_FOR_THE_DISK)

    def _rollback(self):
        self.audit_flush_pending = False  # nothing of the transaction was written
        return super()._rollback()
