"""Make the audit tables append-only in the database itself (R17, R18)."""

from django.db import migrations

from audits import triggers


def install(apps, schema_editor):
    triggers.execute(schema_editor.connection, triggers.install_sql(schema_editor.connection.vendor))


def remove(apps, schema_editor):
    triggers.execute(schema_editor.connection, triggers.remove_sql(schema_editor.connection.vendor))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_audit_tables")]
    operations = [migrations.RunPython(install, remove)]
