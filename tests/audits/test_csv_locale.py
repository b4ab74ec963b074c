"""Every CSV the platform writes goes through one helper (audits.csvfiles): in Czech with a byte-order mark,
semicolons, decimal commas and d.m.yyyy dates, read back here with the csv module's semicolon dialect; English as
before (commas, ISO dates, no mark)."""

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from audits.csvfiles import csv_bytes
from audits.models import AuditEvent
from tests.audits.helpers import fill_log

ROWS = [
    ["name", "share", "when", "day", "count"],
    ["Žluťoučký kůň; a, b", 0.25, datetime(2026, 3, 2, 13, 5, 7, tzinfo=UTC), date(2026, 12, 31), 1500],
]


def test_czech_csv_reads_back_with_the_semicolon_dialect():
    with translation.override("cs"):
        content = csv_bytes(ROWS)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    # the display zone is Europe/Prague: 13:05 UTC is 14:05 there in March
    assert rows[1] == ["Žluťoučký kůň; a, b", "0,25", "2.3.2026 14:05:07", "31.12.2026", "1500"]


def test_english_csv_is_as_before():
    with translation.override("en"):
        content = csv_bytes(ROWS + [["x", Decimal("1.5"), None, None, 0]])
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[1] == ["Žluťoučký kůň; a, b", "0.25", "2026-03-02T13:05:07+00:00", "2026-12-31", "1500"]
    assert rows[2] == ["x", "1.5", "", "", "0"]


@pytest.mark.django_db
def test_the_audit_csv_in_czech(client_for, dpo):
    fill_log(12)
    client = client_for(dpo)
    client.cookies["django_language"] = "cs"
    response = client.post(
        reverse("audits:export"),
        {"justification": "Roční kontrola", "recipients": "Rada", "format": "csv", "case_ref": "FR-2026-0001"},
        HTTP_ACCEPT_LANGUAGE="cs",
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["seq", "occurred_at", "event_type"]
    assert len(rows) == 1 + AuditEvent.objects.filter(case_ref="FR-2026-0001").count()
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{2}:\d{2}:\d{2}", rows[1][1])
