"""The data protection office's inbox (R22): notifications as the office reads them, and marking them read.

They are created inside each case transition (oversight.services.notifications.case_notify_office).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Case, NotificationKind, OfficeNotification

# The words of a notification, rendered when it is read (never stored translated): the kind, the deciding
# authority and how the case ended come from codes in the snapshot. Older snapshots hold only the English
# display text of the authority and status; it is mapped back to its code.
KIND_TITLES = {
    NotificationKind.URGENT_STARTED: gettext_lazy("Urgent use started"),
    NotificationKind.APPROVED: gettext_lazy("Use authorised"),
    NotificationKind.ENDED: gettext_lazy("Use ended"),
}
AUTHORITIES = {
    Case.Authority.JUDGE: pgettext_lazy("notification", "a judge"),
    Case.Authority.COMMISSION: pgettext_lazy("notification", "the commission"),
}
AUTHORISED_BY = {
    Case.Authority.JUDGE: pgettext_lazy("authorised by", "a judge"),
    Case.Authority.COMMISSION: pgettext_lazy("authorised by", "the commission"),
}
_AUTHORITY_CODES = {"A judge": Case.Authority.JUDGE, "The commission": Case.Authority.COMMISSION}
HOW_IT_ENDED = {
    Case.Status.EXPIRED: pgettext_lazy("how a use ended", "the time window expired"),
    Case.Status.REVOKED: pgettext_lazy("how a use ended", "revoked"),
    Case.Status.CLOSED: pgettext_lazy("how a use ended", "closed"),
    Case.Status.DENIED: pgettext_lazy("how a use ended", "authorisation refused"),
}


def _title(notification: OfficeNotification, content: dict) -> str:
    use_from = _when(content.get("use_from"))
    if notification.kind == NotificationKind.APPROVED and use_from is not None and use_from > notification.created_at:
        return str(pgettext_lazy("notification", "Use authorised, planned"))
    if notification.kind == NotificationKind.ENDED and _never_began(content):
        return str(pgettext_lazy("notification", "Planned use cancelled"))
    return KIND_TITLES.get(notification.kind, notification.kind)


def _when(value: str | None) -> datetime | None:
    parsed = parse_datetime(value) if value else None
    return timezone.localtime(parsed) if parsed is not None and timezone.is_aware(parsed) else parsed


def _short(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _use_words(content: dict, granted_at: datetime, *, urgent: bool) -> str:
    """When the authorised use begins (R23): planned (its window not begun when granted), backdated (granted after
    the window's start: the use begins at the grant), or at once. "" for snapshots made before this was recorded."""
    use_from, window_start = _when(content.get("use_from")), _when(content.get("window_start"))
    if use_from is None or urgent:
        return ""
    if use_from > granted_at:
        return _("A planned use: it begins %(start)s.") % {"start": _short(use_from)}
    if window_start is not None and window_start < granted_at:
        return _("Window asked from %(window)s, granted at %(granted)s: use from %(granted)s.") % {
            "window": _short(window_start),
            "granted": _short(granted_at),
        }
    return ""


def _never_began(content: dict) -> bool:
    use_from, ended = _when(content.get("use_from")), _when(content.get("ended_at"))
    return use_from is not None and ended is not None and ended <= use_from


def notification_text(notification: OfficeNotification) -> dict:
    """The notification as the office reads it, in the active language, from its kind and snapshot."""
    content = notification.content or {}
    reference = content.get("reference") or notification.case_reference
    authority_code = content.get("authority_code") or _AUTHORITY_CODES.get(content.get("authority", ""))
    authority = AUTHORITIES.get(authority_code, content.get("authority", ""))
    status = content.get("status", "")
    how_it_ended = ""
    if notification.kind == NotificationKind.ENDED:
        how_it_ended = HOW_IT_ENDED.get(status) or content.get("how_it_ended", "")
    params = {"reference": reference, "unit": content.get("requesting_unit", ""), "authority": authority}
    if notification.kind == NotificationKind.URGENT_STARTED:
        summary = (
            _("Case %(reference)s of %(unit)s started live facial recognition urgently, before authorisation.") % params
        )
    elif notification.kind == NotificationKind.APPROVED:
        summary = _("Case %(reference)s of %(unit)s was authorised by %(authority)s.") % {
            **params,
            "authority": AUTHORISED_BY.get(authority_code, authority),
        }
        summary += " " + _use_words(content, notification.created_at, urgent=bool(content.get("urgent")))
    elif _never_began(content):
        summary = _("The authorisation of case %(reference)s ended before its use began: %(how)s.") % {
            **params,
            "how": how_it_ended,
        }
    else:
        summary = _("The use of live facial recognition in case %(reference)s ended: %(how)s.") % {
            **params,
            "how": how_it_ended,
        }
    return {
        "title": _title(notification, content),
        "summary": summary,
        "how_it_ended": how_it_ended,
        # The closed list's labels are in the catalogue (oversight.models.cases.OBJECTIVE_WORDS).
        "objective": _(content["objective"]) if content.get("objective") else "",
        "deployments": content.get("deployments") or [],
        "cameras": content.get("cameras") or [],
        "window_start": _when(content.get("window_start")),
        "window_end": _when(content.get("window_end")),
        "ended_at": _when(content.get("ended_at")),
        "authority": authority,
        "urgent": bool(content.get("urgent")),
        # R24: a post-event search is its own kind of use; the footage's capture-time range goes with it.
        "post_event": content.get("kind") == "post_event",
        "capture_start": _when(content.get("capture_start")),
        "capture_end": _when(content.get("capture_end")),
    }


def notification_mark_read(*, actor, notification: OfficeNotification) -> OfficeNotification:
    """An office reviewer marks a notification read. Side effects: read_at/by; NOTIFICATION_READ. Idempotent."""
    if not actor.has_perm("oversight.change_officenotification"):
        raise PermissionDenied(_("Only the data protection office reads its notifications."))
    with transaction.atomic():
        notification = OfficeNotification.objects.select_for_update().get(pk=notification.pk)
        if notification.read_at is not None:
            return notification
        notification.read_at = timezone.now()
        notification.read_by = actor
        notification.save(update_fields=["read_at", "read_by"])
        audit_record(
            actor=actor,
            event_type=EventType.NOTIFICATION_READ,
            case_ref=notification.case_reference,
            target_ref=notification,
            data={"notification_id": notification.pk, "kind": notification.kind},
        )
    return notification
