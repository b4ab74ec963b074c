"""The first authentication backend: refuses an address that used up its failures, before any password is hashed."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts import throttle


class AddressThrottleBackend:
    """Never authenticates anyone; stops authenticate() for a throttled address (accounts.throttle)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if throttle.sign_in_refused(request):
            raise PermissionDenied  # Django stops here; no later backend hashes the password
        return None

    def get_user(self, user_id):
        # Sessions name the backend that signed them in; Django's test client and management code name the first
        # one. The user is whoever the model backend finds.
        return ModelBackend().get_user(user_id)
