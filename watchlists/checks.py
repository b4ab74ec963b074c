"""Start-up checks of the watchlists' configuration (Django system checks, ids watchlists.E0xx/W0xx)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from audits.checks import key_file_messages


@checks.register()
def watchlist_settings_check(app_configs=None, **kwargs) -> list:
    messages = key_file_messages(
        settings.DATA_KEY_FILE,
        setting="DATA_KEY_FILE",
        app="watchlists",
        create_hint="",
        created_on_first_use=True,  # every worker and web process must share the same file
    )
    if settings.WATCHLIST_RETENTION_HOURS_AFTER_END < 0:
        messages.append(checks.Error("WATCHLIST_RETENTION_HOURS_AFTER_END must not be negative.", id="watchlists.E010"))
    return messages


@checks.register()
def registrations_check(app_configs=None, **kwargs) -> list:
    """The reference encoder and the re-encrypters a key rotation needs are registered (by recognition): without
    them no photo could be encoded, and a rotation would leave alert crops under the old key."""
    from watchlists.registry import missing_registrations

    return [
        checks.Error(
            f"Nothing is registered as {what} in watchlists.registry.",
            hint="The recognition app must be installed and register it in its AppConfig.ready().",
            id="watchlists.E030",
        )
        for what in missing_registrations()
    ]
