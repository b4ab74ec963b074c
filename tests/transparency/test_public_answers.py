"""The register is public: no sign-in, no cookie, no session; both languages; cached; rate-limited (R23)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from oversight.models import Case
from tests.transparency.helpers import every_public_url, published
from transparency.selectors import use_identifier


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
    running = use_identifier(Case.objects.get(pk=register_world.cases["running"].case.pk))
    first = published()
    clock.shift(timedelta(minutes=30))
    assert published()["produced_at"] == first["produced_at"]  # nothing happened: the same file, the same signature
    clock.move_to(register_world.cases["running"].end + timedelta(seconds=1))  # its end passes, before any event
    after = published()
    assert after["produced_at"] != first["produced_at"]
    assert running not in {use["use_id"] for use in first["uses"]}
    assert running in {use["use_id"] for use in after["uses"]}


@pytest.mark.django_db
def test_a_page_the_reader_already_has_is_answered_not_modified(register_world):
    client = Client()
    page = client.get("/transparency/en/")
    again = client.get("/transparency/en/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304
    assert not again.content


@pytest.mark.django_db
def test_requests_beyond_the_limit_per_address_are_refused_for_the_minute(register_world, settings):
    settings.TRANSPARENCY_REQUESTS_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [client.get("/transparency/en/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/transparency/deployments.csv")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert Client(REMOTE_ADDR="203.0.113.8").get("/transparency/en/").status_code == 200
