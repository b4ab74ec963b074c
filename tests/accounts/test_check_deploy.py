"""`manage.py check --deploy` is clean with production settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p" * 20 + "roduction-like-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "oversight.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://oversight.example.org",
    "BEHIND_TLS_PROXY": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "OVERSIGHT_TESTING": "0",
}


def run_check(tmp_path, overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PYTEST_CURRENT_TEST"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "OVERSIGHT_VAR_DIR": str(tmp_path)})
    # Production runs on a database and broker server, with its key files in place and private.
    env.setdefault("DATABASE_URL", "postgres://oversight@127.0.0.1:5432/oversight")
    env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/0"
    for name in ("AUDIT_SIGNING_KEY_FILE", "DATA_KEY_FILE"):
        key = tmp_path / "keys" / name.lower()
        key.parent.mkdir(exist_ok=True)
        key.write_bytes(b"placeholder: the checks look at presence and permissions only")
        key.chmod(0o600)
        env[name] = str(key)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_check(tmp_path, PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_catches_a_missing_https_setting(tmp_path):
    result = run_check(tmp_path, {**PRODUCTION, "SECURE_SSL_REDIRECT": "0"})
    assert result.returncode != 0 and "security.W008" in result.stderr + result.stdout


def run_plain_check(tmp_path, overrides):
    """`manage.py check` without --deploy: what every start runs."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PYTEST_CURRENT_TEST"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "OVERSIGHT_VAR_DIR": str(tmp_path)})
    env.setdefault("DATABASE_URL", "postgres://oversight@127.0.0.1:5432/oversight")
    env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/0"
    for name in ("AUDIT_SIGNING_KEY_FILE", "DATA_KEY_FILE"):
        key = tmp_path / "keys" / name.lower()
        key.parent.mkdir(exist_ok=True)
        key.write_bytes(b"placeholder: the checks look at presence and permissions only")
        key.chmod(0o600)
        env[name] = str(key)
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_start_with_debug_off_refuses_missing_hsts_secure_cookies_or_https(tmp_path):
    assert run_plain_check(tmp_path, PRODUCTION).returncode == 0
    for setting, value, check in (
        ("SECURE_HSTS_SECONDS", "0", "accounts.E020"),
        ("SESSION_COOKIE_SECURE", "0", "accounts.E021"),
        ("SECURE_SSL_REDIRECT", "0", "accounts.E022"),
    ):
        result = run_plain_check(tmp_path, {**PRODUCTION, setting: value})
        assert result.returncode != 0 and check in result.stderr + result.stdout, (setting, result.stderr)
