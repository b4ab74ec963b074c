"""Judges, commission members, verifiers, office reviewers and administrators reach nothing before a
second factor; enrolment, codes and recovery codes work and are recorded."""

from base64 import b32encode
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enrolment import enrolment_code_required
from accounts.middleware import SECOND_FACTOR_API_MESSAGE
from accounts.policy import SECOND_FACTOR_ROLES
from accounts.services import RECOVERY_CODE_COUNT
from oversight.roles import Role
from tests.accounts.helpers import current_code, event_types, every_route, prove_enrolment_code, sign_in
from tests.conftest import force_login_without_second_factor, make_user

pytestmark = pytest.mark.django_db

SECOND_FACTOR = "/accounts/second-factor/"
SETUP = "/accounts/second-factor/setup/"
ENROLMENT_CODE = "/accounts/second-factor/enrolment-code/"
ROUTES = every_route()
GATED = [(path, view) for path, view in ROUTES if not getattr(view, "second_factor_exempt", False)]


def test_the_walk_covers_the_site():
    paths = {path for path, _ in GATED}
    for expected in (
        "/",
        "/cases/",
        "/cases/1/",
        "/alerts/",
        "/audits/",
        "/api/cases/",
        "/api/alerts/",
        "/api/audits/events/",
        "/api/schema/",
        "/cameras/",
        "/objectives/",
        "/admin/",
        "/accounts/security/",
    ):
        assert expected in paths, expected
    exempt = {path for path, view in ROUTES if getattr(view, "second_factor_exempt", False)}
    # Only signing in and out, the second-factor pages, the language switch (offered on those pages), the health
    # check and the public register (R23) answer before the gate.
    public_register = {path for path, view in ROUTES if getattr(view, "public_register", False)}
    assert public_register and all(path.startswith("/transparency/") for path in public_register)
    assert "/transparency/withholdings/" not in public_register
    assert exempt - public_register == {
        "/i18n/setlang/",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/second-factor/",
        "/accounts/second-factor/setup/",
        "/accounts/second-factor/setup/qr.svg",
        "/accounts/second-factor/enrolment-code/",
        "/healthz",
    }


@pytest.mark.parametrize("role", [str(r) for r in SECOND_FACTOR_ROLES])
def test_a_privileged_user_without_second_factor_reaches_no_page_and_no_endpoint(client, roles, role):
    user = make_user(f"user_{role}", role)
    force_login_without_second_factor(client, user)
    for path, _view in GATED:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if path.startswith("/api/"):
                assert response.status_code == 403, (method, path, response.status_code)
                assert response.json() == {"detail": SECOND_FACTOR_API_MESSAGE}
            else:
                assert response.status_code == 302, (method, path, response.status_code)
                assert response["Location"].startswith(SECOND_FACTOR), (method, path)
    assert not event_types(event_type__startswith="case.") and not event_types(event_type__startswith="alert.")


def test_staff_and_superusers_need_the_second_factor_too(client, roles):
    admin = make_user("superuser", None)
    admin.is_superuser = admin.is_staff = True
    admin.save()
    force_login_without_second_factor(client, admin)
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/cases/").status_code == 403


def test_a_requester_works_without_second_factor(client, requester):
    force_login_without_second_factor(client, requester)
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/cases/").status_code == 200


def test_the_test_cast_signs_in_with_both_steps(client, judge):
    client.force_login(judge)
    assert client.get("/cases/").status_code == 200
    assert TOTPDevice.objects.filter(user=judge, confirmed=True).count() == 1


