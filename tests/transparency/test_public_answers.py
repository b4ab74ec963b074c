"""The register is public: no sign-in, no cookie, no session; both languages; cached; rate-limited (R23)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.transparency.helpers import every_public_url, published


@pytest.mark.django_db
def test_an_anonymous_client_reads_every_page_and_file_without_a_cookie(register_world):
    client = Client()
    for url in every_public_url():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url
        assert response["Cache-Control"] == "public, max-age=60", url
    assert not client.cookies
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_a_signed_in_reader_gets_the_same_page_as_everyone(register_world, client_for):
    anonymous = Client().get("/transparency/en/").content
    judge = client_for(register_world.users.judge)
    assert judge.get("/transparency/en/").content == anonymous


@pytest.mark.django_db
def test_the_language_comes_from_the_address_or_the_browser(register_world):
    client = Client()
    czech = client.get("/transparency/cs/")
    assert czech["Content-Language"] == "cs"
    assert '<html lang="cs">' in czech.content.decode()
    assert "Veřejný registr" in czech.content.decode()
    english = client.get("/transparency/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"
    assert "Public register" in english.content.decode()
    assert "Accept-Language" in english["Vary"]
    assert client.get("/transparency/", HTTP_ACCEPT_LANGUAGE="cs")["Content-Language"] == "cs"
    assert "Set-Cookie" not in czech.headers


@pytest.mark.django_db
def test_pages_name_the_links_to_the_other_language(register_world):
    body = Client().get("/transparency/en/rules/").content.decode()
    assert 'href="/transparency/cs/rules/"' in body


@pytest.mark.django_db
def test_the_register_is_rebuilt_only_when_something_it_shows_changes(register_world, clock):
    first = published()["produced_at"]
    assert published()["produced_at"] == first  # nothing happened: the same file, the same signature
    running = register_world.cases["running"]
    clock.move_to(running.end + timedelta(seconds=1))  # its scheduled end passes: no event, yet it is published
    after = published()
    assert after["produced_at"] != first
    assert len(after["uses"]) == len(published()["uses"])


@pytest.mark.django_db
def test_requests_beyond_the_limit_per_address_are_refused_for_the_minute(register_world, settings):
    settings.TRANSPARENCY_REQUESTS_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [client.get("/transparency/en/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/transparency/deployments.csv")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert Client(REMOTE_ADDR="203.0.113.8").get("/transparency/en/").status_code == 200
