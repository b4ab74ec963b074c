"""Start-up checks of the platform's configuration (Django system checks, ids oversight.E0xx).

Single values are range-checked when the settings are read (config/env.py); these checks look at what only
makes sense together, and at what a production deployment must not run with.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register()
def threshold_check(app_configs=None, **kwargs) -> list:
    # R13: the default a requester starts from may not be laxer than the administrator's limit.
    if settings.MATCH_THRESHOLD_DEFAULT > settings.MATCH_THRESHOLD_MAX:
        return [
            checks.Error(
                f"MATCH_THRESHOLD_DEFAULT={settings.MATCH_THRESHOLD_DEFAULT} is laxer than "
                f"MATCH_THRESHOLD_MAX={settings.MATCH_THRESHOLD_MAX} (a distance: lower is stricter).",
                id="oversight.E001",
            )
        ]
    return []


@checks.register()
def case_limits_check(app_configs=None, **kwargs) -> list:
    messages = []
    if not 1 <= settings.CASE_URGENCY_HOURS <= 24:
        # R9: an urgent use stops at 24 hours at the latest.
        messages.append(checks.Error("CASE_URGENCY_HOURS must be between 1 and 24.", id="oversight.E002"))
    if not 0.5 <= settings.COMMISSION_MAJORITY < 1:
        messages.append(
            checks.Error(
                "COMMISSION_MAJORITY must be at least 0.5 and below 1 (the share in favour that must be exceeded).",
                id="oversight.E003",
            )
        )
    return messages


@checks.register(checks.Tags.security)
def production_services_check(app_configs=None, **kwargs) -> list:
    """In production the database and the broker are servers, never the embedded local-run defaults."""
    if settings.DEBUG or settings.TESTING or settings.ALLOW_EMBEDDED_DEFAULTS:
        return []
    messages = []
    if "DATABASE_URL" in settings.EMBEDDED_DEFAULTS:
        messages.append(
            checks.Error(
                "DATABASE_URL is not set: production would run on the embedded SQLite file.",
                hint="Set DATABASE_URL=postgres://..., or ALLOW_EMBEDDED_DEFAULTS=1 for a deliberate local run.",
                id="oversight.E010",
            )
        )
    if "CELERY_BROKER_URL" in settings.EMBEDDED_DEFAULTS:
        messages.append(
            checks.Error(
                "CELERY_BROKER_URL is not set: production would queue work in local files.",
                hint="Set CELERY_BROKER_URL=redis://..., or ALLOW_EMBEDDED_DEFAULTS=1 for a deliberate local run.",
                id="oversight.E011",
            )
        )
    return messages


@checks.register()
def registrations_check(app_configs=None, **kwargs) -> list:
    """Every registration oversight.registry expects from a higher app is there: a missing one would fail open
    without a word (a case submitted without ready faces, a case page without alert counts, no R9 purge)."""
    from oversight import registry

    present = registry.registered()
    return [
        checks.Error(
            f"Nothing is registered as the {kind} {name!r} in oversight.registry.",
            hint=f"The {app} app must be installed and register it in its AppConfig.ready().",
            id="oversight.E030",
        )
        for kind, name, app in registry.EXPECTED
        if (kind, name) not in present
    ]
