"""A privileged account enrols its second factor only with a one-time enrolment code an administrator issued: shown
once, expiring, recorded; without one the account sees only a page saying whom to ask."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enrolment import ENROLMENT_CODE_ATTEMPTS, enrolment_code_issue
from accounts.models import EnrolmentCode
from audits.models import AuditEvent
from tests.accounts.helpers import current_code, event_types, prove_enrolment_code, sign_in
from tests.conftest import force_login_without_second_factor

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:second_factor_setup")
CODE_PAGE = reverse("accounts:enrolment_code")


def test_without_a_code_a_judge_cannot_enrol_and_is_told_whom_to_ask(client, judge, platform_admin):
    platform_admin.first_name, platform_admin.last_name = "Alena", "Správcová"
    platform_admin.save()
    sign_in(client, judge)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)
    page = client.get(CODE_PAGE)
    html = page.content.decode()
    assert page.status_code == 200 and "Alena Správcová" in html and "enrolment_code" not in html  # no form
    # Neither the key nor the QR code is shown, and no pending device is made.
    assert client.get(reverse("accounts:second_factor_setup_qr")).status_code == 404
    assert not TOTPDevice.objects.filter(user=judge).exists()
    # A device planted by other means is not confirmed by posting its code to the enrolment page.
    device = TOTPDevice.objects.create(user=judge, name="planted", confirmed=False)
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(user=judge, confirmed=True).exists()
    assert client.get("/cases/").status_code == 302


def test_a_code_is_shown_once_recorded_and_works_once(client, judge, clock):
    force_login_without_second_factor(client, judge)
    prove_enrolment_code(client, judge)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=judge, confirmed=False)
    assert client.post(SETUP, {"code": current_code(device)}).status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    row = EnrolmentCode.objects.get(user=judge)
    assert row.used_at is not None and len(row.code_hash) == 64  # only a hash is kept
    issued = AuditEvent.objects.get(event_type="auth.enrolment_code_issued")
    assert issued.target_ref == f"oversight.User:{judge.pk}" and "expires_at" in json.loads(issued.data)
    assert event_types(event_type="auth.enrolment_code_used") == ["auth.enrolment_code_used"]
    # Used up: after a reset the old code is no use, a new one is issued.
    call_command("second_factor_reset", judge.username, "--reason", "Ticket 7")
    client2 = client_class_for(client)
    force_login_without_second_factor(client2, judge)
    assert client2.get(CODE_PAGE).status_code == 200
    assert EnrolmentCode.objects.filter(user=judge, used_at__isnull=True).count() == 1


def client_class_for(client):
    return type(client)()


def test_a_code_expires(client, judge, clock, settings):
    settings.ENROLMENT_CODE_HOURS = 2
    code = enrolment_code_issue(user=judge, issued_by="operator:test")
    clock.shift(timedelta(hours=2, seconds=1))
    force_login_without_second_factor(client, judge)
    html = client.get(CODE_PAGE).content.decode()
    assert 'name="enrolment_code"' not in html
    assert client.post(CODE_PAGE, {"enrolment_code": code}).status_code == 200
    assert client.get(SETUP)["Location"].startswith(CODE_PAGE)


def test_wrong_codes_are_recorded_and_kill_the_code(client, judge):
    code = enrolment_code_issue(user=judge, issued_by="operator:test")
    force_login_without_second_factor(client, judge)
    for _ in range(ENROLMENT_CODE_ATTEMPTS):
        response = client.post(CODE_PAGE, {"enrolment_code": "AAAA-BBBB-CCCC-DDDD"})
        assert response.status_code == 200
    assert client.post(CODE_PAGE, {"enrolment_code": code}).status_code == 200  # too late: the code is dead
    assert client.get(SETUP)["Location"].startswith(CODE_PAGE)
    failed = AuditEvent.objects.filter(event_type="auth.second_factor_failed")
    assert failed.count() == ENROLMENT_CODE_ATTEMPTS and code not in "".join(failed.values_list("data", flat=True))


def test_a_code_is_for_its_own_account_only(client, judge, second_judge):
    code = enrolment_code_issue(user=second_judge, issued_by="operator:test")
    force_login_without_second_factor(client, judge)
    client.post(CODE_PAGE, {"enrolment_code": code})
    assert client.get(SETUP)["Location"].startswith(CODE_PAGE)


def test_an_administrator_issues_a_code_on_the_page_and_others_cannot(client, platform_admin, judge, requester):
    client.force_login(platform_admin)
    page = reverse("accounts:enrolment_code_issue")
    response = client.post(page, {"username": judge.username})
    assert response.status_code == 200
    code = response.context["issued"]["code"]
    assert len(code) == 19 and code in response.content.decode()
    assert client.get(page).context["issued"] is None  # shown once
    event = AuditEvent.objects.get(event_type="auth.enrolment_code_issued")
    assert event.actor_label == platform_admin.username and code not in event.data
    assert client.post(page, {"username": "nobody"}).context["form"].errors
    outsider = type(client)()
    outsider.force_login(requester)
    assert outsider.get(page).status_code == 404
    outsider.force_login(judge)
    assert outsider.post(page, {"username": judge.username}).status_code == 404


def test_a_requester_enrols_by_choice_without_a_code(client, requester):
    force_login_without_second_factor(client, requester)
    assert client.get(SETUP).status_code == 200


def test_the_demo_seed_issues_and_uses_a_code_like_an_administrator(judge):
    from accounts.services import demo_second_factor_issue

    demo_second_factor_issue(user=judge)
    assert TOTPDevice.objects.filter(user=judge, confirmed=True).exists()
    assert EnrolmentCode.objects.get(user=judge).used_at is not None
    assert event_types(event_type__startswith="auth.enrolment_code") == [
        "auth.enrolment_code_issued",
        "auth.enrolment_code_used",
    ]
