"""Database triggers that make the audit tables append-only.

PostgreSQL rejects UPDATE, DELETE and TRUNCATE; SQLite rejects UPDATE and
DELETE (it has no TRUNCATE). Installed by migration 0002.
"""

TABLES = ("audits_auditevent", "audits_auditcheckpoint")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audits_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install_sql(vendor: str) -> list[str]:
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


def remove_sql(vendor: str) -> list[str]:
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


def execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
