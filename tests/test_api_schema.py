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


@pytest.fixture
def schema(db):
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _ref_name(content):
    return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "component"),
    [("/api/cases/", "PaginatedCaseSummaryOutputList"), ("/api/alerts/", "PaginatedAlertOutputList")],
)
def test_paginated_lists_are_documented_as_paginated_objects(schema, path, component):
    response = schema["paths"][path]["get"]["responses"]["200"]
    assert _ref_name(response["content"]) == component
    page = schema["components"]["schemas"][component]
    assert page["type"] == "object"
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    assert {p["name"] for p in schema["paths"][path]["get"]["parameters"]} >= {"limit", "offset"}


@pytest.mark.django_db
def test_camera_source_is_documented_as_present_for_administrators_only(schema):
    item = schema["paths"]["/api/cameras/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    shape = schema["components"]["schemas"][item["items"]["$ref"].rsplit("/", 1)[-1]]
    assert "source" in shape["properties"]
    assert "source" not in shape.get("required", [])


@pytest.mark.django_db
def test_every_operation_documents_its_error_answers(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert _ref_name(responses["403"]["content"]) == "ErrorDetailOutput", (method, path)
        if "{" in path:
            assert _ref_name(responses["404"]["content"]) == "ErrorDetailOutput", (method, path)
        if method == "POST":
            assert _ref_name(responses["400"]["content"]) == "ValidationErrorOutput", (method, path)
    assert "404" in schema["paths"]["/api/audits/events/"]["get"]["responses"]  # an unknown cursor
    assert schema["components"]["schemas"]["ErrorDetailOutput"]["required"] == ["detail"]


@pytest.mark.django_db
def test_documented_400_describes_field_errors_and_unreadable_bodies(schema, client_for, requester):
    import jsonschema

    shape = schema["components"]["schemas"]["ValidationErrorOutput"]
    field_errors = client_for(requester).post("/api/cases/create/", {}, content_type="application/json")
    unreadable = client_for(requester).post("/api/cases/create/", "{", content_type="application/json")
    for response in (field_errors, unreadable):
        assert response.status_code == 400
        jsonschema.validate(response.json(), shape)
    assert "objective" in field_errors.json()
    assert set(unreadable.json()) == {"detail"}
