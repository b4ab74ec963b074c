"""Every page and API answer is `Cache-Control: no-store`; every page carries a Content-Security-Policy
without 'unsafe-inline', and no template needs one."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from oversight import services
from oversight.models import Objective
from tests.accounts.helpers import every_route
from tests.oversight.conftest import OBJECTIVES
from tests.oversight.factories import deployment_with_opinion, draft_case

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE = [
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "a <script> without src"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on...= event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    files = sorted(TEMPLATES.rglob("*.html"))
    assert len(files) > 15
    problems = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in files
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert problems == []


def test_the_policy_allows_no_inline_code():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[directive] and "'unsafe-eval'" not in directives[directive]


def pages_for(world):
    case = world["case"]
    return [
        "/",
        "/cases/",
        f"/cases/{case.pk}/",
        "/alerts/",
        "/audits/",
        "/cameras/",
        "/objectives/",
        reverse("accounts:security"),
    ]


@pytest.fixture
def world(requester, judge, dpo, platform_admin):
    for code, label in OBJECTIVES:
        Objective.objects.get_or_create(code=code, defaults={"label": label})
    camera = services.camera_create(actor=platform_admin, name="Cam", location_label="Hall", source="rtsp://10.0.0.1/s")
    deployment_with_opinion(platform_admin, dpo, [camera])
    case = draft_case(requester, [camera], judge=judge, camera_count=1)
    return {"case": case, "dpo": dpo, "requester": requester, "admin": platform_admin}


def test_every_page_with_personal_data_is_no_store_and_has_the_policy(client_for, world):
    seen = 0
    for user in (world["dpo"], world["requester"], world["admin"]):
        client = client_for(user)
        for path in pages_for(world):
            response = client.get(path)
            if response.status_code != 200:
                continue  # this role may not see this page (tested elsewhere)
            seen += 1
            assert "no-store" in response["Cache-Control"], (user.username, path)
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "style-src 'self'" in policy, path
            assert "unsafe-inline" not in policy, path
    assert seen >= 12


def test_every_route_answers_no_store_whoever_asks(client_for, world):
    dpo = client_for(world["dpo"])
    anonymous = client_for(None)
    for path, view in every_route():
        for client in (dpo, anonymous):
            response = client.get(path)
            if getattr(view, "public_register", False) and response.status_code == 200:
                # The one exception (R23): the public register, the same for everyone, holds no personal data.
                assert response["Cache-Control"] == "public, max-age=60", path
                continue
            assert "no-store" in response.get("Cache-Control", ""), (path, response.status_code)
    for path in ("/api/cases/", "/api/alerts/", "/api/audits/events/", f"/api/cases/{world['case'].pk}/"):
        response = dpo.get(path)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], path


def test_the_api_explorer_loads_nothing_from_elsewhere_and_no_inline_code(client_for, world):
    response = client_for(world["dpo"]).get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "http" not in policy and "unsafe-inline" not in policy  # no CDN: a police network would not reach it
    body = response.content.decode()
    sources = set(re.findall(r'(?:src|href)="([^"]+)"', body)) - {"/api/docs/?script="}  # its start-up script
    assert sources and all(source.startswith("/static/") for source in sources), sources
    for source in sources:  # served by the project itself
        assert finders.find(source.removeprefix("/static/")) is not None, source
    script = client_for(world["dpo"]).get("/api/docs/", {"script": ""}).content.decode()
    assert "cdn" not in script.lower()
    for pattern, what in INLINE:
        assert not pattern.search(body), what
