"""No server error on any input: property-based tests (hypothesis) of every parser of dates, numbers, ids,
pagination and filters, directly and through the pages and the API that use them.

Each parser either answers a value within its stated bounds or refuses in words (ValueError, a form error, a 400
or a JSON 404); nothing else may escape.
"""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from audits.forms import DATE_FORMATS, EARLIEST_YEAR, LATEST_YEAR, EventFilterForm, parse_when
from audits.selectors import cursor_decode
from config.pagination import BoundedLimitOffsetPagination

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)
THROUGH_PAGES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

any_day = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
typed_dates = st.one_of(
    st.text(max_size=60),
    st.builds(lambda d, f: d.strftime(f), any_day, st.sampled_from(DATE_FORMATS)),
    st.builds(lambda d, h: f"{d.isoformat()} {h:02d}:00", any_day, st.integers(0, 23)),
    st.builds(lambda d: f"{d.isoformat()}T23:59:59-12:00", any_day),
    st.sampled_from(["9999-12-31", "0001-01-01", "31.12.9999", "1.1.0001", "9999-12-31T23:59:59-01:00", "Z"]),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
    st.sampled_from(["", "null", "1e3", " 5", "٣", "²", "+1", "0x10", str(2**63), str(2**64)]),
)


@PROPERTY
@given(text=typed_dates, end_of_day=st.booleans())
@example(text="9999-12-31", end_of_day=True)
@example(text="0001-01-01", end_of_day=False)
def test_a_typed_date_is_a_moment_within_the_years_or_refused_in_words(text, end_of_day):
    try:
        moment = parse_when(text, end_of_day=end_of_day)
    except ValueError as refusal:
        assert str(refusal)
        return
    assert moment.tzinfo is not None and EARLIEST_YEAR <= moment.year <= LATEST_YEAR + 1
    moment.astimezone(UTC)  # what the database adapter does: must not overflow


@PROPERTY
@given(value=st.one_of(st.text(max_size=90), st.builds(lambda t, n: f"{t}_{n}", typed_dates, numbers)))
def test_a_page_cursor_is_one_this_code_could_make_or_none(value):
    cursor = cursor_decode(value)
    if cursor is not None:
        moment, seq = cursor
        assert moment.tzinfo is not None and 1900 <= moment.year <= 2999 and 0 <= seq < 2**63


@PROPERTY
@given(limit=st.one_of(st.none(), numbers), offset=st.one_of(st.none(), numbers))
def test_limit_and_offset_are_within_their_bounds_or_refused(limit, offset):
    params = {k: v for k, v in {"limit": limit, "offset": offset}.items() if v is not None}
    request = Request(APIRequestFactory().get("/api/cases/", params))
    paginator = BoundedLimitOffsetPagination()
    try:
        got_limit, got_offset = paginator.get_limit(request), paginator.get_offset(request)
    except ApiValidationError as refusal:
        assert set(refusal.detail) <= {"limit", "offset"}
        return
    assert 1 <= got_limit <= paginator.max_limit and 0 <= got_offset <= paginator.max_offset


@PROPERTY
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "event_type": st.text(max_size=40),
            "case_ref": st.text(max_size=80),
            "actor": st.text(max_size=200),
            "since": typed_dates,
            "until": typed_dates,
        },
    )
)
def test_the_audit_filter_form_validates_or_names_the_field(data):
    form = EventFilterForm({k: v.replace("\x00", "") for k, v in data.items()})
    if form.is_valid():
        filters = form.filters()
        for key in ("since", "until"):
            if filters.get(key):
                assert EARLIEST_YEAR <= filters[key].year <= LATEST_YEAR + 1
    else:
        assert set(form.errors) <= set(EventFilterForm.FILTERS) | {"__all__"}


# ---------------------------------------------------------------- through the pages and the API


@pytest.fixture
def office_client(dpo):
    client = Client()
    client.force_login(dpo)
    return client


@pytest.fixture
def requester_client(requester):
    client = Client()
    client.force_login(requester)
    return client


@pytest.mark.django_db
@THROUGH_PAGES
@given(since=typed_dates, until=typed_dates, older=st.one_of(st.text(max_size=40), typed_dates), newer=numbers)
@example(since="0001-01-01", until="9999-12-31", older="", newer="")
def test_the_audit_browser_answers_every_filter_without_a_server_error(office_client, since, until, older, newer):
    strip = lambda v: v.replace("\x00", "")  # noqa: E731 - a NUL byte cannot even reach a form field
    params = {"since": strip(since), "until": strip(until), "older": strip(older), "newer": strip(newer)}
    response = office_client.get("/audits/", params)
    assert response.status_code == 200


@pytest.mark.django_db
@THROUGH_PAGES
@given(since=typed_dates, until=typed_dates)
@example(since="0001-01-01", until="9999-12-31")
def test_the_audit_export_refuses_any_date_in_words(office_client, since, until):
    response = office_client.post(
        "/audits/export/",
        {
            "since": since.replace("\x00", ""),
            "until": until.replace("\x00", ""),
            "justification": "Property test",
            "recipients": "Nobody",
            "format": "csv",
        },
    )
    assert response.status_code in (200, 400)


@pytest.mark.django_db
@THROUGH_PAGES
@given(limit=numbers, offset=numbers)
@example(limit=str(2**64), offset=str(2**63))
def test_api_lists_answer_any_limit_and_offset_with_data_or_a_400(requester_client, limit, offset):
    for path in ("/api/cases/", "/api/alerts/"):
        response = requester_client.get(path, {"limit": limit, "offset": offset})
        assert response.status_code in (200, 400), (path, limit, offset)
        assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@THROUGH_PAGES
@given(segment=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30))
@example(segment="abc")
@example(segment=str(2**70))
def test_api_paths_with_any_id_answer_json_not_html(requester_client, segment):
    from urllib.parse import quote

    for template in ("/api/cases/{}/", "/api/alerts/{}/", "/api/cases/{}/persons/add/", "/api/no-such-thing/{}/"):
        response = requester_client.get(template.format(quote(segment, safe="")))
        assert response.status_code in (200, 404, 405), (template, segment)
        assert response["Content-Type"] == "application/json", (template, segment, response.status_code)


@pytest.mark.django_db
def test_free_text_is_bounded_in_the_api(requester_client, judge):
    from oversight.models import Case

    huge = "x" * 5_000_000
    start = datetime(2030, 1, 1, 9, tzinfo=UTC)
    body = {
        "objective": "x",
        "legal_basis": huge,
        "requested_start": start.isoformat(),
        "requested_end": start.isoformat(),
    }
    response = requester_client.post("/api/cases/create/", body, content_type="application/json")
    assert response.status_code == 400
    assert "legal_basis" in response.json() and "10000" in str(response.json()["legal_basis"]).replace(",", "").replace(
        "\xa0", ""
    )
    assert not Case.objects.exists()
    schema = requester_client.get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/cases/create/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert component["properties"]["legal_basis"]["maxLength"] == 10_000


@pytest.mark.django_db
def test_uploads_are_files_in_the_schema(requester_client):
    schema = requester_client.get("/api/schema/", {"format": "json"}).json()

    def request_component(path, media):
        body = schema["paths"][path]["post"]["requestBody"]["content"][media]["schema"]
        return schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]["properties"]

    photo = request_component("/api/cases/{case_pk}/persons/{person_pk}/photos/", "multipart/form-data")["photo"]
    assessment = request_component("/api/cases/{id}/update/", "multipart/form-data")["impact_assessment"]
    assert photo["format"] == "binary" and assessment["format"] == "binary"
