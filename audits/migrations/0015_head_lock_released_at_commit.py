"""The head lock held for less time, the same chain (R16).

Two writers were serialised for the whole of each append: the head row's lock is held until the caller's transaction
ends, and it ended only after two things that do not need the lock.

- The hash. audits_event_hash() carried `SET search_path`, and PostgreSQL never inlines a function with a SET clause:
  every call parsed and planned the SQL body again (about 0.15 ms, more than the insert). Without the clause it is
  inlined into audits_append()'s cached plan. It names only built-ins (pg_catalog, always searched first), and the
  SECURITY DEFINER callers fix their own search_path, so nothing can be slipped in under those names.
- The WAL flush of the commit (about 0.25 ms here). A transaction that appends now commits without waiting for its
  flush (synchronous_commit off for that transaction only, set by audits_append()), so the head lock is released when
  the commit is written, not when it reaches disk; audits.services.record then waits for the flush before the caller
  goes on (audit_confirm_durable, run on commit). Nobody is told that an action is done before its events are on
  disk. A crash in the fraction of a millisecond between the two can lose only the newest transactions, whole (the
  action and its events together), never an event in the middle: WAL is flushed in order, so a transaction that
  chained onto a lost one is lost with it, and the chain, the head and the data still agree.

The functions are given again in full (CREATE OR REPLACE keeps owner and grants, resets nothing else).
"""

import importlib

from django.db import migrations

previous = importlib.import_module("audits.migrations.0010_append_with_one_head_update_and_one_hash_index")

HASH_SIGNATURE = "audits_event_hash(bigint, timestamptz, text, text, text, text, text, text, text)"

# Inside the function, before the head is locked: for this transaction only (set_config's is_local), reset at its end.
COMMIT_WITHOUT_WAITING = r"""
    PERFORM set_config('synchronous_commit', 'off', true);
"""


def _with_commit_without_waiting(source: str) -> str:
    marker = previous.LOCK_HEAD
    assert source.count(marker) == 1
    return source.replace(marker, COMMIT_WITHOUT_WAITING + marker)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER FUNCTION {HASH_SIGNATURE} RESET search_path")
        schema_editor.execute(_with_commit_without_waiting(previous.ONE_UPDATE))
        schema_editor.execute(_with_commit_without_waiting(previous.APPEND_MANY))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER FUNCTION {HASH_SIGNATURE} SET search_path = public, pg_temp")
        schema_editor.execute(previous.ONE_UPDATE)
        schema_editor.execute(previous.APPEND_MANY)


class Migration(migrations.Migration):
    dependencies = [("audits", "0014_event_types_public_register")]

    operations = [migrations.RunPython(install, remove)]
