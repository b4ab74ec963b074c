"""Per-case usage figures gathered from the registered providers, and how rates are defined (R23).

Definitions (the same on every page, PDF and CSV):
- faces processed: faces detected and compared in the case's cameras while the case was active (non-matching
  faces are discarded at once; only their count is kept);
- alerts: matches stored for the case; verified: confirmed by two people; false: rejected by a verifier;
  pending: not yet verified or rejected;
- false alert rate per face processed: false alerts / faces processed (as a percentage);
- false alert rate per alert: false alerts / alerts (as a percentage);
- outcomes: what verifiers recorded after a verified alert (no action, engaged, arrested, other, not recorded).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, localize, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from oversight.models import Case
from recognition import reports as recognition_reports

# Who measures what, per case: {case_id: {figure: number}}; the providers' figures are added together. A further
# kind of result (sightings) adds its provider here.
USAGE_PROVIDERS = (recognition_reports.usage_for_cases,)


@dataclass(frozen=True)
class DossierSection:
    """One section of a case dossier: a title, a table, and an optional note. Sections are shown by `order`."""

    key: str
    title: str
    order: int
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    note: str = ""


def local_timestamp(value) -> str:
    """A moment in the display zone, in the active language's format with seconds ("" when there is none)."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def local_number(value):
    """A number in the active language's format (decimal comma in Czech); any other value as it is."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return localize(value)
    return value


def grouped(value):
    """A number as people read it in prose and PDF tables: thousands grouped ("1,240,650", "1 240 650" in Czech).
    CSV cells keep local_number, which a spreadsheet reads back."""
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return local_number(value)


OUTCOME_FIGURES = (
    ("outcome_no_action", gettext_lazy("Outcome: no action")),
    ("outcome_engaged", gettext_lazy("Outcome: engaged")),
    ("outcome_arrested", gettext_lazy("Outcome: arrested")),
    ("outcome_other", gettext_lazy("Outcome: other")),
    ("outcome_not_recorded", gettext_lazy("Outcome not recorded")),
)
USAGE_FIGURES = (
    ("operating_periods", gettext_lazy("Operating periods (cameras analysed)")),
    ("frames_read", gettext_lazy("Frames read")),
    ("faces_processed", gettext_lazy("Faces processed")),
    ("matches", gettext_lazy("Matches")),
    ("alerts", gettext_lazy("Alerts")),
    ("alerts_verified", gettext_lazy("Verified alerts")),
    ("alerts_false", gettext_lazy("False alerts")),
    ("alerts_pending", gettext_lazy("Alerts awaiting verification")),
    *OUTCOME_FIGURES,
)
USAGE_KEYS = tuple(key for key, _ in USAGE_FIGURES)


def empty_usage() -> dict[str, int]:
    return dict.fromkeys(USAGE_KEYS, 0)


def usage_for_cases(cases: Iterable[Case]) -> dict[int, dict[str, int]]:
    """{case_id: figures}, every USAGE_KEYS present; what recognition measured (scans, faces, alerts, outcomes)."""
    cases = list(cases)
    usage = {case.pk: empty_usage() for case in cases}
    if not cases:
        return usage
    for provider in USAGE_PROVIDERS:
        for case_id, figures in provider(cases).items():
            row = usage.setdefault(case_id, empty_usage())
            for key, value in figures.items():
                row[key] = row.get(key, 0) + int(value)
    return usage


def add_usage(total: dict[str, int], figures: dict[str, int]) -> dict[str, int]:
    for key, value in figures.items():
        total[key] = total.get(key, 0) + value
    return total


def rate(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


def percent(value: float | None, digits: int) -> str:
    """A rate as a percentage in the active language's number format ("0.0667%", "0,0667 %")."""
    if value is None:
        return _("n/a")
    return pgettext("percentage", "%(value)s%%") % {"value": number_format(round(value * 100, digits), digits)}


def false_rates(figures: dict[str, int]) -> dict[str, str]:
    """The two rates, formatted: per face processed (4 decimals, the figures are tiny) and per alert (2)."""
    return {
        "false_rate_per_face": percent(rate(figures["alerts_false"], figures["faces_processed"]), 4),
        "false_rate_per_alert": percent(rate(figures["alerts_false"], figures["alerts"]), 2),
    }


_REQUIREMENT_CODE = re.compile(r"\s*\(R\d+\)")


def plain(label: str) -> str:
    """A label as people read it: requirement codes (kept for developers in some labels) removed."""
    return _REQUIREMENT_CODE.sub("", str(label))
