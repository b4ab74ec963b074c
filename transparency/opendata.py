"""The register as open data (R23): deployments.csv and deployments.json, the same figures as the pages, each with the
time it was produced and a detached Ed25519 signature by the platform's audit key, checkable with the office's
verifier (audits/verify_export.py --file). Files are in English with stable codes; the schema is FILE_SCHEMA, shown
on the register's data page, so the page and the files cannot disagree.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits import signing, verify_export
from transparency.selectors import BAND_BELOW, BANDED, COUNT_FIELDS, RATE_FIELDS, PublishedUse, Register

FORMAT = "oversight-transparency-register/1"
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# (column, meaning): one row per published use in the CSV, one object per use in the JSON's "uses".
FILE_SCHEMA = (
    ("register_produced_at", _("When the file was produced (ISO 8601 with the offset from UTC).")),
    ("use_id", _("A stable identifier of the use; it does not reveal the case.")),
    ("start", _("When the use began (ISO 8601, local time with its offset).")),
    ("end", _("When the use ended.")),
    ("duration_hours", _("Its length in hours.")),
    ("deployments", _("The deployments whose cameras it used, by name (separated by '; ' in the CSV).")),
    ("locations", _("The locations, by name only (separated by '; ' in the CSV).")),
    ("objective", _("The legal objective's code: victims, threat or suspect.")),
    ("objective_label", _("The legal objective in words.")),
    ("authority", _("Who decided: judge or commission.")),
    ("urgent_start", _("true when the use started urgently, before an authorisation.")),
    *((key, label) for key, _source, label in COUNT_FIELDS),
    *((key, label) for key, _num, _den, label in RATE_FIELDS),
)
COLUMNS = tuple(key for key, _meaning in FILE_SCHEMA)


@dataclass(frozen=True)
class SignedFile:
    name: str
    content: bytes
    content_type: str
    signature: bytes  # the detached signature, JSON


def _iso(value) -> str:
    return value.isoformat(timespec="seconds")


def _use_row(use: PublishedUse, produced_at: str) -> dict:
    return {
        "register_produced_at": produced_at,
        "use_id": use.identifier,
        "start": _iso(use.start),
        "end": _iso(use.end),
        "duration_hours": use.duration_hours,
        "deployments": list(use.deployments),
        "locations": list(use.locations),
        "objective": use.objective,
        "objective_label": gettext(use.objective_label),
        "authority": use.authority,
        "urgent_start": use.urgent_start,
        **use.counts,
        **{key: (round(value, 8) if value is not None else None) for key, value in use.rates.items()},
    }


def register_json(register: Register) -> bytes:
    produced_at = _iso(register.produced_at)
    with translation.override("en"):
        document = {
            "format": FORMAT,
            "produced_at": produced_at,
            "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
            "time_zone": settings.TIME_ZONE,
            "banding": {
                "rule": f"Counts from 1 to {BAND_BELOW - 1} are published as the string {BANDED!r}. Where exactly one "
                f"count of a total and its parts is {BANDED!r} or null, the smallest other non-zero part is null (not "
                "shown). Totals: sightings = confirmed + rejected + awaiting_verification; confirmed = the sum of "
                "the outcome_* counts; a month's totals = the sum of its uses', a year's = the sum of its months'. "
                f"A rate is null when its denominator is under {BAND_BELOW} or either count "
                "is not shown exactly.",
                "below": BAND_BELOW,
                "banded_value": BANDED,
            },
            "schema": {key: str(meaning) for key, meaning in FILE_SCHEMA},
            "deployments": [
                {
                    "name": d.name,
                    "locations": list(d.locations),
                    "opinion": d.opinion or None,
                    "opinion_given_on": d.opinion_given_on.isoformat() if d.opinion_given_on else None,
                }
                for d in register.deployments
            ],
            "uses": [_use_row(use, produced_at) for use in register.uses],
            "totals": [
                {"period": p.key, "uses": p.uses, "hours": p.hours, **p.counts, **p.rates}
                for p in (*register.years, *register.months)
            ],
        }
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()


def _cell(value):
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def register_csv(register: Register) -> bytes:
    produced_at = _iso(register.produced_at)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    with translation.override("en"):
        for use in register.uses:
            row = _use_row(use, produced_at)
            writer.writerow(_cell(row[key]) for key in COLUMNS)
    return out.getvalue().encode()


def sign(name: str, content: bytes, produced_at: str) -> bytes:
    """The detached signature of a register file: its digest and time produced, signed with the audit key."""
    key = signing.load_signing_key()
    digest = hashlib.sha256(content).hexdigest()
    signed = {
        "format": verify_export.REGISTER_SIGNATURE_FORMAT,
        "file": name,
        "sha256": digest,
        "produced_at": produced_at,
        "key_fingerprint": signing.fingerprint(key.public_key()),
        "signature": key.sign(verify_export.register_file_message(name, digest, produced_at)).hex(),
    }
    return (json.dumps(signed, indent=1) + "\n").encode()


def register_files(register: Register) -> dict[str, SignedFile]:
    produced_at = _iso(register.produced_at)
    files = {}
    for name, content, content_type in (
        ("deployments.csv", register_csv(register), "text/csv; charset=utf-8"),
        ("deployments.json", register_json(register), "application/json"),
    ):
        files[name] = SignedFile(name, content, content_type, sign(name, content, produced_at))
    return files
