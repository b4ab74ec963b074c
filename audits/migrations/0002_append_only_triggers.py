"""Make the audit tables append-only in the database itself (R17, R18).

The statements are frozen here as they were first installed; audits.triggers
holds the current set (migration 0004 replaced the PostgreSQL function and the
SQLite DELETE trigger so that a recorded cut may remove an archived prefix).
"""

from django.db import migrations

TABLES = ("audits_auditevent", "audits_auditcheckpoint")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audits_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install_sql(vendor):
    statements = []
    if vendor == "postgresql":
        statements.append(PG_FUNCTION)
        for table in TABLES:
            statements += [
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audits_reject_change();",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audits_reject_change();",
            ]
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only: {op} on {table} is not allowed'); END;"
                )
    return statements


def remove_sql(vendor):
    statements = []
    if vendor == "postgresql":
        for table in TABLES:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            ]
        statements.append("DROP FUNCTION IF EXISTS audits_reject_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return statements


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, install_sql(schema_editor.connection.vendor))


def remove(apps, schema_editor):
    _run(schema_editor, remove_sql(schema_editor.connection.vendor))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_audit_tables")]
    operations = [migrations.RunPython(install, remove)]