def enrol(client, user, clock):
    """Sign in with the password, follow the gate to enrolment, scan, type the code back."""
    response = sign_in(client, user)
    assert response.status_code == 302
    response = client.get(response["Location"])  # home -> the gate
    assert response.status_code == 302 and response["Location"].startswith(SECOND_FACTOR)
    response = client.get(response["Location"])  # no authenticator yet -> enrolment
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    page = client.get(response["Location"])
    if enrolment_code_required(user):  # a privileged account first types the code an administrator issued
        assert page.status_code == 302 and page["Location"].startswith(ENROLMENT_CODE)
        page = client.get(prove_enrolment_code(client, user)["Location"])
    assert page.status_code == 200
    qr = client.get(reverse("accounts:second_factor_setup_qr"))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "".join(page.context["secret_groups"]).encode() in b32encode(device.bin_key)
    response = client.post(SETUP, {"code": current_code(device), "next": "/cases/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == RECOVERY_CODE_COUNT
    return TOTPDevice.objects.get(pk=device.pk), codes


def test_enrolment_and_a_correct_code_let_a_judge_in(client, judge, clock):
    device, codes = enrol(client, judge, clock)
    assert device.confirmed
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/cases/").status_code == 200
    assert event_types(actor_label=judge.username) == [
        "auth.login",
        "auth.enrolment_code_used",
        "auth.second_factor_enrolled",
        "auth.recovery_codes_issued",
        "case_list.viewed",  # the page's list of cases is a consultation (R17)
        "case_list.viewed",  # and so is the API's
    ]

    # Next sign-in: the gate asks for the code; a wrong one is refused and recorded.
    client.post(reverse("logout"))
    clock.shift(timedelta(minutes=5))
    sign_in(client, judge)
    assert client.get("/cases/")["Location"].startswith(SECOND_FACTOR)
    response = client.post(SECOND_FACTOR, {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert client.get("/api/cases/").status_code == 403
    clock.shift(timedelta(seconds=2))  # django-otp slows down repeated wrong codes
    response = client.post(SECOND_FACTOR, {"code": current_code(device), "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert event_types(actor_label=judge.username)[-4:] == [
        "auth.login",
        "auth.second_factor_failed",
        "auth.second_factor_verified",
        "case_list.viewed",  # the case list, once the code was right
    ]


def test_a_code_cannot_be_replayed(client, judge, clock):
    device, _ = enrol(client, judge, clock)
    used = current_code(device)  # the code typed at enrolment
    client.post(reverse("logout"))
    sign_in(client, judge)
    assert client.post(SECOND_FACTOR, {"code": used}).status_code == 200  # refused: same time step
    assert client.get("/cases/").status_code == 302


def test_a_recovery_code_works_once(client, judge, clock):
    _, codes = enrol(client, judge, clock)
    client.post(reverse("logout"))
    sign_in(client, judge)
    response = client.post(SECOND_FACTOR, {"code": codes[0].upper()})  # typed in capitals: still fine
    assert response.status_code == 302
    assert client.get("/cases/").status_code == 200
    assert StaticToken.objects.filter(device__user=judge).count() == RECOVERY_CODE_COUNT - 1
    client.post(reverse("logout"))
    clock.shift(timedelta(minutes=1))
    sign_in(client, judge)
    response = client.post(SECOND_FACTOR, {"code": codes[0]})
    assert response.status_code == 200
    assert client.get("/cases/").status_code == 302
    verified = event_types(event_type="auth.second_factor_verified")
    assert verified == ["auth.second_factor_verified"]


def test_a_stolen_password_cannot_replace_an_enrolled_authenticator(client, judge, clock):
    enrol(client, judge, clock)
    client.post(reverse("logout"))
    sign_in(client, judge)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(SECOND_FACTOR)
    assert client.get(reverse("accounts:second_factor_setup_qr")).status_code == 404
    assert TOTPDevice.objects.filter(user=judge).count() == 1


def test_a_requester_may_enrol_and_is_then_asked_every_time(client, requester, clock):
    sign_in(client, requester)
    assert client.get("/cases/").status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 200
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=requester, confirmed=False)
    assert client.post(SETUP, {"code": current_code(device)}).status_code == 200
    client.post(reverse("logout"))
    clock.shift(timedelta(minutes=1))
    sign_in(client, requester)
    assert client.get("/cases/")["Location"].startswith(SECOND_FACTOR)
    assert client.post(SECOND_FACTOR, {"code": current_code(device)}).status_code == 302
    assert client.get("/cases/").status_code == 200


def test_a_role_granted_during_a_session_needs_the_second_factor_at_once(client, requester):
    force_login_without_second_factor(client, requester)
    assert client.get("/cases/").status_code == 200
    requester.groups.add(Group.objects.get(name=Role.JUDGE))
    assert client.get("/cases/").status_code == 302


def test_an_operator_resets_a_lost_second_factor_and_it_is_recorded(client, judge, clock):
    from django.core.management import call_command

    from audits.models import AuditEvent

    enrol(client, judge, clock)
    call_command("second_factor_reset", judge.username, "--reason", "Ticket 42: phone lost, identity checked")
    assert not TOTPDevice.objects.filter(user=judge).exists()
    assert not StaticToken.objects.filter(device__user=judge).exists()
    # The session verified by the removed device no longer counts.
    assert client.get("/cases/").status_code == 302
    event = AuditEvent.objects.get(event_type="auth.second_factor_reset")
    # R19: the reason stays on the reset's row; the event references it and names the user.
    from accounts.models import SecondFactorReset

    reset = SecondFactorReset.objects.get(user=judge)
    assert event.target_ref == f"accounts.SecondFactorReset:{reset.pk}" and "Ticket 42" not in event.data
    assert event.data_dict["user"] == f"oversight.User:{judge.pk}"
    assert reset.reason == "Ticket 42: phone lost, identity checked"
