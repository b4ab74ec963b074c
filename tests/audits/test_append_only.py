"""Audit events cannot be changed or removed by the application's own database user (R17, R18)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audits.models import AuditCheckpoint, AuditEvent
from audits.services import audit_checkpoint_create
from tests.audits.helpers import fill_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    fill_log(5)
    return AuditEvent.objects.get(seq=3)


def _refused(fn):
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic():
            fn()
    assert "append-only" in str(info.value)


def test_connected_as_the_applications_own_user():
    """The refusals below are those of the role in DATABASE_URL (in CI: `oversight`, not a superuser)."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, is_superuser = cursor.fetchone()
    assert user == connection.settings_dict["USER"]
    if user == "oversight":  # the role scripts/services.sh creates for the application
        assert is_superuser is False


def test_orm_update_is_refused(log):
    _refused(lambda: AuditEvent.objects.filter(seq=3).update(actor_label="mallory"))
    log.actor_label = "mallory"
    _refused(lambda: log.save())
    assert AuditEvent.objects.get(seq=3).actor_label != "mallory"


def test_orm_delete_is_refused(log):
    _refused(lambda: AuditEvent.objects.filter(seq=3).delete())
    _refused(lambda: log.delete())
    _refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.count() == 5


def _sql(statement):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement)

    return run


def test_raw_sql_update_is_refused(log):
    _refused(_sql("UPDATE audits_auditevent SET data = '{}' WHERE seq = 3"))
    _refused(_sql("UPDATE audits_auditevent SET hash = prev_hash"))


def test_raw_sql_delete_is_refused(log):
    _refused(_sql("DELETE FROM audits_auditevent WHERE seq = 3"))
    _refused(_sql("DELETE FROM audits_auditevent"))
    assert AuditEvent.objects.count() == 5


def test_raw_sql_truncate_is_refused(log):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _refused(_sql("TRUNCATE audits_auditevent"))
    _refused(_sql("TRUNCATE audits_auditevent, audits_auditcheckpoint CASCADE"))
    assert AuditEvent.objects.count() == 5


def test_checkpoints_are_append_only_too(log):
    from django.core.management import call_command

    call_command("audits_keygen")
    checkpoint = audit_checkpoint_create()
    _refused(lambda: AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(seq=1))
    _refused(_sql(f"DELETE FROM audits_auditcheckpoint WHERE id = {checkpoint.pk}"))


def test_inserting_still_works(log):
    fill_log(1)
    assert AuditEvent.objects.count() == 6
