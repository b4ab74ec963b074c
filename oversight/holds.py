"""THE hold rule: one answer, for every deletion path, to "must this row stay for now?" (R12, R19, R21).

Every path that deletes personal data asks here before it deletes: the retention rules of every app (oversight,
watchlists, recognition: their `select` excludes what is held), the erasure of a data-subject request (refused, with
the reason, while something holds an item) and the urgency purge (R9). What holds data, and against which path, is
declared once, in HOLDS below; the rows that each hold keeps are computed by the apps that know them (the office for
data-subject requests, which reads every app's kinds; recognition for reviews and sightings), registered here in
their AppConfig.ready(), because the rules asking live in lower apps (STYLE, habit 11). The start-up check
oversight.E030 fails when a declared hold has no provider, so a hold can never fail open without a word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class DeletionPath(StrEnum):
    RETENTION = "retention"  # every app's retention rules, watchlist destruction included (R12, R19)
    ERASURE = "erasure"  # an erasure decided for a data-subject request (R21)
    URGENCY_PURGE = "urgency_purge"  # an urgent use ended without authorisation, or persons it excluded (R9)


@dataclass(frozen=True)
class Hold:
    """Something that keeps data from being deleted, the paths it applies to, and why, in words."""

    code: str
    reason: object  # lazy text, for the office's pages
    paths: frozenset[DeletionPath]


_BOTH = frozenset({DeletionPath.RETENTION, DeletionPath.ERASURE})
# The urgency purge (R9) is held by nothing: the law orders deleting everything an unauthorised use produced, and data
# processed without authorisation may not be kept for a request or a restriction either (LED Art. 16(2)).
HOLDS: tuple[Hold, ...] = (
    Hold("restriction", _("Processing is restricted (a data-subject request); lift the restriction first."), _BOTH),
    Hold("open_request", _("An open data-subject request concerns it; complete that request first."), _BOTH),
    Hold("review_in_progress", _("Its verification is in progress (one verdict given, the second awaited)."), _BOTH),
    Hold(
        "sighting_under_verification",
        _("A sighting of this person awaits verification; the verifiers need the reference photo (R12)."),
        _BOTH,
    ),
)
HOLDS_BY_CODE = {hold.code: hold for hold in HOLDS}

# A provider answers, for one kind of data ("app.Model"), the ids of that kind it holds now. `exclude_request`
# is the data-subject request being carried out: its own findings do not hold themselves.
HoldProvider = Callable[..., set[int]]  # provider(label=, exclude_request=None) -> ids held

_providers: dict[str, HoldProvider] = {}


def hold_register(code: str, provider: HoldProvider) -> None:
    """Register (or replace, so a repeated ready() is harmless) the provider of one declared hold."""
    if code not in HOLDS_BY_CODE:
        raise ValueError(f"{code!r} is not a declared hold (oversight.holds.HOLDS)")
    _providers[code] = provider


def registered() -> set[str]:
    return set(_providers)


def holds_of(*, label: str, path: DeletionPath, exclude_request: int | None = None) -> dict[int, list[str]]:
    """{id: [hold codes]} of the rows of this kind that must stay now against this deletion path. THE check."""
    out: dict[int, list[str]] = {}
    for hold in HOLDS:
        if path not in hold.paths:
            continue
        provider = _providers.get(hold.code)
        if provider is None:
            raise RuntimeError(f"No provider for the hold {hold.code!r} is registered (check oversight.E030).")
        for pk in provider(label=label, exclude_request=exclude_request):
            out.setdefault(pk, []).append(hold.code)
    return out


def held_ids(
    *, label: str, path: DeletionPath = DeletionPath.RETENTION, exclude_request: int | None = None
) -> set[int]:
    """The ids of this kind that must stay now against this path (retention by default)."""
    return set(holds_of(label=label, path=path, exclude_request=exclude_request))
