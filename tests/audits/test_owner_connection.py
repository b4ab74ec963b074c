"""Two connections in production (R17, R18): the application's role serves, the owner's cuts.

DATABASE_URL connects as the application's role `oversight_app` (it may not record a cut or call audits_cut());
DATABASE_OWNER_URL names the owner, whose connection ("owner") the retention cut uses for its own transaction. The
web and the workers refuse to start with DEBUG off when DATABASE_URL connects as the trail's owner. Each run below
is a real process against the test database, as the deployment runs it.
"""

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from audits.checks import owner_connection_problem, refuse_owner_connection
from audits.models import AuditCut, AuditEvent
from audits.selectors import audit_verify
from audits.services import audit_checkpoint_create
from audits.triggers import APP_ROLE
from tests.audits.helpers import fill_log

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _url(user: str) -> str:
    db = connection.settings_dict
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run(args: list[str], **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_OWNER_URL", "PYTEST_CURRENT_TEST"}}
    base.update(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/12",
        SECRET_KEY="owner-connection-test-secret-key-0123456789",
        OVERSIGHT_TESTING="0",
        AUDIT_SIGNING_KEY_FILE=str(settings.AUDIT_SIGNING_KEY_FILE),
        **env,
    )
    return subprocess.run(args, cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


@pytest.fixture
def postgres_with_roles():
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        assert cursor.fetchone(), f"scripts/services.sh creates the role {APP_ROLE}"


@pytest.fixture
def due_history(postgres_with_roles, tmp_path):
    """January 2025: events 1-20 and a signed checkpoint at 20 (its event is 21); today: 22-24. Committed."""
    with time_machine.travel(datetime(2025, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        call_command("audits_keygen", stdout=io.StringIO())
        fill_log(20)
        audit_checkpoint_create()
    fill_log(3, start=20)
    (tmp_path / "archive").mkdir()
    return tmp_path / "archive"


def _cut(archive: Path, **env) -> subprocess.CompletedProcess:
    return _run(
        [sys.executable, "manage.py", "audits_archive_cut", "--archive-dir", str(archive)],
        DEBUG="1",
        AUDIT_RETENTION_DAYS="620",
        **env,
    )


def test_the_application_role_alone_cannot_cut(due_history):
    result = _cut(due_history, DATABASE_URL=_url(APP_ROLE))
    assert result.returncode != 0
    assert "permission denied" in result.stderr
    assert AuditEvent.objects.order_by("seq").first().seq == 1 and not AuditCut.objects.exists()
    assert list(due_history.iterdir()) == []  # the archive of a refused cut is removed


def test_the_cut_runs_through_the_owners_connection_while_the_application_serves_as_its_role(due_history):
    owner = connection.settings_dict["USER"]
    result = _cut(due_history, DATABASE_URL=_url(APP_ROLE), DATABASE_OWNER_URL=_url(owner))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["audit_events_cut"] == 20
    cut = AuditCut.objects.get()
    assert (cut.seq_from, cut.seq_to) == (1, 20)
    assert AuditEvent.objects.order_by("seq").first().seq == 21
    assert AuditEvent.objects.get(seq=cut.event_seq).event_type == "audit.cut"
    assert audit_verify().ok


def test_the_owner_url_must_name_the_same_database(postgres_with_roles):
    owner = connection.settings_dict["USER"]
    result = _run(
        [sys.executable, "manage.py", "check"],
        DEBUG="1",
        DATABASE_URL=_url(APP_ROLE),
        DATABASE_OWNER_URL=_url(owner).rsplit("/", 1)[0] + "/another_database",
    )
    assert result.returncode != 0 and "must name the same database" in result.stderr


STARTS_WEB = [sys.executable, "-c", "import config.wsgi"]
PRODUCTION = {"DEBUG": "0", "SECURE_HSTS_SECONDS": "31536000", "SECURE_SSL_REDIRECT": "1"}


def test_the_web_refuses_to_start_on_the_owners_connection_with_debug_off(postgres_with_roles):
    owner = connection.settings_dict["USER"]
    refused = _run(STARTS_WEB, DATABASE_URL=_url(owner), **PRODUCTION)
    assert refused.returncode != 0
    assert "owns the audit trail" in refused.stderr and "DATABASE_OWNER_URL" in refused.stderr
    started = _run(STARTS_WEB, DATABASE_URL=_url(APP_ROLE), DATABASE_OWNER_URL=_url(owner), **PRODUCTION)
    assert started.returncode == 0, started.stderr


def test_debug_runs_keep_the_single_owner_connection(settings):
    """Tests and local runs connect as the owner, which the check names but lets through with DEBUG on."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles")
    assert "owns the audit trail" in owner_connection_problem()
    settings.DEBUG = True
    refuse_owner_connection()  # no refusal
