"""What higher layers plug into the oversight layer (STYLE, habit 11: arrows point one way).

oversight knows nothing of reference photos or recognition; an app above it registers here, in its
AppConfig.ready(), and oversight calls what is registered without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oversight.models import Case

# A readiness check returns the problems that keep a case from being submitted or started, by field name.
ReadinessCheck = Callable[["Case"], dict[str, list[str]]]

_readiness_checks: dict[str, ReadinessCheck] = {}


def case_readiness_check_register(name: str, check: ReadinessCheck) -> None:
    """Register (or replace, so a repeated ready() is harmless) a check run before submission and urgent start."""
    _readiness_checks[name] = check


def case_readiness_checks() -> tuple[ReadinessCheck, ...]:
    return tuple(_readiness_checks.values())


# ---------------------------------------------------------------- reports for the data protection office (R23)
#
# The office's reports live in oversight, but what recognition measured (scans, faces processed, alerts and
# their outcomes; later sightings) lives above it. Recognition registers here what it contributes.


@dataclass(frozen=True)
class DossierSection:
    """One section of a case dossier: a title, a table, and an optional note. Sections are shown by `order`."""

    key: str
    title: str
    order: int
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    note: str = ""


# Builds a section for one case (never None: an empty section says "none").
DossierSectionBuilder = Callable[["Case"], DossierSection]
# Figures per case for the given cases: {case_id: {figure: number}}; providers' figures are added together.
CaseUsageProvider = Callable[[list["Case"]], dict[int, dict[str, int]]]

_dossier_sections: dict[str, DossierSectionBuilder] = {}
_usage_providers: dict[str, CaseUsageProvider] = {}


def dossier_section_register(name: str, builder: DossierSectionBuilder) -> None:
    """Register (or replace) a dossier section builder; e.g. recognition's scans and alerts."""
    _dossier_sections[name] = builder


def dossier_section_builders() -> tuple[DossierSectionBuilder, ...]:
    return tuple(_dossier_sections.values())


def case_usage_register(name: str, provider: CaseUsageProvider) -> None:
    """Register (or replace) a provider of per-case figures (faces processed, alerts, verified, false, outcomes)."""
    _usage_providers[name] = provider


def case_usage_providers() -> tuple[CaseUsageProvider, ...]:
    return tuple(_usage_providers.values())
