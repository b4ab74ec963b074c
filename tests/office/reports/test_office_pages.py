"""The office's report pages: only the office sees them; downloads are disclosures with a justification and
recipients; bad input is refused in plain words and records nothing."""

import csv
import io

import pypdf
import pytest
from django.urls import reverse

from audits.events import EventType
from audits.models import AuditEvent
from tests.audits.helpers import disclosure_of
from tests.office.reports.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_only_the_office_reaches_the_reports(year, client_for):
    users = year.users
    for user in (users.requester, users.judge, users.verifiers[0], users.platform_admin, users.outsider):
        client = client_for(user)
        assert client.get(reverse("office:annual_report")).status_code == 403
        assert client.get(reverse("office:deployment_records")).status_code == 403
        response = client.post(
            reverse("office:annual_report"),
            {"year": YEAR, "format": "csv", "justification": "x", "recipients": "y"},
        )
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.REPORT_EXPORTED).exists()
    assert client_for(None).get(reverse("office:annual_report")).status_code == 302


def test_the_office_reads_the_year_and_downloads_it_as_a_recorded_disclosure(year, client_for):
    office = client_for(year.users.dpo)
    page = office.get(reverse("office:annual_report"), {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<th>Faces processed</th><td>4925</td>" in html and "<th>Refusals</th><td>2</td>" in html
    records = office.get(reverse("office:deployment_records"), {"year": YEAR}).content.decode()
    assert all(e.case.reference in records for key, e in year.cases.items() if e.start and key != "previous_year")
    assert year.cases["previous_year"].case.reference not in records

    refused = office.post(reverse("office:annual_report"), {"year": YEAR, "format": "pdf", "recipients": "Office"})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    assert not AuditEvent.objects.filter(event_type=EventType.REPORT_EXPORTED).exists()

    pdf = office.post(
        reverse("office:annual_report"),
        {"year": YEAR, "format": "pdf", "justification": "Annual duty", "recipients": "Parliament committee"},
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Faces processed: 4925" in "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    records_csv = office.post(
        reverse("office:annual_report"),
        {"report": "records", "year": YEAR, "format": "csv", "justification": "Publication", "recipients": "Public"},
    )
    rows = list(csv.DictReader(io.StringIO(records_csv.content.decode())))
    assert [r["Case"] for r in rows][0] == year.cases["january"].case.reference
    assert rows[0]["Faces processed"] == "1500" and rows[0]["False alerts"] == "1"
    exported = AuditEvent.objects.filter(event_type=EventType.REPORT_EXPORTED).order_by("seq")
    assert [(e.data_dict["report"], e.data_dict["format"], disclosure_of(e).recipients) for e in exported] == [
        ("annual_report", "pdf", "Parliament committee"),
        ("deployment_records", "csv", "Public"),
    ]
