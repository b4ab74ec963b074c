"""Start-up checks of the audit trail's configuration (Django system checks, ids audits.E0xx/W0xx)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

# R18: logs are kept at least six months.
MIN_AUDIT_RETENTION_DAYS = 183


def key_file_messages(
    path: str | os.PathLike | None, *, setting: str, app: str, create_hint: str, created_on_first_use: bool = False
) -> list:
    """Problems of a secret key file: unreadable (E001), readable by other users (E002), missing (W001).

    Shared by every app that keeps a key (audits' signing key, watchlists' data key): same ids under each
    app's label, so a message names the app and the setting. A key created on first use is not missing.
    """
    if not path:
        return []
    path = Path(path)
    if not path.exists():
        if created_on_first_use:
            return []
        return [
            checks.Warning(
                f"{setting}: no key file at {path}.",
                hint=create_hint,
                id=f"{app}.W001",
            )
        ]
    if not os.access(path, os.R_OK) or not path.is_file():
        return [checks.Error(f"{setting}: {path} is not a readable file.", id=f"{app}.E001")]
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        return [
            checks.Error(
                f"{setting}: {path} can be read by other users of this machine "
                f"(mode {stat.S_IMODE(path.stat().st_mode):o}).",
                hint=f"chmod 600 {path}",
                id=f"{app}.E002",
            )
        ]
    return []


@checks.register()
def audit_settings_check(app_configs=None, **kwargs) -> list:
    messages = key_file_messages(
        settings.AUDIT_SIGNING_KEY_FILE,
        setting="AUDIT_SIGNING_KEY_FILE",
        app="audits",
        create_hint="Create it with `python manage.py audits_keygen`; checkpoints cannot be signed without it.",
    )
    if settings.AUDIT_RETENTION_DAYS < MIN_AUDIT_RETENTION_DAYS:
        messages.append(
            checks.Error(
                f"AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS}: audit logs must be kept at least "
                f"{MIN_AUDIT_RETENTION_DAYS} days (six months).",
                id="audits.E010",
            )
        )
    messages += _database_engine_messages()
    return messages


def _database_engine_messages(handler=None) -> list:
    """R16: on PostgreSQL, only the trail's backend sends the appends audit_record() queues (with the next statement
    or the COMMIT), and a transaction that appends commits before its WAL flush, which only that backend waits for
    before commit() returns; with Django's own, no event could be recorded."""
    from django.db import connections

    from audits.backends.postgresql.base import DatabaseWrapper

    handler = handler or connections
    messages = []
    for alias in handler:
        connection = handler[alias]
        if connection.vendor == "postgresql" and not isinstance(connection, DatabaseWrapper):
            messages.append(
                checks.Error(
                    f"DATABASES[{alias!r}] uses {connection.settings_dict['ENGINE']}, which cannot send the audit "
                    "trail's events nor wait for them to reach the disk.",
                    hint="Use ENGINE 'audits.backends.postgresql' (config.env sets it for every postgres:// URL).",
                    id="audits.E011",
                )
            )
    return messages


def owner_connection_problem(alias: str = "default") -> str | None:
    """Why the application's connection must not serve (it owns the trail), or None.

    The owner (or a superuser) can disable the trail's triggers and rewrite it; production connects the web and the
    workers as the application's role (audits.triggers.APP_ROLE) and gives the owner's only to migrations and the cut
    (DATABASE_OWNER_URL). Asked once at start-up; nothing to ask on SQLite or before the trail's tables exist.
    """
    from django.db import connections

    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, pg_has_role(current_user, c.relowner, 'MEMBER') OR r.rolsuper"
            " FROM pg_class c, pg_roles r WHERE c.oid = to_regclass('audits_auditevent') AND r.rolname = current_user"
        )
        row = cursor.fetchone()
    if row is None or not row[1]:
        return None
    return (
        f"DATABASE_URL connects as {row[0]}, which owns the audit trail (or is a superuser) and could rewrite it. "
        "Connect the web and the workers as the application's role (oversight_app, created by scripts/services.sh) "
        "and give the owner's URL as DATABASE_OWNER_URL, used only for the migrations "
        "(DATABASE_URL=$DATABASE_OWNER_URL manage.py migrate) and the trail's retention cut."
    )


def refuse_owner_connection() -> None:
    """Start-up check of the web (config.wsgi) and the Celery processes (config.celery): with DEBUG off they refuse to
    start on the owner's connection (R17: an audit trail the application itself cannot rewrite)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connections

    if settings.DEBUG or getattr(settings, "TESTING", False):
        return  # tests connect as the owner on purpose (and import config.wsgi before any database is allowed)
    try:
        problem = owner_connection_problem()
    finally:
        connections["default"].close()  # opened before forking workers: each process opens its own
    if problem:
        raise ImproperlyConfigured(problem)
