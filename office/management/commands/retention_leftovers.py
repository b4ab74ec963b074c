"""Proof of deletion: list anything still stored of a case's personal data. Exit 1 if something is left."""

import json

from django.core.management.base import BaseCommand

from office.services.leftovers import case_leftovers
from oversight.models import Case


class Command(BaseCommand):
    help = "Scan the database and media for anything left of a case (rows, photo files, crops, templates, text)."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The case reference, e.g. FR-2026-0001.")

    def handle(self, *args, reference, **options):
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            self.stderr.write(f"No case {reference!r}.")
            raise SystemExit(2)
        found = case_leftovers(case=case)
        left = {kind: items for kind, items in found.items() if items}
        for kind, items in left.items():
            self.stdout.write(f"left: {kind}: {len(items)}")
        self.stdout.write(
            json.dumps({"case": reference, "left": {k: len(v) for k, v in found.items()}}, sort_keys=True)
        )
        if left:
            raise SystemExit(1)
