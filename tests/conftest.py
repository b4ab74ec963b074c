"""The fixed cast of users every test can use (see STYLE.md: owner, colleague, outsider).

Signing in: `client.force_login(user)` and `client_for(user)` give a session that has passed both
steps, password and second factor (a real confirmed TOTP device is created for users whose role
needs one, and the session is marked verified by it, exactly as django_otp.login does). Tests of the
second factor itself use `force_login_without_second_factor`. Sessions of the cast never time out
while a test moves its clock, unless the test sets the timeouts (tests/accounts/test_timeouts.py).
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import SECOND_FACTOR_ROLES
from oversight.roles import Role, sync_role_permissions

PASSWORD = "correct-horse-battery-staple"
TEST_DEVICE_NAME = "Test authenticator"

_password_only_force_login = Client.force_login


def force_login_without_second_factor(client, user, backend=None):
    """Only the first step: a user whose role needs a second factor is then held at the gate."""
    _password_only_force_login(client, user, backend)


def force_login_with_second_factor(client, user, backend=None):
    """Both steps: sign in, and for a user who needs it confirm the session with a real TOTP device."""
    _password_only_force_login(client, user, backend)
    needs_second_factor = (
        user.is_staff or user.is_superuser or user.groups.filter(name__in=SECOND_FACTOR_ROLES).exists()
    )
    if needs_second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TEST_DEVICE_NAME, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _cast_signs_in_with_second_factor(monkeypatch):
    # Every Client (and DRF's APIClient, a subclass) signs in with both steps, so the many tests
    # about cases and alerts need not each repeat the second factor.
    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(autouse=True)
def _english_unless_asked(settings):
    """The deployment's default language is Czech; tests read English unless they choose a language.

    Tests of Czech pages send the language cookie or Accept-Language (tests/test_languages.py), and tests of
    words produced outside a request use `translation.override`.
    """
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _sessions_outlast_the_test(settings):
    # Tests move their clocks by hours or days between two requests of one client.
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 10 * 365 * 24 * 60
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = 10 * 365 * 24


@pytest.fixture(autouse=True)
def _isolated_keys(settings, tmp_path):
    """Each test gets its own key files, so no test touches var/ or another test's keys."""
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit.pem")
    settings.AUDIT_VERIFY_KEY_FILE = None
    settings.DATA_KEY_FILE = str(tmp_path / "keys" / "data.key")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RECORDING_DIR = tmp_path / "recordings"


@pytest.fixture
def roles(db):
    # Groups come from a data migration, but transactional tests flush them.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    sync_role_permissions()
    return {g.name: g for g in Group.objects.filter(name__in=Role.values)}


def make_user(username: str, role: str | None, *, unit: str = ""):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, unit=unit)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def requester(roles):
    return make_user("officer_novak", Role.REQUESTER, unit="Serious Crime Unit")


@pytest.fixture
def colleague(roles):
    """A requester of the same unit."""
    return make_user("officer_dvorak", Role.REQUESTER, unit="Serious Crime Unit")


@pytest.fixture
def other_unit_requester(roles):
    return make_user("officer_svoboda", Role.REQUESTER, unit="Traffic Unit")


@pytest.fixture
def judge(roles):
    return make_user("judge_kral", Role.JUDGE, unit="Municipal Court")


@pytest.fixture
def second_judge(roles):
    return make_user("judge_horak", Role.JUDGE, unit="Municipal Court")


@pytest.fixture
def commission(roles):
    return [make_user(f"commissioner_{i}", Role.COMMISSION_MEMBER, unit="Security Commission") for i in range(1, 6)]


@pytest.fixture
def verifiers(roles):
    return [make_user(f"verifier_{i}", Role.ALERT_VERIFIER, unit="Control Room") for i in range(1, 3)]


@pytest.fixture
def dpo(roles):
    return make_user("dpo_reviewer", Role.DPO_REVIEWER, unit="Data Protection Office")


@pytest.fixture
def platform_admin(roles):
    return make_user("admin_ops", Role.PLATFORM_ADMIN, unit="IT")


@pytest.fixture
def outsider(roles):
    """Signed in, but holds no role at all."""
    return make_user("outsider", None)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user (None: anonymous)."""
    from django.test import Client

    def _make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return _make
