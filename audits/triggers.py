"""Database triggers that make the audit tables append-only, and the one narrow way out.

PostgreSQL rejects UPDATE, DELETE and TRUNCATE; SQLite rejects UPDATE and
DELETE (it has no TRUNCATE). The only exception is the retention cut (R18):
events covered by a recorded AuditCut may be deleted, and only in the
transaction that records the cut.

- PostgreSQL: audits_cut(cut_id) checks that the cut row ends at its signed
  checkpoint, that the chain there still has the signed hash, that it starts
  at the oldest remaining event and that its audit.cut event exists; then it
  sets the transaction-local setting audits.cut_through and deletes. The row
  trigger lets a DELETE of an event through only while that setting covers its
  seq; the setting ends with the transaction.
- SQLite (local runs): the DELETE trigger lets through events at or below the
  highest recorded cut. Cut rows are append-only too.

A database owner or superuser can still disable the triggers or set the
setting by hand; that is why audits_verify compares what remains with the
recorded cuts (and the office's copies) and reports any other missing prefix.
Installed by migrations 0002 (first version, frozen there) and 0004.
"""

EVENT_TABLE = "audits_auditevent"
TABLES = (EVENT_TABLE, "audits_auditcheckpoint", "audits_auditcut")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audits_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audits_auditevent' THEN
        -- Set only by audits_cut() below, for its own transaction (SET LOCAL semantics).
        IF OLD.seq <= coalesce(nullif(current_setting('audits.cut_through', true), ''), '0')::bigint THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

PG_CUT_FUNCTION = """
CREATE OR REPLACE FUNCTION audits_cut(p_cut_id bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c audits_auditcut%ROWTYPE;
    v_hash text;
    v_first bigint;
    v_deleted bigint;
BEGIN
    SELECT * INTO c FROM audits_auditcut WHERE id = p_cut_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audits_cut: no recorded cut %', p_cut_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF c.archive_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'audits_cut: cut % has no archive digest', p_cut_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM 1 FROM audits_auditcheckpoint cp
        WHERE cp.id = c.checkpoint_id AND cp.seq = c.seq_to AND cp.head_hash = c.head_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audits_cut: cut % does not end at its signed checkpoint', p_cut_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT hash INTO v_hash FROM audits_auditevent WHERE seq = c.seq_to;
    IF v_hash IS DISTINCT FROM c.head_hash THEN
        RAISE EXCEPTION 'audits_cut: the chain at event % differs from the signed checkpoint', c.seq_to
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT min(seq) INTO v_first FROM audits_auditevent;
    IF v_first IS DISTINCT FROM c.seq_from THEN
        RAISE EXCEPTION 'audits_cut: a cut must start at the oldest remaining event (%), not %', v_first, c.seq_from
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM 1 FROM audits_auditevent WHERE seq = c.event_seq AND event_type = 'audit.cut';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audits_cut: cut % is not recorded in the trail', p_cut_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('audits.cut_through', c.seq_to::text, true);
    DELETE FROM audits_auditevent WHERE seq BETWEEN c.seq_from AND c.seq_to;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    PERFORM set_config('audits.cut_through', '', true);
    IF v_deleted <> c.events THEN
        RAISE EXCEPTION 'audits_cut: expected to remove % events, found %', c.events, v_deleted;
    END IF;
    RETURN v_deleted;
END
$$;
"""


def install_sql(vendor: str) -> list[str]:
    statements = []
    if vendor == "postgresql":
        statements += [PG_FUNCTION, PG_CUT_FUNCTION]
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
                when = ""
                if table == EVENT_TABLE and op == "DELETE":
                    when = "WHEN OLD.seq > coalesce((SELECT max(seq_to) FROM audits_auditcut), 0) "
                statements.append(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} {when}"
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
        statements.append("DROP FUNCTION IF EXISTS audits_cut(bigint);")
        statements.append("DROP FUNCTION IF EXISTS audits_reject_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return statements


def execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
