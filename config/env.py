"""Typed readers for environment variables that fail loudly.

A bad value stops start-up with an ImproperlyConfigured error naming the
variable, so a typo in deployment never silently falls back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# Django's PostgreSQL backend with the audit trail's commit: waits for the disk after a transaction that appended.
POSTGRESQL_ENGINE = "audits.backends.postgresql"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(name: str, url: str, *, base_dir: Path) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    Supported: postgres://, postgresql:// (psycopg 3) and sqlite:///path.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user@host:5432/dbname")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port") from None
        return {
            "ENGINE": POSTGRESQL_ENGINE,
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if scheme == "sqlite":
        # sqlite:///relative/to/project.sqlite3, sqlite:////absolute/path.sqlite3
        path = unquote(parts.path)
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise ImproperlyConfigured(f"{name} must give a file, e.g. sqlite:///var/db.sqlite3")
        db_path = Path(path)
        if not db_path.is_absolute():
            db_path = base_dir / db_path
        return sqlite_database(db_path)
    raise ImproperlyConfigured(f"{name} has unsupported scheme {scheme!r}: use postgres:// or sqlite:///")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # IMMEDIATE: the audit head row is read then written; a deferred
        # transaction would fail to upgrade its lock under a second writer.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }


def owner_database(owner: dict, application: dict) -> dict:
    """The owner's DATABASES entry (DATABASE_OWNER_URL): the same PostgreSQL database as the application's, another
    role. In tests it mirrors the default connection (one test database)."""
    if owner["ENGINE"] != POSTGRESQL_ENGINE or application["ENGINE"] != owner["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_OWNER_URL is for PostgreSQL, with DATABASE_URL on PostgreSQL too")
    if (owner["NAME"], owner["HOST"], owner["PORT"]) != (application["NAME"], application["HOST"], application["PORT"]):
        raise ImproperlyConfigured(
            "DATABASE_OWNER_URL must name the same database (host, port, name) as DATABASE_URL, as another role"
        )
    return {**owner, "TEST": {"MIRROR": "default"}}
