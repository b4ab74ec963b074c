from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audits.services import audit_checkpoint_create


class Command(BaseCommand):
    help = "Sign (count, head hash, time) of the audit trail with the Ed25519 key and store the checkpoint."

    def handle(self, *args, **options):
        try:
            checkpoint = audit_checkpoint_create(actor="command:audits_checkpoint")
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"checkpoint {checkpoint.pk}: {checkpoint.seq} events, head {checkpoint.head_hash}")
