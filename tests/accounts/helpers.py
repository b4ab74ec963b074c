from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def sign_in(client, user, password=PASSWORD):
    """The real first step: the sign-in form."""
    return client.post(reverse("login"), {"username": user.username, "password": password})


def prove_enrolment_code(client, user):
    """An administrator issues an enrolment code and the person types it (lower case, no dashes: still fine)."""
    from accounts.enrolment import enrolment_code_issue

    code = enrolment_code_issue(user=user, issued_by="operator:test")
    response = client.post(reverse("accounts:enrolment_code"), {"enrolment_code": code.replace("-", " ").lower()})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:second_factor_setup"))
    return response


def current_code(device: TOTPDevice) -> str:
    """What the person's authenticator app shows now (django-otp's own TOTP, at the test clock)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def event_types(**filters) -> list[str]:
    from audits.models import AuditEvent

    return list(AuditEvent.objects.filter(**filters).order_by("seq").values_list("event_type", flat=True))


EXAMPLE_ARGS = {"int": 1, "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def every_route():
    """(path, view) of every named route of the site, with example values for its parameters."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                converters = getattr(pattern.pattern, "converters", {})
                kwargs = {
                    key: EXAMPLE_ARGS.get(type(conv).__name__.replace("Converter", "").lower(), "x")
                    for key, conv in converters.items()
                }
                try:
                    found.append((reverse(name, kwargs=kwargs), pattern.callback))
                except Exception:  # noqa: BLE001 - a regex route that our example values do not fit
                    continue

    walk(get_resolver().url_patterns, "")
    return sorted(set(found), key=lambda item: item[0])
