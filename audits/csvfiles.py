"""THE way the platform writes CSV, for every file it produces (audit trail, deployment records, annual report).

A Czech spreadsheet opens a CSV as Czech only when it starts with a UTF-8 byte-order mark, its fields are separated
by semicolons (the comma is the decimal mark) and numbers and dates are written as it writes them: decimal comma,
d.m.yyyy. So a file in Czech gets all of that; English stays as it always was (commas, ISO dates, no mark). The
language is the one active when the file is made (the page's, or a command's --language). This module sits in the
lowest layer so that every app may use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone, translation

BOM = "\ufeff"


class CzechExcel(csv.excel):
    delimiter = ";"


def _is_czech(language: str | None) -> bool:
    return (language or translation.get_language() or "").split("-")[0] == "cs"


def csv_value(value, *, czech: bool):
    """One cell: in Czech, numbers with a decimal comma and dates as d.m.yyyy (times in the display zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if not czech:
            return value.isoformat()
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.day}.{local.month}.{local.year} {local:%H:%M:%S}"
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}" if czech else value.isoformat()
    if czech and isinstance(value, (float, Decimal)) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return value


def csv_lines(rows: Iterable[Iterable], *, language: str | None = None) -> Iterator[str]:
    """The file line by line (for streaming responses): the mark first in Czech."""
    czech = _is_czech(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=CzechExcel if czech else csv.excel, lineterminator="\n")
    if czech:
        yield BOM
    for row in rows:
        writer.writerow([csv_value(v, czech=czech) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_bytes(rows: Iterable[Iterable], *, language: str | None = None) -> bytes:
    """The whole file as UTF-8 bytes."""
    return "".join(csv_lines(rows, language=language)).encode("utf-8")


def csv_content_type(language: str | None = None) -> str:
    return "text/csv; charset=utf-8" + ("; header=present" if _is_czech(language) else "")
