import sys
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audits.selectors import audit_verify


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chain (from the last recorded retention cut) and check it against the signed "
        "checkpoints and the data protection office's copies of them (OFFICE_WITNESS_DIR). "
        "Exit 0 and print count and head hash when intact; otherwise name the first bad "
        "sequence number and the kind of damage, and exit 1."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = audit_verify()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        if result.ok:
            self.stdout.write(
                f"OK count={result.count} head={result.head_hash} checkpoints={result.checkpoints_checked}"
                + (f" from_seq={result.start_seq}" if result.start_seq > 1 else "")
            )
            self.stdout.write(result.witness_text)
            self.stdout.write(f"verified in {elapsed:.2f}s")
            return
        self.stdout.write(f"DAMAGED first_bad_seq={result.first_bad_seq} kind={result.damage}")
        self.stdout.write(result.detail)
        sys.stdout.flush()
        raise SystemExit(1)
