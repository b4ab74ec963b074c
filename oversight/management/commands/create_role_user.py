"""Create a user with one of the platform's roles.

The password comes from the environment variable named by --password-env
(default OVERSIGHT_USER_PASSWORD) or from a prompt: never from an argument,
where it would be visible in the process list and shell history.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audits.events import EventType
from audits.services import audit_record
from oversight.roles import Role


class Command(BaseCommand):
    help = (
        "Create a user with a role (requester, judge, commission_member, alert_verifier, dpo_reviewer, platform_admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", default="", help="police unit, court or office")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-env", default="OVERSIGHT_USER_PASSWORD", help="variable holding the password")
        parser.add_argument("--staff", action="store_true", help="may use the admin site (platform_admin only)")
        parser.add_argument("--if-missing", action="store_true", help="do nothing if the user exists")

    def handle(self, *args, username, role, unit, email, password_env, staff, if_missing, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            if if_missing:
                self.stdout.write(f"{username} exists; nothing to do")
                return
            raise CommandError(f"user {username!r} already exists")
        if staff and role != Role.PLATFORM_ADMIN:
            raise CommandError("--staff is only for platform_admin users")
        password = os.environ.get(password_env)
        if password is None:
            if not options.get("interactive", True) or not os.isatty(0):
                raise CommandError(f"no password: set {password_env} or run in a terminal to be prompted")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("passwords differ")
        user = User(username=username, email=email, unit=unit, is_staff=staff)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from None
        from django.contrib.auth.models import Group

        with transaction.atomic():
            user.set_password(password)
            user.save()
            group, _ = Group.objects.get_or_create(name=role)
            user.groups.add(group)
            audit_record(
                actor="command:create_role_user",
                event_type=EventType.USER_CREATED,
                target_ref=user,
                data={"username": username, "unit": unit},
            )
            audit_record(
                actor="command:create_role_user",
                event_type=EventType.USER_ROLE_GRANTED,
                target_ref=user,
                data={"username": username, "role": role},
            )
        self.stdout.write(f"created {username} with role {role}")
        # accounts.enrolment: privileged roles set up their second factor only with a code an administrator issues.
        self.stdout.write(f"if the role needs a second factor: manage.py enrolment_code_issue {username}")
