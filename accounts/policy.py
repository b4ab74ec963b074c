"""Who must confirm a sign-in with a second factor, and the session keys that carry the answer.

One declaration: SECOND_FACTOR_ROLES lists the roles that may decide on, vote on, verify, review or
configure surveillance; the middleware, the views and the tests all read it from here.
"""

from __future__ import annotations

from oversight.roles import Role, user_has_role

SECOND_FACTOR_ROLES = (
    Role.JUDGE,
    Role.COMMISSION_MEMBER,
    Role.ALERT_VERIFIER,
    Role.DPO_REVIEWER,
    Role.PLATFORM_ADMIN,
)

# Session keys (besides django-otp's own DEVICE_ID_SESSION_KEY).
SIGNED_IN_AT_KEY = "accounts_signed_in_at"  # epoch seconds of the password sign-in
LAST_SEEN_AT_KEY = "accounts_last_seen_at"  # epoch seconds of the last request (rounded, see middleware)
ENROLLED_KEY = "accounts_second_factor_enrolled"  # the user has a confirmed authenticator: ask for it
EXPIRED_REASON_KEY = "accounts_session_expired"  # why the previous session ended, shown on the sign-in page
ENROLMENT_CODE_KEY = "accounts_enrolment_code_id"  # the enrolment code this session proved (accounts.enrolment)


def second_factor_required(user, session) -> bool:
    """True when this signed-in user may do nothing before confirming a one-time code.

    Required for the privileged roles, for staff and superusers, and for anyone (a requester)
    who chose to enrol an authenticator.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if session.get(ENROLLED_KEY) or user.is_superuser or user.is_staff:
        return True
    return any(user_has_role(user, role) for role in SECOND_FACTOR_ROLES)


def second_factor_satisfied(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return True
    is_verified = getattr(user, "is_verified", None)  # installed by django_otp's OTPMiddleware
    if is_verified is not None and is_verified():
        return True
    return not second_factor_required(user, request.session)
