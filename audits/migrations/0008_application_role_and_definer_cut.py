"""An audit trail the application cannot rewrite (R16-R18).

The role that runs migrations owns the tables and the functions (the owner role: `oversight` in the setup scripts);
the application connects as APP_ROLE (`oversight_app`), which may read every audit table, append only through
audits_append() and lock the head only through audits_lock_head(), both SECURITY DEFINER functions owned by the
owner; it holds no INSERT, UPDATE, DELETE or TRUNCATE on the trail, cannot alter or disable its triggers (only an
owner can) and cannot execute audits_cut().

The cut no longer opens the DELETE trigger with a session setting (any session could set it): audits_cut(), also
SECURITY DEFINER and executable by the owner only, writes a row for its own transaction into audits_cut_in_progress,
a table nobody else may write, and the trigger lets a DELETE through only for the seqs that row names, in that
transaction.

Grants are made only where APP_ROLE exists (scripts/services.sh creates it), so a database without it migrates as
before.
"""

import importlib

from django.db import migrations

from audits import triggers


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers.execute(schema_editor.connection, triggers.remove_sql(vendor))
    triggers.execute(schema_editor.connection, triggers.install_sql(vendor))


def remove(apps, schema_editor):
    # Back to 0004's triggers as they were: the first version's statements with the setting-based cut.
    vendor = schema_editor.connection.vendor
    triggers.execute(schema_editor.connection, triggers.remove_sql(vendor))
    first = importlib.import_module("audits.migrations.0002_append_only_triggers")
    triggers.execute(schema_editor.connection, first.install_sql(vendor))


class Migration(migrations.Migration):
    dependencies = [("audits", "0007_event_types_sign_in_throttle_enrolment")]
    operations = [migrations.RunPython(install, remove)]
