"""A cheaper append, the same chain (R16).

- audits_append() locks the head with SELECT ... FOR UPDATE and writes it once (seq and hash together) instead of
  twice (seq, then hash): one heap version and one WAL record fewer per event, with the same lock held from the same
  point to the end of the caller's transaction. The hash is computed exactly as before (tests/audits/test_chain.py
  pins it against audits.chain.event_hash).
- audits_append_many() appends the several events of one transaction in one call (one lock, one round trip, one
  head update); both compute the hash in one SQL function, audits_event_hash(), as audits.chain.event_hash does.
- The event's hash stays unique, through a constraint instead of unique=True: Django adds a second, LIKE-pattern
  index to a unique varchar, and every append wrote both (random keys: after each checkpoint, a full page image of
  a leaf page each), for a query nobody makes.

Function attributes (SECURITY DEFINER, search_path) are given again: CREATE OR REPLACE resets them; its owner and
grants stay (audits.triggers).
"""

from django.db import migrations, models

EVENT_HASH = r"""
CREATE OR REPLACE FUNCTION audits_event_hash(
    p_seq bigint, p_occurred_at timestamptz, p_event_type text, p_actor_id text, p_actor_label text,
    p_case_ref text, p_target_ref text, p_data text, p_prev text
) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE SET search_path = public, pg_temp AS $$
    -- Keys in sorted order, no spaces, strings escaped as Python's json (ensure_ascii=False) does.
    SELECT encode(sha256(convert_to(
        '{"actor_id":' || to_json(p_actor_id)::text
        || ',"actor_label":' || to_json(p_actor_label)::text
        || ',"case_ref":' || to_json(p_case_ref)::text
        || ',"data":' || to_json(p_data)::text
        || ',"event_type":' || to_json(p_event_type)::text
        || ',"occurred_at":"' || to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        || '","prev_hash":' || to_json(p_prev)::text
        || ',"seq":' || p_seq::text
        || ',"target_ref":' || to_json(p_target_ref)::text || '}', 'UTF8')), 'hex')
$$;
"""

HASH = r"""
        encode(sha256(convert_to(
            '{"actor_id":' || to_json(p_actor_id)::text
            || ',"actor_label":' || to_json(p_actor_label)::text
            || ',"case_ref":' || to_json(p_case_ref)::text
            || ',"data":' || to_json(p_data)::text
            || ',"event_type":' || to_json(p_event_type)::text
            || ',"occurred_at":"' || to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            || '","prev_hash":' || to_json(v_prev)::text
            || ',"seq":' || v_seq::text
            || ',"target_ref":' || to_json(p_target_ref)::text || '}', 'UTF8')), 'hex')
"""

HEADER = r"""
CREATE OR REPLACE FUNCTION audits_append(
    p_occurred_at timestamptz, p_event_type text, p_actor_id text, p_actor_label text,
    p_case_ref text, p_target_ref text, p_data text
) RETURNS TABLE (seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_seq bigint;
    v_prev text;
    v_hash text;
BEGIN
"""

LOCK_HEAD = r"""
    -- The head row's lock serialises writers until the caller's transaction ends (gapless seq, one chain).
    SELECT h.seq, h.hash INTO v_seq, v_prev FROM audits_audithead h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audits_audithead (id, seq, hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
        SELECT h.seq, h.hash INTO v_seq, v_prev FROM audits_audithead h WHERE h.id = 1 FOR UPDATE;
    END IF;
"""

ONE_UPDATE = (
    HEADER
    + LOCK_HEAD
    + r"""
    v_seq := v_seq + 1;
    v_hash := audits_event_hash(v_seq, p_occurred_at, p_event_type, p_actor_id, p_actor_label, p_case_ref,
                                p_target_ref, p_data, v_prev);
    INSERT INTO audits_auditevent
        (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref, data, prev_hash, hash)
    VALUES (v_seq, p_occurred_at, p_event_type, p_actor_id, p_actor_label, p_case_ref, p_target_ref, p_data,
            v_prev, v_hash);
    UPDATE audits_audithead h SET seq = v_seq, hash = v_hash WHERE h.id = 1;
    RETURN QUERY SELECT v_seq, v_prev, v_hash;
END
$$;
"""
)

