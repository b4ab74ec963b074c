"""Every figure of the annual report, of a deployment record and of a dossier, against counts the test kept
while it built the year through the services."""

import csv
import hashlib
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from audits.events import EventType
from audits.models import AuditEvent
from office.reports.annual import annual_report
from office.reports.dossier import case_dossier
from office.reports.records import RECORD_COLUMNS, deployment_records
from tests.audits.helpers import disclosure_of
from tests.office.reports.conftest import YEAR, used_in_year

pytestmark = pytest.mark.django_db(transaction=False)


def expected_totals(year) -> dict:
    cases = year.cases
    used = used_in_year(year)
    return {
        # Filed for a decision in YEAR: everything but the previous year's case.
        "requests": 7,
        "approvals": 4,  # january, march, urgent_approved, commission
        "refusals": 2,  # refused, urgent_refused
        "urgent_uses": 2,
        "uses": len(used),
        "faces_processed": sum(e.faces for e in used),
        "frames_read": sum(e.frames for e in used),
        # One operating period per case and camera analysed, however many segments it took.
        "operating_periods": sum(len({s[0] for s in e.scans}) for e in used),
        "matches": sum(s[3] for e in used for s in e.scans),
        "alerts": sum(e.alert_count for e in used),
        "alerts_verified": sum(e.alerts["verified"] for e in used),
        "alerts_false": sum(e.alerts["false"] for e in used),
        "alerts_pending": sum(e.alerts["pending"] for e in used),
        "outcome_arrested": sum(e.outcomes["arrested"] for e in used),
        "outcome_engaged": sum(e.outcomes["engaged"] for e in used),
        "outcome_no_action": sum(e.outcomes["no_action"] for e in used),
        "outcome_other": sum(e.outcomes["other"] for e in used),
        "outcome_not_recorded": sum(e.outcomes["not_recorded"] for e in used),
        "hours_of_use": round(sum((e.end - e.start).total_seconds() / 3600 for e in used), 2),
        "_cases": cases,
    }


def test_the_annual_report_counts_what_happened(year):
    expected = expected_totals(year)
    used = used_in_year(year)
    assert len(used) == 5 and expected["faces_processed"] == 1000 + 500 + 2000 + 300 + 750 + 375
    report = annual_report(year=YEAR)
    for key, value in expected.items():
        if not key.startswith("_"):
            assert report.totals[key] == value, key
    assert report.rates["false_rate_per_face"] == f"{2 / expected['faces_processed'] * 100:.4f}%"
    assert report.rates["false_rate_per_alert"] == f"{2 / 7 * 100:.2f}%"
    assert report.durations["uses"] == 5 and report.durations["running"] == 0
    hours = sorted((e.end - e.start).total_seconds() / 3600 for e in used)
    assert report.durations["longest_hours"] == round(hours[-1], 2)
    assert report.durations["mean_hours"] == round(sum(hours) / 5, 2)
    assert report.cameras == sorted({c.name for e in used for c in e.cameras})
    assert report.locations == sorted({c.location_label for e in used for c in e.cameras})

    # By month: January's use, March's request, refusal and use, June, July, September, November.
    months = report.by_month
    assert months[1]["uses"] == 1 and months[1]["faces_processed"] == year.cases["january"].faces
    assert (months[3]["requests"], months[3]["approvals"], months[3]["refusals"]) == (2, 1, 1)
    assert months[6]["urgent_uses"] == 1 and months[6]["approvals"] == 1 and months[6]["outcome_other"] == 1
    assert months[7]["alerts_false"] == 1 and months[7]["refusals"] == 1
    assert months[11]["requests"] == 1 and months[11]["uses"] == 0
    assert sum(m["requests"] for m in months.values()) == expected["requests"]
    assert sum(m["alerts"] for m in months.values()) == expected["alerts"]

    # By objective.
    for code in ("victims", "threat", "suspect"):
        mine = [e for e in used if e.objective == code]
        row = report.by_objective[code]
        assert row["uses"] == len(mine), code
        assert row["faces_processed"] == sum(e.faces for e in mine), code
        assert row["alerts"] == sum(e.alert_count for e in mine), code
        assert row["alerts_false"] == sum(e.alerts["false"] for e in mine), code
    assert report.by_objective["threat"]["refusals"] == 2 and report.by_objective["threat"]["requests"] == 3


