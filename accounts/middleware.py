"""Request-wide sign-in security: no caching, session timeouts, the second-factor gate."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from rest_framework.views import APIView

from accounts import services
from accounts.policy import (
    EXPIRED_REASON_KEY,
    LAST_SEEN_AT_KEY,
    SIGNED_IN_AT_KEY,
    second_factor_satisfied,
)

# The last-activity stamp is written at most this often, so an ordinary request costs no session
# write; idle timeouts are therefore exact to within this many seconds.
ACTIVITY_RESOLUTION_SECONDS = 60

SECOND_FACTOR_API_MESSAGE = _(
    "Confirm your sign-in with the code from your authenticator app (on the website) before using the API."
)


class NoStoreMiddleware:
    """Nothing Django answers may be kept by a browser or proxy: pages and API answers carry
    personal data or decisions about it. Static files are answered earlier by whitenoise. The one
    exception is the public register (R23), the same for everyone and marked `public_register`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "public_register", False):
            return response
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT_MINUTES without a request, and
    SESSION_ABSOLUTE_TIMEOUT_HOURS after signing in, whatever happens. The end is recorded and
    the sign-in page says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        last_seen_at = session.get(LAST_SEEN_AT_KEY)
        if signed_in_at is None or last_seen_at is None:
            # A session from before this check existed: count from now.
            session[SIGNED_IN_AT_KEY] = signed_in_at or now
            session[LAST_SEEN_AT_KEY] = now
            return
        reason = None
        if now - signed_in_at >= settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600:
            reason = "absolute"
        elif now - last_seen_at >= settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            reason = "idle"
        if reason is None:
            if now - last_seen_at >= ACTIVITY_RESOLUTION_SECONDS:
                session[LAST_SEEN_AT_KEY] = now
            return
        services.session_expiry_record(user=request.user, reason=reason, request=request)
        # Like django.contrib.auth.logout, without its "signed out" event: this was not the person.
        session.flush()
        session[EXPIRED_REASON_KEY] = reason
        request.user = AnonymousUser()


def second_factor_exempt(view):
    """Marks a view reachable before the second factor is confirmed (sign-in, sign-out, the
    second-factor pages themselves, health checks)."""
    view.second_factor_exempt = True
    return view


class SecondFactorRequiredMiddleware:
    """Until a user who needs a second factor confirms one in this session, every page sends them
    to confirm it (or enrol one) and every API request is refused with 403 and a plain message.

    Runs after django_otp's OTPMiddleware, which tells whether the session is verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_exempt", False) or second_factor_satisfied(request):
            return None
        if _is_api_view(view_func) or request.path.startswith("/api/"):
            return JsonResponse({"detail": str(SECOND_FACTOR_API_MESSAGE)}, status=403)
        target = reverse("accounts:second_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


def _is_api_view(view_func) -> bool:
    cls = getattr(view_func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)
