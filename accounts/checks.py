"""Start-up checks of the transport and header settings production needs (with DEBUG off).

Django's own `check --deploy` only warns, and only when asked; these run at every start (runserver, migrate, gunicorn
through the WSGI module's checks) and refuse a production configuration that would send sessions over plain http,
forget HSTS, or drop a security header.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

HSTS_MINIMUM_SECONDS = 365 * 24 * 3600
REQUIRED_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def _production() -> bool:
    return not settings.DEBUG and not getattr(settings, "TESTING", False)


@register(Tags.security)
def production_transport_and_headers(app_configs=None, **kwargs):
    if not _production():
        return []
    errors = []
    if settings.SECURE_HSTS_SECONDS < HSTS_MINIMUM_SECONDS:
        errors.append(
            Error(
                f"SECURE_HSTS_SECONDS is {settings.SECURE_HSTS_SECONDS}; production needs at least one year.",
                hint=f"Set SECURE_HSTS_SECONDS={HSTS_MINIMUM_SECONDS} (and serve the site over https only).",
                id="accounts.E020",
            )
        )
    insecure = [
        name
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE")
        if not getattr(settings, name, False)
    ]
    if insecure:
        errors.append(
            Error(
                f"{', '.join(insecure)} off with DEBUG off: cookies would travel over plain http.",
                hint="Leave SESSION_COOKIE_SECURE at its default (on when DEBUG is off).",
                id="accounts.E021",
            )
        )
    if not settings.SECURE_SSL_REDIRECT:
        errors.append(
            Error(
                "SECURE_SSL_REDIRECT is off with DEBUG off: plain http requests would be answered.",
                hint="Set SECURE_SSL_REDIRECT=1 (and BEHIND_TLS_PROXY=1 behind a TLS-terminating proxy).",
                id="accounts.E022",
            )
        )
    missing = [name for name in REQUIRED_MIDDLEWARE if name not in settings.MIDDLEWARE]
    headers = {
        "SECURE_CONTENT_TYPE_NOSNIFF": settings.SECURE_CONTENT_TYPE_NOSNIFF is True,
        "X_FRAME_OPTIONS": settings.X_FRAME_OPTIONS == "DENY",
        "SECURE_REFERRER_POLICY": bool(settings.SECURE_REFERRER_POLICY),
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": bool(settings.SECURE_CROSS_ORIGIN_OPENER_POLICY),
        "CONTENT_SECURITY_POLICY": "default-src"
        in getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {}),
    }
    weak = [name for name, ok in headers.items() if not ok]
    if missing or weak:
        errors.append(
            Error(
                "Security headers incomplete: " + ", ".join([*missing, *weak]) + ".",
                hint="nosniff, X-Frame-Options DENY, a Referrer-Policy, a Cross-Origin-Opener-Policy and the "
                "Content-Security-Policy are all required in production.",
                id="accounts.E023",
            )
        )
    return errors