def test_a_deployment_record_has_every_column_right(year):
    january = year.cases["january"]
    records = deployment_records(year=YEAR)
    assert [r.case.reference for r in records] == [e.case.reference for e in used_in_year(year)]
    values = records[0].values
    assert set(values) == {key for key, _ in RECORD_COLUMNS}
    assert values["reference"] == january.case.reference
    assert values["deployments"] == "City centre"
    assert values["cameras"] == "Square north; Square south" and values["locations"] == "Old town square"
    assert values["duration_hours"] == 10.0 and values["urgent"] == "no"
    assert values["watchlist_size"] == 2 and values["threshold"] == january.case.approved_threshold
    assert values["faces_processed"] == january.faces == 1500
    assert (values["alerts"], values["alerts_verified"], values["alerts_false"], values["alerts_pending"]) == (
        3,
        2,
        1,
        0,
    )
    assert values["false_rate_per_face"] == f"{1 / 1500 * 100:.4f}%"
    assert values["false_rate_per_alert"] == f"{1 / 3 * 100:.2f}%"
    assert (values["outcome_arrested"], values["outcome_engaged"], values["outcome_no_action"]) == (1, 1, 0)
    urgent = next(r for r in records if r.case.pk == year.cases["urgent_refused"].case.pk).values
    assert urgent["urgent"] == "yes" and urgent["alerts_false"] == 1 and urgent["false_rate_per_alert"] == "100.00%"


def test_a_dossier_lists_the_case_in_order_with_its_figures(year, client_for):
    january = year.cases["january"]
    dpo = client_for(year.users.dpo)
    assert dpo.get(reverse("oversight:case_detail", args=[january.case.pk])).status_code == 200  # a consultation
    dossier = case_dossier(case=january.case)
    keys = [s.key for s in dossier.sections]
    assert keys == [
        "summary",
        "request",
        "decisions",
        "scope",
        "periods",
        "sightings",
        "sighting_details",
        "deletions",
        "consultations",
    ]
    sections = {s.key: s for s in dossier.sections}
    # One operating period per camera (by name), with the frames analysed, faces and matches of its segments.
    assert [row[0] for row in sections["periods"].rows] == [s[0] for s in january.scans]
    assert [(row[3], row[4], row[5]) for row in sections["periods"].rows] == [
        (f"{s[1] // 3:,}", f"{s[2]:,}", f"{s[3]:,}") for s in january.scans
    ]
    statuses = [row[5] for row in sections["sighting_details"].rows]
    assert statuses.count("Verified by two people") == 2 and statuses.count("Rejected by a verifier") == 1
    assert [row[7] for row in sections["sighting_details"].rows] == ["Arrested", "Person engaged by officers", ""]
    first = sections["sighting_details"].rows[0][6]
    assert "verifier_1 confirmed" in first and "verifier_2 confirmed" in first
    # Grouped per person and camera: one group of three sightings, two verified and one false.
    assert [row[2:7] for row in sections["sightings"].rows] == [("3", sections["sightings"].rows[0][3], "2", "1", "0")]
    summary = dict(sections["summary"].rows)
    assert summary["Sightings"].startswith("3: 2 verified by two people, 1 false, 0 awaiting verification")
    assert summary["Camera Square north"].endswith("1,000 faces, 3 matches, 3 sightings; no interruption")
    assert [row[3] for row in sections["decisions"].rows if row[0] == "Decision"] == ["granted"]
    assert any(row[1] == "dpo_reviewer" and "Case consulted" in row[4] for row in sections["consultations"].rows)
    assert dossier.figures["Faces processed"] == 1500 and dossier.figures["Alerts"] == 3
    assert dossier.figures["False alerts"] == 1 and dossier.figures["Verified alerts"] == 2
    names = {row[1] for row in sections["sighting_details"].rows}
    assert "Jana Novakova" not in str(dossier.sections) and names  # persons by number only

    refused = case_dossier(case=year.cases["urgent_refused"].case)
    deletions = next(s for s in refused.sections if s.key == "deletions")
    assert [row[3] for row in deletions.rows] == ["Deletion of the case's data is due"]


