"""Stamp each sign-in on its session; record lockouts (R17)."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle
from accounts.policy import ENROLLED_KEY, LAST_SEEN_AT_KEY, SIGNED_IN_AT_KEY
from audits.events import EventType
from audits.services import audit_record
from audits.signals import client_network


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


@receiver(user_login_failed, dispatch_uid="accounts_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name tried, and only if it exists
    # (accounts.throttle: unknown names are counted per address and window, refused attempts not checked).
    attempted = str(credentials.get("username", ""))
    if request is None:
        if throttle.username_exists(attempted):
            audit_record(actor=f"attempt:{attempted[:150]}", event_type=EventType.AUTH_LOGIN_FAILED, data={})
        return
    throttle.sign_in_failure_record(request=request, username=attempted)


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def _on_locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes locked a username for an address, or refused a sign-in because it is locked.

    Recorded for names that exist, with the client's network (never its address); attempts on unknown names and
    attempts the address throttle refused are counted in accounts.throttle instead.
    """
    from django.conf import settings

    if getattr(request, throttle.THROTTLED_ATTRIBUTE, False) or not throttle.username_exists(str(username or "")):
        return
    data = {
        "ip_network": client_network(ip_address or ""),
        "path": getattr(request, "path", ""),
        "locked_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    failures = getattr(request, "axes_failures_since_start", None)  # set only when this attempt locked it
    if failures is None:
        data["attempt_while_locked"] = True
    else:
        data["failures"] = failures
    audit_record(actor=f"attempt:{str(username or '')[:150]}", event_type=EventType.AUTH_LOCKED_OUT, data=data)
