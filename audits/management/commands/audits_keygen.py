from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits import signing


class Command(BaseCommand):
    help = "Create the Ed25519 key that signs audit checkpoints (at AUDIT_SIGNING_KEY_FILE) and print its public key."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="do nothing when the key file exists")
        parser.add_argument("--public-out", help="also write the public key (PEM) to this file, for reviewers")

    def handle(self, *args, **options):
        path = Path(settings.AUDIT_SIGNING_KEY_FILE)
        if path.exists():
            if options["if_missing"]:
                key = signing.load_signing_key()
            else:
                raise CommandError(f"{path} exists; refusing to overwrite the audit signing key")
        else:
            key = signing.generate_key_file(path)
            self.stdout.write(f"created {path}")
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if options["public_out"]:
            Path(options["public_out"]).write_bytes(public_pem)
        self.stdout.write(f"fingerprint {signing.fingerprint(key.public_key())}")
