"""Issue a one-time enrolment code so a privileged account can set up its second factor (accounts.enrolment).

Run by the platform's operators for a new account (after `create_role_user`) or when a person lost their code; the
code is printed once and recorded (never the code itself).
"""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.enrolment import enrolment_code_issue


class Command(BaseCommand):
    help = "Issue a one-time enrolment code for a user's second factor (printed once, recorded)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        code = enrolment_code_issue(user=user, issued_by=f"operator:{getpass.getuser()[:140]}")
        self.stdout.write(f"{username}: enrolment code (shown once; hand it over in person): {code}")
