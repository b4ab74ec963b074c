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


# ---------------------------------------------------------------- retention (R9, R12, R19, R21)
#
# THE retention schedule is the list of rules registered here: each app declares the rules for the data it owns
# (oversight: persons and case text; watchlists: reference photos; recognition: alerts, reviews, scans) in its
# AppConfig.ready(). The retention run, the system checks, the dry run and the README table all read this list.

# What a deletion returns: {"app.Model": {case_id or None: [ids deleted]}}, identifiers only, never content.
Deleted = dict[str, dict[int | None, list[int]]]


@dataclass(frozen=True)
class RetentionRule:
    """One line of the retention schedule.

    select(now=, limit=, lock=) returns the primary keys due now, holds already excluded (alerts under review,
    items of an open data-subject request or under restriction); with lock=True the rows are locked FOR UPDATE
    SKIP LOCKED, so several workers running at once take disjoint rows. apply(pks=) deletes or reduces exactly
    those rows in the caller's transaction and says what went.
    """

    code: str
    data: str  # the kind of personal data, in words
    clock: str  # what starts the clock
    setting: str  # the settings name holding the period
    unit: str  # "days" or "hours"
    minimum: int  # legal bounds of the period, checked at start-up (oversight.E020)
    maximum: int
    action: str  # "delete" or "reduce"
    select: Callable[..., list[int]]
    apply: Callable[..., Deleted]


@dataclass(frozen=True)
class DeletableKind:
    """How to delete one kind of personal data: THE deletion code, shared by retention, the R9 purge and erasure.

    of_cases / of_persons give the primary keys of this kind that belong to cases / persons (None: not linked).
    """

    label: str  # "app.Model"
    delete: Callable[..., Deleted]  # delete(pks=) in the caller's transaction
    of_cases: Callable[[list[int]], list[int]] | None = None
    of_persons: Callable[[list[int]], list[int]] | None = None
    # persons_holding(person_ids) -> the persons that still have rows of this kind; such rows keep their person
    # (alerts leave by their own rules first; the person rule never cuts them short).
    persons_holding: Callable[[list[int]], set[int]] | None = None
    # case_of(pks) -> {pk: case_id}: which case each row belongs to (findings of data-subject requests).
    case_of: Callable[[list[int]], dict[int, int]] | None = None


_retention_rules: dict[str, RetentionRule] = {}
_deletable_kinds: dict[str, DeletableKind] = {}


def retention_rule_register(rule: RetentionRule) -> None:
    _retention_rules[rule.code] = rule


def retention_rules() -> tuple[RetentionRule, ...]:
    return tuple(_retention_rules.values())


def deletable_kind_register(kind: DeletableKind) -> None:
    _deletable_kinds[kind.label] = kind


def deletable_kinds() -> dict[str, DeletableKind]:
    return dict(_deletable_kinds)


# ---------------------------------------------------------------- data-subject requests: the face search (R21)
# probe(request, image_bytes) keeps the supplied photo and queues the worker's face search after commit. watchlists
# registers it (it owns templates and encryption; recognition's engine reaches it through the reference encoder).
_subject_face_search: list[Callable[..., None]] = []


def subject_face_search_register(probe: Callable[..., None]) -> None:
    _subject_face_search[:] = [probe]


def subject_face_search() -> Callable[..., None] | None:
    return _subject_face_search[0] if _subject_face_search else None


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


# ---------------------------------------------------------------- reference photos on the case page
#
# The case page (oversight) shows each person's reference photos and whether their face is ready; the photos live
# in watchlists, above oversight. Watchlists registers here what the page shows.


@dataclass(frozen=True)
class PhotoState:
    """One reference photo as the case page shows it: never the image, only its state."""

    photo_id: int
    status: str  # "pending", "ready" or "failed"
    status_label: str
    failure_reason: str = ""


# For the given case: {person_id: [PhotoState, ...]} in upload order.
CasePhotoStatesProvider = Callable[["Case"], dict[int, list[PhotoState]]]

_photo_states: list[CasePhotoStatesProvider] = []


def case_photo_states_register(provider: CasePhotoStatesProvider) -> None:
    """Register (or replace) the provider of reference photo states (watchlists)."""
    _photo_states[:] = [provider]


def case_photo_states(case: Case) -> dict[int, list[PhotoState]]:
    return _photo_states[0](case) if _photo_states else {}


def case_usage(cases: list[Case]) -> dict[int, dict[str, int]]:
    """Every provider's figures for the cases, added together ({case_id: {figure: number}})."""
    totals: dict[int, dict[str, int]] = {case.pk: {} for case in cases}
    for provider in case_usage_providers():
        for case_id, figures in provider(cases).items():
            for key, value in figures.items():
                totals.setdefault(case_id, {})[key] = totals.get(case_id, {}).get(key, 0) + value
    return totals
