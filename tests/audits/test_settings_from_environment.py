"""A bad configuration value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "OVERSIGHT_TESTING": "0"})
    env.update(env_overrides)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


GOOD_KEY = "k" * 50


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "maybe"}, "DEBUG"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "mysql://db/x"}, "DATABASE_URL"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgres://host:5432/"}, "DATABASE_URL"),
        ({"SECRET_KEY": GOOD_KEY, "CASE_MAX_DURATION_HOURS": "three days"}, "CASE_MAX_DURATION_HOURS"),
        ({"SECRET_KEY": GOOD_KEY, "COMMISSION_QUORUM": "0"}, "COMMISSION_QUORUM"),
        ({"SECRET_KEY": GOOD_KEY, "TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"SECRET_KEY": GOOD_KEY, "CELERY_BROKER_URL": "amqp://x"}, "CELERY_BROKER_URL"),
        ({"SECRET_KEY": GOOD_KEY, "AUDIT_RETENTION_DAYS": "30"}, "AUDIT_RETENTION_DAYS"),
    ],
)
def test_bad_value_stops_startup_naming_the_variable(overrides, named, tmp_path):
    result = start({"OVERSIGHT_VAR_DIR": str(tmp_path), **overrides})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_defaults_to_an_embedded_sqlite_database(tmp_path):
    result = start({"SECRET_KEY": GOOD_KEY, "OVERSIGHT_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_url_selects_postgresql(tmp_path):
    result = start(
        {"SECRET_KEY": GOOD_KEY, "OVERSIGHT_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://app@127.0.0.1:5432/db"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "audits.backends.postgresql"


def test_time_is_stored_in_utc_and_shown_in_prague(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Europe/Prague"
