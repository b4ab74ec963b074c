"""Reset a person's second factor after they lost both their phone and their recovery codes.

Run by the platform's operators (who have a shell on the server), after checking the person's
identity out of band; they enrol a new authenticator at their next sign-in.
"""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import second_factor_reset


class Command(BaseCommand):
    help = "Remove a user's authenticator and recovery codes (recorded); they enrol again at next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, e.g. the ticket that checked their identity")

    def handle(self, *args, username, reason, **options):
        if not get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"no user {username!r}")
        if not reason.strip():
            raise CommandError("--reason must say why")
        removed, code = second_factor_reset(username=username, reason=reason, operator=getpass.getuser())
        self.stdout.write(f"{username}: {removed} device(s) removed; they set up an authenticator at next sign-in")
        if code:
            self.stdout.write(f"enrolment code (shown once; hand it over in person): {code}")
