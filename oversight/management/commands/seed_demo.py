"""Seed a local demo: one user per role (idempotent).

The demo password is random, kept in var/demo_password and printed, so no
password is ever written into the repository.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from audits.events import EventType
from audits.services import audit_record
from oversight.roles import Role

DEMO_USERS = [
    ("demo_requester", Role.REQUESTER, "Serious Crime Unit"),
    ("demo_judge", Role.JUDGE, "Municipal Court"),
    ("demo_commissioner_1", Role.COMMISSION_MEMBER, "Security Commission"),
    ("demo_commissioner_2", Role.COMMISSION_MEMBER, "Security Commission"),
    ("demo_commissioner_3", Role.COMMISSION_MEMBER, "Security Commission"),
    ("demo_verifier_1", Role.ALERT_VERIFIER, "Control Room"),
    ("demo_verifier_2", Role.ALERT_VERIFIER, "Control Room"),
    ("demo_dpo", Role.DPO_REVIEWER, "Data Protection Office"),
    ("demo_admin", Role.PLATFORM_ADMIN, "IT"),
]


class Command(BaseCommand):
    help = "Create demo users (one per role) for a local run. Refuses when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stderr.write("seed_demo runs only with DEBUG on (a local demo); nothing done")
            return
        password_file = settings.VAR_DIR / "demo_password"
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        User = get_user_model()
        with transaction.atomic():
            for username, role, unit in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    continue
                user = User.objects.create_user(
                    username=username, password=password, unit=unit, is_staff=(role == Role.PLATFORM_ADMIN)
                )
                user.groups.add(Group.objects.get_or_create(name=role)[0])
                audit_record(
                    actor="command:seed_demo",
                    event_type=EventType.USER_CREATED,
                    target_ref=user,
                    data={"username": username, "role": role, "unit": unit},
                )
        self.stdout.write("Demo users: " + ", ".join(u for u, _, _ in DEMO_USERS))
        self.stdout.write(f"Demo password (also in {password_file}): {password}")
