from django.db import connection

from audits.events import EventType
from audits.services import audit_record


def fill_log(n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        audit_record(
            actor=f"user{i % 7}",
            event_type=EventType.CASE_VIEWED,
            case_ref=f"FR-2026-{i % 13:04d}",
            target_ref=f"oversight.Case:{i % 13}",
            data={"i": i, "via": "test", "note": "čeština ✓"},
        )


class TriggersOff:
    """Tamper as a database owner or superuser could: with the append-only triggers disabled."""

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audits_auditevent DISABLE TRIGGER USER")
                cursor.execute("ALTER TABLE audits_auditcheckpoint DISABLE TRIGGER USER")
            else:
                from audits import triggers

                triggers.execute(connection, triggers.remove_sql("sqlite"))
        return connection.cursor()

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audits_auditevent ENABLE TRIGGER USER")
                cursor.execute("ALTER TABLE audits_auditcheckpoint ENABLE TRIGGER USER")
            else:
                from audits import triggers

                triggers.execute(connection, triggers.install_sql("sqlite"))


def disclosure_of(event):
    """The AuditDisclosure an audit.exported / report.exported event references (it copies none of its text)."""
    from audits.models import AuditDisclosure

    label, pk = event.data_dict["disclosure"].split(":")
    assert label == "audits.AuditDisclosure" and event.target_ref == event.data_dict["disclosure"]
    return AuditDisclosure.objects.get(pk=int(pk))
