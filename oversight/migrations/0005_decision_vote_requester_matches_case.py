"""R7 in the database: a decision's or vote's copy of the requester must be the case's requester.

The check constraints decision_not_by_requester and vote_not_by_requester
compare the decider with the `requester` column; these composite foreign keys
make sure that column cannot be filled with anyone but the case's requester.
Django cannot declare composite foreign keys, so they are SQL (PostgreSQL; the
SQLite development database relies on the service check and the check
constraints).
"""

from django.db import migrations

KEYS = [
    ("oversight_decision", "decision_requester_is_case_requester"),
    ("oversight_vote", "vote_requester_is_case_requester"),
]


def add_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in KEYS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (case_id, requester_id) "
            "REFERENCES oversight_case (id, requester_id)"
        )


def drop_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in KEYS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("oversight", "0004_legal_objectives")]
    operations = [migrations.RunPython(add_keys, drop_keys)]