# Several events of one transaction in one call: one lock, one round trip, one head update (the same chain as
# that many audits_append calls: tests/audits/test_chain.py).
APPEND_MANY = (
    r"""
CREATE OR REPLACE FUNCTION audits_append_many(
    p_occurred_at timestamptz, p_event_types text[], p_actor_ids text[], p_actor_labels text[],
    p_case_refs text[], p_target_refs text[], p_data text[]
) RETURNS TABLE (seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_seq bigint;
    v_prev text;
    v_hash text;
    i integer;
BEGIN
    IF coalesce(array_length(p_event_types, 1), 0) = 0 THEN
        RETURN;
    END IF;
"""
    + LOCK_HEAD
    + r"""
    FOR i IN 1 .. array_length(p_event_types, 1) LOOP
        v_seq := v_seq + 1;
        v_hash := audits_event_hash(v_seq, p_occurred_at, p_event_types[i], p_actor_ids[i], p_actor_labels[i],
                                    p_case_refs[i], p_target_refs[i], p_data[i], v_prev);
        INSERT INTO audits_auditevent
            (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref, data, prev_hash, hash)
        VALUES (v_seq, p_occurred_at, p_event_types[i], p_actor_ids[i], p_actor_labels[i], p_case_refs[i],
                p_target_refs[i], p_data[i], v_prev, v_hash);
        seq := v_seq;
        prev_hash := v_prev;
        hash := v_hash;
        RETURN NEXT;
        v_prev := v_hash;
    END LOOP;
    UPDATE audits_audithead h SET seq = v_seq, hash = v_prev WHERE h.id = 1;
END
$$;
"""
)

APP_ROLE_GRANTS = r"""
REVOKE ALL ON FUNCTION audits_append_many(timestamptz, text[], text[], text[], text[], text[], text[]) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oversight_app') THEN
        GRANT EXECUTE ON FUNCTION audits_append_many(timestamptz, text[], text[], text[], text[], text[], text[])
            TO oversight_app;
    END IF;
END
$$;
"""

TWO_UPDATES = (
    HEADER
    + r"""
    UPDATE audits_audithead h SET seq = h.seq + 1 WHERE h.id = 1 RETURNING h.seq, h.hash INTO v_seq, v_prev;
    IF NOT FOUND THEN
        INSERT INTO audits_audithead (id, seq, hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
        UPDATE audits_audithead h SET seq = h.seq + 1 WHERE h.id = 1 RETURNING h.seq, h.hash INTO v_seq, v_prev;
    END IF;
    v_hash := """
    + HASH
    + r""";
    INSERT INTO audits_auditevent
        (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref, data, prev_hash, hash)
    VALUES (v_seq, p_occurred_at, p_event_type, p_actor_id, p_actor_label, p_case_ref, p_target_ref, p_data,
            v_prev, v_hash);
    UPDATE audits_audithead h SET hash = v_hash WHERE h.id = 1;
    RETURN QUERY SELECT v_seq, v_prev, v_hash;
END
$$;
"""
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (EVENT_HASH, ONE_UPDATE, APPEND_MANY, APP_ROLE_GRANTS):
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TWO_UPDATES)
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS audits_append_many(timestamptz, text[], text[], text[], text[], text[], text[])"
        )
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS audits_event_hash(bigint, timestamptz, text, text, text, text, text, text, text)"
        )


class Migration(migrations.Migration):
    dependencies = [("audits", "0009_disclosures_keep_the_typed_text")]

    operations = [
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("hash",), name="audit_hash_unique"),
        ),
        migrations.RunPython(install, remove),
    ]
