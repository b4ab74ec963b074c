"""Start-up checks: each misconfiguration is reported with its stable id."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audits.checks import audit_settings_check
from oversight.checks import case_limits_check, production_services_check, threshold_check
from recognition.checks import scan_timing_check
from watchlists.checks import watchlist_settings_check

ROOT = Path(__file__).resolve().parent.parent


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_a_sound_configuration_reports_no_error(settings, tmp_path):
    for name in ("AUDIT_SIGNING_KEY_FILE", "DATA_KEY_FILE"):
        key = tmp_path / f"{name}.key"
        key.write_bytes(b"secret")
        key.chmod(0o600)
        setattr(settings, name, str(key))
    found = [
        *audit_settings_check(),
        *watchlist_settings_check(),
        *threshold_check(),
        *case_limits_check(),
        *production_services_check(),
        *scan_timing_check(),
    ]
    assert found == []


@pytest.mark.parametrize(("setting", "app"), [("AUDIT_SIGNING_KEY_FILE", "audits"), ("DATA_KEY_FILE", "watchlists")])
def test_key_files_missing_unreadable_or_readable_by_others(settings, tmp_path, setting, app):
    check = audit_settings_check if app == "audits" else watchlist_settings_check
    key = tmp_path / "key"
    setattr(settings, setting, str(key))
    # A missing signing key is reported; the data key is created on first use.
    assert (f"{app}.W001" in ids(check())) == (app == "audits")
    key.write_bytes(b"secret")
    key.chmod(0o644)
    assert f"{app}.E002" in ids(check())  # world-readable
    key.chmod(0o600)
    assert not ids(check()) & {f"{app}.E001", f"{app}.E002", f"{app}.W001"}
    if os.geteuid() != 0:  # root reads any file
        key.chmod(0o000)
        assert f"{app}.E001" in ids(check())
    setattr(settings, setting, str(tmp_path))  # a directory is not a key file
    assert f"{app}.E001" in ids(check())


def test_audit_retention_below_six_months(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    assert "audits.E010" in ids(audit_settings_check())


def test_negative_watchlist_retention(settings):
    settings.WATCHLIST_RETENTION_HOURS_AFTER_END = -1
    assert "watchlists.E010" in ids(watchlist_settings_check())


def test_a_default_threshold_laxer_than_the_maximum(settings):
    settings.MATCH_THRESHOLD_DEFAULT, settings.MATCH_THRESHOLD_MAX = 0.6, 0.575
    assert ids(threshold_check()) == {"oversight.E001"}


def test_urgency_beyond_24_hours_and_a_majority_out_of_range(settings):
    settings.CASE_URGENCY_HOURS = 48
    settings.COMMISSION_MAJORITY = 0.4
    assert ids(case_limits_check()) == {"oversight.E002", "oversight.E003"}


def test_production_refuses_the_embedded_database_and_broker_unless_opted_in(settings):
    settings.DEBUG, settings.TESTING = False, False
    settings.EMBEDDED_DEFAULTS = {"DATABASE_URL", "CELERY_BROKER_URL"}
    settings.ALLOW_EMBEDDED_DEFAULTS = False
    assert ids(production_services_check()) == {"oversight.E010", "oversight.E011"}
    settings.ALLOW_EMBEDDED_DEFAULTS = True
    assert production_services_check() == []
    settings.ALLOW_EMBEDDED_DEFAULTS, settings.DEBUG = False, True
    assert production_services_check() == []


def test_a_scan_segment_longer_than_the_broker_visibility_timeout(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 30}
    settings.RECOGNITION_SEGMENT_SECONDS = 45
    assert "recognition.E001" in ids(scan_timing_check())


def test_a_recording_chunk_larger_than_the_largest_request_is_refused_at_start_up(settings):
    from recognition.checks import recording_limits_check

    assert recording_limits_check() == []
    settings.RECORDING_CHUNK_BYTES = settings.UPLOAD_MAX_BYTES + 1  # R24: each chunk is one request
    settings.RECORDING_MAX_BYTES = settings.UPLOAD_MAX_BYTES
    assert {"recognition.E010", "recognition.E011"} <= ids(recording_limits_check())


def test_manage_py_check_stops_a_production_start_without_a_database_url(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
    }
    env |= {"SECRET_KEY": "x" * 40, "OVERSIGHT_VAR_DIR": str(tmp_path), "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "oversight.E010" in result.stderr and "oversight.E011" in result.stderr


def test_a_postgresql_connection_without_the_audit_trails_commit():
    """R16: only the trail's backend waits for the disk after a transaction that appended (the appending transaction
    commits without waiting, to release the head lock early); Django's own backend is refused at start-up."""
    from django.db.utils import ConnectionHandler

    from audits.checks import _database_engine_messages

    plain = {"ENGINE": "django.db.backends.postgresql", "NAME": "oversight"}
    ours = {**plain, "ENGINE": "audits.backends.postgresql"}
    assert ids(_database_engine_messages(ConnectionHandler({"default": plain}))) == {"audits.E011"}
    assert _database_engine_messages(ConnectionHandler({"default": ours})) == []
    assert _database_engine_messages() == []  # what config.env configures
