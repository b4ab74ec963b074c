"""Where the oversight layer must call a higher one (STYLE, habit 11: arrows point one way).

Only what a lower layer truly must ask of a higher one stays here; what reads every app (reports, retention,
data-subject requests) lives on top, in `office`, and imports them directly. An app above registers here, in its
AppConfig.ready(), and oversight calls what is registered without importing it. Every registration is expected:
EXPECTED lists them and the start-up check oversight.E030 (oversight.checks) fails when one is missing, so an
empty registry never fails open without a word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oversight.models import Case

# ---------------------------------------------------------------- readiness before submission or urgent start
# A readiness check returns the problems that keep a case from being submitted or started, by field name.
ReadinessCheck = Callable[["Case"], dict[str, list[str]]]

_readiness_checks: dict[str, ReadinessCheck] = {}


def case_readiness_check_register(name: str, check: ReadinessCheck) -> None:
    """Register (or replace, so a repeated ready() is harmless) a check run before submission and urgent start."""
    _readiness_checks[name] = check


def case_readiness_checks() -> tuple[ReadinessCheck, ...]:
    return tuple(_readiness_checks.values())


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


# ---------------------------------------------------------------- alert counts on the case page
#
# The case page shows how many alerts the case produced; alerts live in recognition. (The office's reports read
# recognition's figures directly: office.reports.figures.)

# Figures per case for the given cases: {case_id: {figure: number}}; providers' figures are added together.
CaseUsageProvider = Callable[[list["Case"]], dict[int, dict[str, int]]]

_usage_providers: dict[str, CaseUsageProvider] = {}


def case_usage_register(name: str, provider: CaseUsageProvider) -> None:
    """Register (or replace) a provider of per-case figures (alerts, verified, false, pending...)."""
    _usage_providers[name] = provider


def case_usage(cases: list[Case]) -> dict[int, dict[str, int]]:
    """Every provider's figures for the cases, added together ({case_id: {figure: number}})."""
    totals: dict[int, dict[str, int]] = {case.pk: {} for case in cases}
    for provider in _usage_providers.values():
        for case_id, figures in provider(cases).items():
            for key, value in figures.items():
                totals.setdefault(case_id, {})[key] = totals.get(case_id, {}).get(key, 0) + value
    return totals


# ---------------------------------------------------------------- the urgency purge (R9)
#
# A transition that ends an urgent use without authorisation (refusal, withdrawal, lapse) must delete what the use
# produced in every app, right after it commits. The office owns the deletion code of every app; it registers the
# function that queues its purge.
# A grant that excludes persons from an urgent case's scope purges their urgent-phase data the same way (person_ids).
_purge_queue: list[Callable[..., None]] = []


def case_data_purge_queue_register(queue: Callable[..., None]) -> None:
    _purge_queue[:] = [queue]


def case_data_purge_queue(case: Case, person_ids: list[int] | None = None) -> None:
    """Queue the R9 purge of the case (or of these persons only) after commit (the office's retention run also
    sweeps up any missed one)."""
    if not _purge_queue:
        raise RuntimeError("No R9 purge is registered: the office app must be installed (check oversight.E030).")
    _purge_queue[0](case, person_ids=person_ids)


# ---------------------------------------------------------------- what must be registered (check oversight.E030)

# (registry, name, the app expected to register it): the start-up check compares these with what is registered.
EXPECTED = (
    ("readiness check", "watchlists.reference_faces", "watchlists"),
    ("case photo states", "watchlists", "watchlists"),
    ("case usage figures", "recognition.scans_and_alerts", "recognition"),
    ("R9 purge", "office", "office"),
    # THE hold rule (oversight.holds): each declared hold has the app that knows its rows as provider.
    ("hold", "restriction", "office"),
    ("hold", "open_request", "office"),
    ("hold", "review_in_progress", "recognition"),
    ("hold", "sighting_under_verification", "recognition"),
)


def registered() -> set[tuple[str, str]]:
    """(registry, name) of every registration made so far (the photo states and the purge have one each)."""
    out = {("readiness check", name) for name in _readiness_checks}
    out |= {("case usage figures", name) for name in _usage_providers}
    if _photo_states:
        out.add(("case photo states", "watchlists"))
    if _purge_queue:
        out.add(("R9 purge", "office"))
    from oversight.holds import registered as holds_registered

    out |= {("hold", code) for code in holds_registered()}
    return out
