"""Start-up checks of the retention schedule (R19). The ids keep the oversight.E02x they had before the office had
an app of its own: operators' runbooks name them."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from office.services.retention import SCHEDULE


@checks.register()
def retention_schedule_check(app_configs=None, **kwargs) -> list:
    """R19: every period of the retention schedule lies within its rule's legal bounds (one message per rule)."""
    messages = []
    for rule in SCHEDULE:
        value = getattr(settings, rule.setting, None)
        if not isinstance(value, int) or not rule.minimum <= value <= rule.maximum:
            messages.append(
                checks.Error(
                    f"{rule.setting}={value!r} is outside the legal bounds {rule.minimum}-{rule.maximum} {rule.unit} "
                    f"of retention rule {rule.code} ({rule.data}).",
                    id="oversight.E020",
                )
            )
    if settings.RETENTION_UNDER_REVIEW_MAX_DAYS < settings.RETENTION_UNREVIEWED_ALERT_DAYS:
        messages.append(
            checks.Error(
                "RETENTION_UNDER_REVIEW_MAX_DAYS must not be shorter than RETENTION_UNREVIEWED_ALERT_DAYS: an alert "
                "under review is held at least as long as one nobody looked at.",
                id="oversight.E021",
            )
        )
    if not 7 <= settings.RETENTION_UNDER_REVIEW_MAX_DAYS <= 365:
        messages.append(checks.Error("RETENTION_UNDER_REVIEW_MAX_DAYS must be between 7 and 365.", id="oversight.E022"))
    return messages
