"""python manage.py report_annual --year YYYY --out FILE.pdf|FILE.csv --justification TEXT --recipient TEXT [--as USER]
    [--language cs|en]

Writes the annual report for the data protection office (R23). Producing it is a disclosure (R17): it is recorded
with who produced it (--as, a user of the office; otherwise the command line and the operating-system user), why
and for whom. The report is written in --language (default: settings.LANGUAGE_CODE); the command's own output
is for operators and stays in English.
"""

import getpass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from office.services import report_annual_export


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
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help=f"The report's language (default: LANGUAGE_CODE, now {settings.LANGUAGE_CODE})",
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
        language = options["language"] or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                content, _name = report_annual_export(
                    actor=user,
                    year=options["year"],
                    fmt=fmt,
                    justification=options["justification"],
                    recipients=options["recipient"],
                )
        except PermissionDenied as exc:
            raise CommandError("Only the data protection office produces this report.") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        self.stdout.write(
            f"Annual report {options['year']} ({language}) written to {out} ({len(content)} bytes); "
            "disclosure recorded."
        )
