"""The application's database role cannot rewrite the audit trail (R16-R18, audits.triggers).

The owner role (the tests' connection, which ran the migrations) owns the tables and the functions; the application
connects as `oversight_app` (scripts/services.sh creates it), which may read the trail and append only through
audits_append(). Each refusal below is PostgreSQL's, asked over a real connection as that role.
"""

import psycopg
import pytest
from django.db import connection

from audits.models import AuditEvent
from audits.services import audit_record
from audits.triggers import APP_ROLE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_cursor():
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        assert cursor.fetchone(), f"scripts/services.sh creates the role {APP_ROLE}"
    for n in range(3):
        audit_record(actor="test", event_type="case.viewed", data={"n": n})  # committed: transaction=True
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, dbname=settings["NAME"], user=APP_ROLE, autocommit=True
    ) as app:
        yield app.cursor()


REFUSED = {
    "update": "UPDATE audits_auditevent SET actor_label = 'mallory' WHERE seq = 2",
    "delete": "DELETE FROM audits_auditevent WHERE seq = 2",
    "truncate": "TRUNCATE audits_auditevent",
    "insert": "INSERT INTO audits_auditevent (seq, occurred_at, event_type, actor_id, actor_label, case_ref,"
    " target_ref, data, prev_hash, hash) VALUES (99, now(), 'x', '', '', '', '', '{}', '', '')",
    "move the head": "UPDATE audits_audithead SET seq = 0",
    "disable a trigger": "ALTER TABLE audits_auditevent DISABLE TRIGGER audits_auditevent_no_change",
    "drop a trigger": "DROP TRIGGER audits_auditevent_no_change ON audits_auditevent",
    "call the cut": "SELECT audits_cut(1)",
    "open the cut by hand": "INSERT INTO audits_cut_in_progress VALUES (txid_current(), 1, 3)",
    "record a cut": "INSERT INTO audits_auditcut (seq_from, seq_to, checkpoint_id, head_hash, events, oldest_at,"
    " newest_at, before, archive_name, archive_sha256, event_seq, actor_label, created_at)"
    " VALUES (1, 3, 1, '', 3, now(), now(), now(), 'x', '', 1, 'x', now())",
    "replace the append function": "CREATE OR REPLACE FUNCTION audits_lock_head() RETURNS TABLE (seq bigint,"
    " hash text) LANGUAGE sql AS 'SELECT 0::bigint, ''''::text'",
}


@pytest.mark.parametrize("what", list(REFUSED))
def test_the_application_role_cannot(app_cursor, what):
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedFunction)) as refused:
        app_cursor.execute(REFUSED[what])
    assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value)
    assert AuditEvent.objects.filter(actor_label="mallory").count() == 0 and AuditEvent.objects.count() == 3


def test_the_application_role_reads_and_appends_through_the_function(app_cursor):
    app_cursor.execute("SELECT count(*) FROM audits_auditevent")
    assert app_cursor.fetchone()[0] == 3
    app_cursor.execute(
        "SELECT seq FROM audits_append(now(), 'case.viewed', '', 'app', '', '', '{}')"
    )  # one round trip, as audits.services.record does
    assert app_cursor.fetchone()[0] == 4
    app_cursor.execute(
        "SELECT seq FROM audits_append_many(now(), ARRAY['case.viewed', 'case.viewed'], ARRAY['', ''],"
        " ARRAY['app', 'app'], ARRAY['', ''], ARRAY['', ''], ARRAY['{}', '{}'])"
    )  # several events of one action in one call
    assert [row[0] for row in app_cursor.fetchall()] == [5, 6]
    app_cursor.execute("SELECT seq, hash FROM audits_lock_head()")
    assert app_cursor.fetchone()[0] == 6
    from audits.selectors import audit_verify

    assert audit_verify().ok
