"""python manage.py report_annual --year YYYY --out FILE.pdf|FILE.csv --justification TEXT --recipient TEXT [--as USER]

Writes the annual report for the data protection office (R23). Producing it is a disclosure (R17): it is recorded
with who produced it (--as, a user of the office; otherwise the command line and the operating-system user), why
and for whom.
"""

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from oversight.services import report_annual_export


class Command(BaseCommand):
    help = "Write the annual report (PDF with charts, or CSV) for the data protection office."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="FILE.pdf or FILE.csv")
        parser.add_argument("--justification", required=True, help="Why the report is produced")
        parser.add_argument("--recipient", required=True, help="Who receives it")
        parser.add_argument(
            "--as", dest="username", help="The office reviewer producing it (default: the command line)"
        )

    def handle(self, *args, **options):
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "csv"):
            raise CommandError("--out must end in .pdf or .csv")
        if options["username"]:
            user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['username']!r}.")
        else:
            user = f"command line ({getpass.getuser()})"
        try:
            content, _ = report_annual_export(
                actor=user,
                year=options["year"],
                fmt=fmt,
                justification=options["justification"],
                recipients=options["recipient"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "Only the data protection office produces this report.") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        self.stdout.write(
            f"Annual report {options['year']} written to {out} ({len(content)} bytes); disclosure recorded."
        )
