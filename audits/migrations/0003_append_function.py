"""PostgreSQL: append an audit event in one round trip.

audits_append() advances the head row (its row lock serialises writers until
the caller's transaction ends), computes the event hash with the same canonical
JSON as audits.chain.event_hash (pinned by tests/audits/test_chain.py against
the Python definition), inserts the event and stores the new head hash.
Verification stays in Python, so the two implementations check each other.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION audits_append(
    p_occurred_at timestamptz, p_event_type text, p_actor_id text, p_actor_label text,
    p_case_ref text, p_target_ref text, p_data text
) RETURNS TABLE (seq bigint, prev_hash text, hash text) LANGUAGE plpgsql AS $$
DECLARE
    v_seq bigint;
    v_prev text;
    v_hash text;
BEGIN
    UPDATE audits_audithead h SET seq = h.seq + 1 WHERE h.id = 1 RETURNING h.seq, h.hash INTO v_seq, v_prev;
    IF NOT FOUND THEN
        INSERT INTO audits_audithead (id, seq, hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
        UPDATE audits_audithead h SET seq = h.seq + 1 WHERE h.id = 1 RETURNING h.seq, h.hash INTO v_seq, v_prev;
    END IF;
    -- Keys in sorted order, no spaces, strings escaped as Python's json (ensure_ascii=False) does.
    v_hash := encode(sha256(convert_to(
        '{"actor_id":' || to_json(p_actor_id)::text
        || ',"actor_label":' || to_json(p_actor_label)::text
        || ',"case_ref":' || to_json(p_case_ref)::text
        || ',"data":' || to_json(p_data)::text
        || ',"event_type":' || to_json(p_event_type)::text
        || ',"occurred_at":"' || to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        || '","prev_hash":' || to_json(v_prev)::text
        || ',"seq":' || v_seq::text
        || ',"target_ref":' || to_json(p_target_ref)::text || '}', 'UTF8')), 'hex');
    INSERT INTO audits_auditevent
        (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref, data, prev_hash, hash)
    VALUES (v_seq, p_occurred_at, p_event_type, p_actor_id, p_actor_label, p_case_ref, p_target_ref, p_data,
            v_prev, v_hash);
    UPDATE audits_audithead h SET hash = v_hash WHERE h.id = 1;
    RETURN QUERY SELECT v_seq, v_prev, v_hash;
END
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS audits_append(timestamptz, text, text, text, text, text, text);"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audits", "0002_append_only_triggers")]
    operations = [migrations.RunPython(install, remove)]
