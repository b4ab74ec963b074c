"""Stamp each sign-in on its session; record lockouts (R17)."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import ENROLLED_KEY, LAST_SEEN_AT_KEY, SIGNED_IN_AT_KEY
from audits.events import EventType
from audits.services import audit_record


@receiver(user_logged_in, dispatch_uid="accounts_session_stamp")
def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_AT_KEY] = now
    # Anyone with an authenticator (requesters may enrol by choice) is asked for it at every sign-in.
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[ENROLLED_KEY] = True


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def _on_locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes locked a username, or refused a sign-in because it is locked."""
    from django.conf import settings

    data = {
        "ip": ip_address or "",
        "path": getattr(request, "path", ""),
        "locked_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    failures = getattr(request, "axes_failures_since_start", None)  # set only when this attempt locked it
    if failures is None:
        data["attempt_while_locked"] = True
    else:
        data["failures"] = failures
    audit_record(actor=f"attempt:{str(username or '')[:150]}", event_type=EventType.AUTH_LOCKED_OUT, data=data)
