"""Every error under /api/ answers JSON, with DEBUG on as with DEBUG off (R17: the API's clients read JSON only).

With DEBUG on Django answers its technical HTML pages for a 404 without a route, a view's Http404, a refused host and
an uncaught error; config.middleware.ApiErrorsAsJsonMiddleware replaces them on API paths. Pages keep their HTML.
"""

import pytest
from django.test import Client

from oversight import apis as oversight_apis

MODES = pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])


@pytest.fixture
def api_client(requester):
    from tests.conftest import force_login_with_second_factor

    client = Client(raise_request_exception=False)
    force_login_with_second_factor(client, requester)
    return client


@pytest.mark.django_db
@MODES
@pytest.mark.parametrize("path", ["/api/no-such-thing/", "/api/cases/abc/", "/api/cases/999999999/"])
def test_api_404_answers_json_in_both_modes(settings, api_client, debug, path):
    settings.DEBUG = debug
    response = api_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] in ("Not found.", "No such case.")


@pytest.mark.django_db
@MODES
def test_api_500_answers_json_in_both_modes(settings, api_client, monkeypatch, debug):
    settings.DEBUG = debug

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(oversight_apis.CaseListApi, "get", broken)
    response = api_client.get("/api/cases/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "a bug" not in response.content.decode()  # no traceback or message of the failure leaks, even in DEBUG


@pytest.mark.django_db
@MODES
def test_api_400_for_a_refused_host_answers_json_in_both_modes(settings, api_client, debug):
    settings.DEBUG = debug
    response = api_client.get("/api/cases/", HTTP_HOST="attacker.invalid")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Bad Request (400)"}


@pytest.mark.django_db
@MODES
def test_pages_keep_their_html_errors(settings, api_client, debug):
    settings.DEBUG = debug
    response = api_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