def test_the_dossier_page_and_pdf_are_the_office_s_and_recorded(year, client_for):
    january = year.cases["january"]
    page = client_for(year.users.dpo).get(reverse("office:case_dossier", args=[january.case.pk]))
    assert page.status_code == 200 and "Faces processed" in page.content.decode()
    pdf = client_for(year.users.dpo).get(reverse("office:case_dossier_pdf", args=[january.case.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Case dossier {january.case.reference}" in text
    assert "Faces processed: 1,500" in text and "False alerts: 1" in text and "Verified alerts: 2" in text
    assert "Operating periods (cameras analysed): 2" in text and "Square north" in text and "Square south" in text
    assert not re.search(r"\(R\d+\)", text + page.content.decode())  # requirement codes are for developers
    events = AuditEvent.objects.filter(event_type=EventType.DOSSIER_VIEWED, case_ref=january.case.reference)
    assert sorted(e.data_dict["format"] for e in events) == ["page", "pdf"]
    for user in (year.users.requester, year.users.judge, year.users.outsider, year.users.platform_admin):
        assert client_for(user).get(reverse("office:case_dossier", args=[january.case.pk])).status_code == 404
        assert client_for(user).get(reverse("office:case_dossier_pdf", args=[january.case.pk])).status_code == 404


def test_the_annual_report_as_pdf_with_charts_and_as_csv_from_the_command(year, tmp_path):
    expected = expected_totals(year)
    out = tmp_path / "annual.pdf"
    call_command(
        "report_annual",
        "--year",
        str(YEAR),
        "--out",
        str(out),
        "--justification",
        "Yearly duty",
        "--recipient",
        "Office",
    )
    reader = pypdf.PdfReader(out)
    text = "\n".join(p.extract_text() for p in reader.pages)
    for label, key in [
        ("Requests", "requests"),
        ("Approvals", "approvals"),
        ("Refusals", "refusals"),
        ("Urgent uses", "urgent_uses"),
        ("Faces processed", "faces_processed"),
        ("Alerts", "alerts"),
        ("Verified alerts", "alerts_verified"),
        ("False alerts", "alerts_false"),
        ("Outcome: arrested", "outcome_arrested"),
    ]:
        assert f"{label}: {expected[key]}" in text, label
    assert f"False alert rate per alert: {2 / 7 * 100:.2f}%" in text
    # The four charts, as images (matplotlib shares its image resources between pages: count distinct ones).
    charts = {hashlib.sha256(image.data).hexdigest(): image for page in reader.pages for image in page.images}
    assert len(charts) == 4
    assert all(image.image.width >= 600 for image in charts.values())

    csv_out = tmp_path / "annual.csv"
    call_command(
        "report_annual",
        "--year",
        str(YEAR),
        "--out",
        str(csv_out),
        "--justification",
        "Yearly duty",
        "--recipient",
        "Office",
    )
    rows = list(csv.reader(csv_out.open()))
    assert rows[0] == ["Section", "Period or group", "Figure (code)", "Value", "Figure"]
    totals = {r[2]: r[3] for r in rows if r[0] == "total"}
    for key in ("requests", "approvals", "refusals", "urgent_uses", "faces_processed", "alerts", "alerts_false"):
        assert totals[key] == str(expected[key]), key
    january = {r[2]: r[3] for r in rows if r[0] == "month" and r[1] == f"{YEAR}-01"}
    assert january["faces_processed"] == "1500"
    exports = AuditEvent.objects.filter(event_type=EventType.REPORT_EXPORTED).order_by("seq")
    assert [e.data_dict["format"] for e in exports] == ["pdf", "csv"]
    disclosures = [disclosure_of(e) for e in exports]
    assert all(d.justification == "Yearly duty" and d.recipients == "Office" for d in disclosures)


def test_a_further_kind_of_result_slots_in_next_to_alerts_through_the_section_list(year, monkeypatch):
    """A further kind of result (post-event searches) adds its own section builder; the dossier needs no other
    change."""
    from office.reports import dossier
    from office.reports.figures import DossierSection

    def searches(case):
        return DossierSection("searches", "Searches", 55, ("Search",), (("one",),))

    monkeypatch.setattr(dossier, "SECTION_BUILDERS", (*dossier.SECTION_BUILDERS, searches))
    keys = [s.key for s in case_dossier(case=year.cases["january"].case).sections]
    assert keys.index("sighting_details") + 1 == keys.index("searches") == keys.index("deletions") - 1
