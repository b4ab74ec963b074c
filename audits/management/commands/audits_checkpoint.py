from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audits.services import audit_checkpoint_create
from audits.witness import witness_deliver_pending, witness_dir


class Command(BaseCommand):
    help = (
        "Sign (count, head hash, time) of the audit trail with the Ed25519 key, store the checkpoint and deliver it "
        "(and any earlier one not yet delivered) to the data protection office (OFFICE_WITNESS_DIR)."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = audit_checkpoint_create(actor="command:audits_checkpoint")
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"checkpoint {checkpoint.pk}: {checkpoint.seq} events, head {checkpoint.head_hash}")
        if witness_dir() is not None:
            delivered = witness_deliver_pending()
            self.stdout.write(f"delivered {delivered} record(s) to the office at {witness_dir()}")
