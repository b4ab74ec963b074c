"""The office's tools read its reports through the API (R23): deployment records and the annual report of a year,
as numbers, for the office role only, with the year checked strictly; every figure agrees with the independent
count of tests/office/reports/test_year_figures.py."""

import pytest
from django.urls import reverse

from tests.office.reports.conftest import YEAR
from tests.office.reports.test_year_figures import expected_totals, used_in_year

pytestmark = pytest.mark.django_db


def test_the_annual_report_as_numbers(year, client_for):
    api = client_for(year.users.dpo)
    answer = api.get(reverse("api-office-annual-report"), {"year": YEAR})
    assert answer.status_code == 200
    data = answer.json()
    expected = expected_totals(year)
    for key in (
        "requests",
        "approvals",
        "refusals",
        "urgent_uses",
        "uses",
        "faces_processed",
        "alerts",
        "alerts_verified",
        "alerts_false",
        "hours_of_use",
    ):
        assert data["totals"][key] == expected[key], key
    assert [m["month"] for m in data["by_month"]] == list(range(1, 13))
    assert sum(m["figures"]["uses"] for m in data["by_month"]) == expected["uses"]
    assert data["false_rate_per_alert"] == pytest.approx(expected["alerts_false"] / expected["alerts"])


def test_the_deployment_records_as_numbers(year, client_for):
    api = client_for(year.users.dpo)
    data = api.get(reverse("api-office-deployment-records"), {"year": YEAR, "limit": 100}).json()
    used = used_in_year(year)
    assert data["count"] == len(used)
    assert sum(r["figures"]["faces_processed"] for r in data["results"]) == sum(e.faces for e in used)
    first = data["results"][0]
    assert first["reference"] == year.cases["january"].case.reference and first["start"].startswith(f"{YEAR}-01-")
    assert isinstance(first["threshold"], float) and isinstance(first["running"], bool)


@pytest.mark.parametrize("year_param", ["1999", "10000", "twenty", "2026.5"])
def test_a_year_outside_its_bounds_is_refused_in_words(year, client_for, year_param):
    answer = client_for(year.users.dpo).get(reverse("api-office-annual-report"), {"year": year_param})
    assert answer.status_code == 400 and "year" in answer.json()


def test_only_the_office_reads_them(year, client_for):
    for user in (year.users.requester, year.users.judge):
        api = client_for(user)
        assert api.get(reverse("api-office-annual-report")).status_code == 403
        assert api.get(reverse("api-office-deployment-records")).status_code == 403
