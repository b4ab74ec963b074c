"""The office's reports in Czech: the annual report (PDF with charts, CSV) from the command with --language cs,
the deployment records CSV, the dossier PDF and the annual report page; read back, with Czech words (diacritics
survive the PDF's font: č ř ž ů ...), Czech number and date formats and month names. English stays English."""

import csv
import io
import re
import warnings

import pypdf
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.office.reports.conftest import YEAR
from tests.office.reports.test_year_figures import expected_totals

pytestmark = pytest.mark.django_db(transaction=False)
NBSP = "\u00a0"


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return text.replace(NBSP, " ")


def czech(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    return client


def run_report(tmp_path, name: str, *language) -> bytes:
    out = tmp_path / name
    call_command(
        "report_annual",
        "--year",
        str(YEAR),
        "--out",
        str(out),
        "--justification",
        "Roční povinnost",
        "--recipient",
        "Úřad",
        *language,
    )
    return out.read_bytes()


def test_the_annual_report_pdf_in_czech(year, tmp_path):
    expected = expected_totals(year)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = pdf_text(run_report(tmp_path, "zprava.pdf", "--language", "cs"))
    # the font (DejaVu Sans) has every Czech letter, in the text and in the charts
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert "Průměrná doba použití (hodiny)" in text and "Dosud probíhající použití" in text
    assert f"Výroční zpráva {YEAR}: rozpoznávání obličejů v reálném čase" in text
    for label, key in [
        ("Žádosti", "requests"),
        ("Povolení", "approvals"),
        ("Zamítnutí", "refusals"),
        ("Naléhavá použití", "urgent_uses"),
        ("Zpracované obličeje", "faces_processed"),
        ("Ověřená upozornění", "alerts_verified"),
        ("Planá upozornění", "alerts_false"),
        ("Výsledek: zadržen", "outcome_arrested"),
    ]:
        assert f"{label}: {expected[key]}" in text, label
    # a decimal comma and a space before the percent sign
    assert f"Míra planých upozornění na upozornění: {2 / 7 * 100:.2f} %".replace(".", ",") in text
    # month names and the date of production in Czech formats, the page footer in Czech
    assert f"Měsíc: leden {YEAR}" in text
    assert re.search(r"Vyhotoveno \d{1,2}\. \d{1,2}\. \d{4} \d{2}:\d{2} pro Úřad pro ochranu osobních údajů", text)
    assert f"Výroční zpráva {YEAR} – strana 1" in text
    assert "Záznamy o nasazení" in text and "Doba trvání (hodiny)" in text and "Počet hledaných osob" in text
    for english in ("Annual report", "The year in figures", "Faces processed", "January"):
        assert english not in text, english


def test_the_default_language_of_the_command_is_language_code(year, tmp_path, settings):
    settings.LANGUAGE_CODE = "cs"
    assert "Rok v číslech" in pdf_text(run_report(tmp_path, "default.pdf"))
    assert "The year in figures" in pdf_text(run_report(tmp_path, "english.pdf", "--language", "en"))


def test_the_annual_report_csv_in_czech(year, tmp_path):
    expected = expected_totals(year)
    content = run_report(tmp_path, "zprava.csv", "--language", "cs")
    assert content.startswith("\ufeff".encode())  # a Czech spreadsheet opens it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Oddíl", "Období nebo skupina", "Ukazatel (kód)", "Hodnota", "Ukazatel"]
    totals = {r[2]: r for r in rows if r[0] == "total"}
    assert totals["faces_processed"][3:] == [str(expected["faces_processed"]), "Zpracované obličeje"]
    assert totals["false_rate_per_alert"][3] == f"{2 / 7 * 100:.2f}{NBSP}%".replace(".", ",")
    assert totals["alerts_false"][4] == "Planá upozornění"


def test_the_deployment_records_csv_and_the_annual_page_in_czech(year, client_for):
    office = czech(client_for(year.users.dpo))
    response = office.post(
        reverse("office:annual_report"),
        {"report": "records", "year": YEAR, "format": "csv", "justification": "Zveřejnění", "recipients": "Veřejnost"},
    )
    # As a Czech spreadsheet reads it: byte-order mark, semicolons, decimal comma, d.m.yyyy (csv's semicolon dialect)
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    january = year.cases["january"].case
    first = rows[0]
    assert first["Případ"] == january.reference and first["Zpracované obličeje"] == "1500"
    assert first["Naléhavé zahájení"] == "ne" and first["Planá upozornění"] == "1"
    assert re.fullmatch(rf"\d{{1,2}}\.1\.{YEAR}", first["Datum"])
    assert re.fullmatch(rf"\d{{1,2}}\.1\.{YEAR} \d{{2}}:\d{{2}}:\d{{2}}", first["Začátek"])
    assert first["Doba trvání (hodiny)"] == "10,0"
    assert first["Práh"] == "0,5"

    page = office.get(reverse("office:annual_report"), {"year": YEAR}).content.decode()
    assert "Rok v číslech" in page and f"leden {YEAR}" in page and "Stáhnout výroční zprávu" in page
    records = office.get(reverse("office:deployment_records"), {"year": YEAR}).content.decode()
    assert f"Záznamy o nasazení {YEAR}" in records and "Míra planých upozornění na zpracovaný obličej" in records

    english = client_for(year.users.dpo).get(reverse("office:annual_report"), {"year": YEAR}).content.decode()
    assert "The year in figures" in english and f"January {YEAR}" in english and "Rok v číslech" not in english


def test_the_dossier_pdf_and_page_in_czech(year, client_for):
    january = year.cases["january"].case
    office = czech(client_for(year.users.dpo))
    text = pdf_text(office.get(reverse("office:case_dossier_pdf", args=[january.pk])).content)
    assert f"Spis případu {january.reference}" in text
    assert re.search(r"Zpracované obličeje: 1\s500", text)  # thousands grouped as Czech groups them
    assert "Planá upozornění: 1" in text and "Ověřená upozornění: 2" in text
    assert "Žádost a její odůvodnění" in text and "Rozhodnutí a hlasování" in text
    assert "Nahlédnutí a zpřístupnění" in text and "Číslo případu" in text
    # decisions and events dated j. n. Y H:i:s
    assert re.search(rf"\d{{1,2}}\. \d{{1,2}}\. {YEAR} \d{{2}}:\d{{2}}:\d{{2}}", text)
    # every date of the tables (events, periods, sightings, consultations) in the Czech format, none in ISO
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert "Období provozu" in text and "Zachycení podle osoby a kamery" in text and "Shrnutí" in text
    page = office.get(reverse("office:case_dossier", args=[january.pk])).content.decode()
    assert f"Spis případu {january.reference}" in page and "Toto nahlédnutí se zaznamenává." in page
