"""The OpenAPI schema is served and generates without warnings (names collide silently otherwise)."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_generates_without_warnings_and_validates(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"), stdout=io.StringIO()
    )
    schema = (tmp_path / "schema.yml").read_text()
    for path in (
        "/api/cases/",
        "/api/alerts/",
        "/api/audits/events/",
        "/api/cases/{case_pk}/persons/{person_pk}/photos/",
    ):
        assert f"  {path}:" in schema


@pytest.mark.django_db
def test_schema_is_served_to_signed_in_users_only(client_for, requester):
    assert client_for(requester).get("/api/schema/").status_code == 200
    assert client_for(None).get("/api/schema/").status_code == 403
    assert client_for(None).get("/api/docs/").status_code == 403
