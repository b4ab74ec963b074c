"""Apply the retention schedule once (R19), or with --dry-run show what is due. Last line: one JSON object."""

import json

from django.core.management.base import BaseCommand

from office.services.retention import SCHEDULE, retention_due, retention_run


class Command(BaseCommand):
    help = "Apply the retention schedule once; --dry-run only counts what is due. Prints counts per rule as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing.")
        parser.add_argument("--batch-size", type=int, default=None, help="Rows per rule in this run.")

    def handle(self, *args, dry_run=False, batch_size=None, **options):
        if batch_size is not None and batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            raise SystemExit(2)
        for rule in SCHEDULE:
            self.stdout.write(f"{rule.code}: {rule.action} {rule.data}; clock: {rule.clock}; period {rule.setting}")
        counts = retention_due() if dry_run else retention_run(batch_size=batch_size)
        self.stdout.write(json.dumps(counts, sort_keys=True))
