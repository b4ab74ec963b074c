from django.core.management.base import BaseCommand, CommandError

from watchlists.services import data_key_rotate


class Command(BaseCommand):
    help = "Rotate the AES-256-GCM data key: re-encrypt every photo, template and alert crop, then retire old keys."

    def handle(self, *args, **options):
        try:
            result = data_key_rotate(actor="command:watchlists_rotate_key")
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"new key {result['new_key']}; re-encrypted {result['photos']} photo(s), {result['encodings']} "
            f"template(s); retired {', '.join(result['retired']) or 'none'}"
        )
