"""The run command's web server: gunicorn serving config.wsgi, static files through whitenoise."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
        return response.status, dict(response.headers), response.read().decode()


def test_gunicorn_serves_pages_and_whitenoise_the_collected_static_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTEST_CURRENT_TEST", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "OVERSIGHT_TESTING": "0",
            "OVERSIGHT_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "w" * 10 + "eb-server-test-secret-key-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SESSION_COOKIE_SECURE": "0",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, page = get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert status == 200 and headers["Server"] == "gunicorn"
        assert "no-store" in headers["Cache-Control"] and "script-src 'self'" in headers["Content-Security-Policy"]
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)  # hashed name
        status, headers, css = get(f"http://127.0.0.1:{port}{stylesheet}")
        assert status == 200 and "immutable" in headers["Cache-Control"] and "font-family" in css
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
