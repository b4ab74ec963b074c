"""What higher layers plug into the oversight layer (STYLE, habit 11: arrows point one way).

oversight knows nothing of reference photos or recognition; an app above it registers here, in its
AppConfig.ready(), and oversight calls what is registered without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
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
