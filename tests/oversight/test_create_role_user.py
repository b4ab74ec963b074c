import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audits.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_creates_user_with_role_and_password_from_environment(roles, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_USER_PASSWORD", "a-long-enough-passphrase")
    call_command(
        "create_role_user", "judge_novotna", "--role", "judge", "--unit", "Regional Court", stdout=io.StringIO()
    )
    user = get_user_model().objects.get(username="judge_novotna")
    assert user.check_password("a-long-enough-passphrase")
    assert list(user.groups.values_list("name", flat=True)) == ["judge"]
    assert user.unit == "Regional Court"
    assert list(AuditEvent.objects.values_list("event_type", flat=True)) == ["user.created", "user.role_granted"]


def test_refuses_without_a_password_source(roles, monkeypatch):
    monkeypatch.delenv("OVERSIGHT_USER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="OVERSIGHT_USER_PASSWORD"):
        call_command("create_role_user", "x_user", "--role", "judge")
    assert not get_user_model().objects.filter(username="x_user").exists()


def test_has_no_password_argument():
    with pytest.raises(CommandError):
        call_command("create_role_user", "x_user", "--role", "judge", "--password", "secret")


def test_refuses_a_weak_password_and_an_unknown_role(roles, monkeypatch):
    monkeypatch.setenv("OVERSIGHT_USER_PASSWORD", "123")
    with pytest.raises(CommandError, match="password refused"):
        call_command("create_role_user", "weak", "--role", "judge")
    with pytest.raises(CommandError):
        call_command("create_role_user", "weak", "--role", "superhero")
    assert not get_user_model().objects.filter(username="weak").exists()


def test_groups_exist_after_migrate(db):
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"requester", "judge", "commission_member", "alert_verifier", "dpo_reviewer", "platform_admin"} <= names
