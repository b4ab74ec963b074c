"""Database triggers that make the audit tables append-only, and the one narrow way out.

PostgreSQL rejects UPDATE, DELETE and TRUNCATE; SQLite rejects UPDATE and
DELETE (it has no TRUNCATE). The only exception is the retention cut (R18):
events covered by a recorded AuditCut may be deleted, and only in the
transaction that records the cut.

- PostgreSQL: audits_cut(cut_id) checks that the cut row ends at its signed
  checkpoint, that the chain there still has the signed hash, that it starts
  at the oldest remaining event and that its audit.cut event exists; then it
  writes a row for its own transaction into audits_cut_in_progress and deletes.
  The row trigger lets a DELETE of an event through only while such a row of the
  same transaction covers its seq; no session setting can open it.
- Roles: the owner (who runs migrations) owns tables and functions; the
  application's role APP_ROLE reads the trail and appends only through the
  SECURITY DEFINER functions audits_append() and audits_lock_head(). It holds no
  INSERT/UPDATE/DELETE/TRUNCATE on the trail, cannot alter its triggers (owners
  only) and cannot execute audits_cut() or write audits_cut_in_progress. Grants
  are made only where APP_ROLE exists (scripts/services.sh creates it).
- SQLite (local runs): the DELETE trigger lets through events at or below the
  highest recorded cut. Cut rows are append-only too.

A database owner or superuser can still disable the triggers; that is why audits_verify compares what remains with the
recorded cuts (and the office's copies) and reports any other missing prefix.
Installed by migrations 0002 (first version, frozen there), 0004 and 0008.
"""

EVENT_TABLE = "audits_auditevent"
TABLES = (EVENT_TABLE, "audits_auditcheckpoint", "audits_auditcut")

APP_ROLE = "oversight_app"
# Written only by audits_cut() (nobody else may write it): the seqs its own transaction may delete.
CUT_MARKER_TABLE = "audits_cut_in_progress"

PG_MARKER = """
CREATE TABLE IF NOT EXISTS audits_cut_in_progress (
    txid bigint PRIMARY KEY,
    seq_from bigint NOT NULL,
    seq_to bigint NOT NULL
);
"""

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audits_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audits_auditevent' THEN
        -- Only audits_cut(), in its own transaction, for the seqs of the cut it checked.
        IF EXISTS (SELECT 1 FROM audits_cut_in_progress m
                   WHERE m.txid = txid_current() AND OLD.seq BETWEEN m.seq_from AND m.seq_to) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

PG_LOCK_HEAD = """
CREATE OR REPLACE FUNCTION audits_lock_head() RETURNS TABLE (seq bigint, hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO audits_audithead (id, seq, hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
    RETURN QUERY SELECT h.seq, h.hash::text FROM audits_audithead h WHERE h.id = 1 FOR UPDATE;
END
$$;
"""

PG_CUT_FUNCTION = """
CREATE OR REPLACE FUNCTION audits_cut(p_cut_id bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
    INSERT INTO audits_cut_in_progress (txid, seq_from, seq_to) VALUES (txid_current(), c.seq_from, c.seq_to);
    DELETE FROM audits_auditevent WHERE seq BETWEEN c.seq_from AND c.seq_to;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    DELETE FROM audits_cut_in_progress WHERE txid = txid_current();
    IF v_deleted <> c.events THEN
        RAISE EXCEPTION 'audits_cut: expected to remove % events, found %', c.events, v_deleted;
    END IF;
    RETURN v_deleted;
END
$$;
"""


GRANTS = f"""
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        GRANT USAGE ON SCHEMA public TO {APP_ROLE};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE};
        -- The trail: read it, append through the function; checkpoints are added (signed, append-only by trigger).
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE
            ON audits_auditevent, audits_audithead, audits_auditcut, audits_cut_in_progress FROM {APP_ROLE};
        REVOKE UPDATE, DELETE, TRUNCATE ON audits_auditcheckpoint FROM {APP_ROLE};
        GRANT EXECUTE ON FUNCTION audits_append(timestamptz, text, text, text, text, text, text) TO {APP_ROLE};
        GRANT EXECUTE ON FUNCTION audits_lock_head() TO {APP_ROLE};
    END IF;
END
$$;
"""
LOCKDOWN = [
    "ALTER FUNCTION audits_append(timestamptz, text, text, text, text, text, text) SECURITY DEFINER",
    "ALTER FUNCTION audits_append(timestamptz, text, text, text, text, text, text) SET search_path = public, pg_temp",
    "REVOKE ALL ON FUNCTION audits_append(timestamptz, text, text, text, text, text, text) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION audits_lock_head() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION audits_cut(bigint) FROM PUBLIC",
    "REVOKE ALL ON audits_cut_in_progress FROM PUBLIC",
]


def install_sql(vendor: str) -> list[str]:
    statements = []
    if vendor == "postgresql":
        statements += [PG_MARKER, PG_FUNCTION, PG_LOCK_HEAD, PG_CUT_FUNCTION, *LOCKDOWN, GRANTS]
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
        statements.append("DROP FUNCTION IF EXISTS audits_lock_head();")
        statements.append("DROP FUNCTION IF EXISTS audits_reject_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return statements


def execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
