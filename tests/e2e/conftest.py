"""Headless Chromium for the browser story: Debian's `chromium` driven by Playwright (no browser download).

`bash scripts/test.sh` installs the browser (scripts/browser.sh). Without /usr/bin/chromium the story is skipped on
a developer's machine and fails in CI (the CI variable set), where a missing browser must not pass unnoticed.
"""

import os
from pathlib import Path

import pytest
from django.test.utils import override_settings
from pytest_django import live_server_helper

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def live_server(request, django_db_setup, django_db_blocker):
    """pytest-django's live server, started while MEDIA_URL is a string.

    The project sets MEDIA_URL = None (media is only ever read through permission-checked views), but Django's live
    server wraps its handler in one that parses MEDIA_URL when it starts and fails on every request with None. A URL
    on another host makes that handler serve nothing, as the project wants. It starts after the test database
    exists and stops before it is dropped (no session of the server is left to block the drop).
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="https://media.invalid/"):
        server = live_server_helper.LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def browser(monkeypatch, transactional_db):
    """A browser per test, started after the test database exists and closed before it is emptied."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (bash scripts/browser.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; the test's own ORM calls (setting up, checking the
    # database, emptying it afterwards) are plain synchronous code all the same, so Django's guard against async
    # contexts does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where each step's full-page screenshot goes: $E2E_SCREENSHOTS, or the test's own temporary directory."""
    directory = Path(os.environ["E2E_SCREENSHOTS"]) if os.environ.get("E2E_SCREENSHOTS") else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
