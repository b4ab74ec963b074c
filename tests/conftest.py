"""The fixed cast of users every test can use (see STYLE.md: owner, colleague, outsider)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from oversight.roles import Role, sync_role_permissions

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _isolated_keys(settings, tmp_path):
    """Each test gets its own key files, so no test touches var/ or another test's keys."""
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit.pem")
    settings.AUDIT_VERIFY_KEY_FILE = None
    settings.DATA_KEY_FILE = str(tmp_path / "keys" / "data.key")
    settings.MEDIA_ROOT = str(tmp_path / "media")


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
