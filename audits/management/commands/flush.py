"""Django's flush, guarded: it would erase the audit trail.

The append-only triggers reject the DELETE/TRUNCATE that flush issues. Test
runs (TransactionTestCase calls flush between tests) may lift them for the
duration of the flush; anywhere else the command refuses.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from audits import triggers


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        if "audits_auditevent" not in connection.introspection.table_names():
            return super().handle(**options)
        if not settings.AUDIT_ALLOW_FLUSH:
            raise CommandError("flush would erase the append-only audit trail; it is allowed only in test runs")
        vendor = connection.vendor
        triggers.execute(connection, triggers.remove_sql(vendor))
        try:
            return super().handle(**options)
        finally:
            triggers.execute(connection, triggers.install_sql(vendor))
