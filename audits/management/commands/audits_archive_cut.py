import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, no_translations

from audits.forms import parse_when
from audits.services import AuditCutRefused, audit_trail_cut
from audits.services.cuts import archive_root, retention_cutoff


class Command(BaseCommand):
    help = (
        "R18: archive the audit events before the last signed checkpoint older than --before (default: "
        "AUDIT_RETENTION_DAYS ago; never less than 183 days) into --archive-dir, verify the archive, then remove "
        "them, recording the cut. Prints one JSON object."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", help="cut only events older than this (default: the retention limit)")
        parser.add_argument("--archive-dir", help="where the archive directory is written (default AUDIT_ARCHIVE_DIR)")
        parser.add_argument("--by", default="command:audits_archive_cut", help="who cuts (recorded as the actor)")

    @no_translations  # operators read English (audits.forms.parse_when speaks the active language)
    def handle(self, *args, **options):
        try:
            before = parse_when(options["before"]) if options["before"] else retention_cutoff()
        except ValueError as exc:
            raise CommandError(f"--before: {exc}") from None
        directory = options["archive_dir"] or archive_root()
        if not options["archive_dir"]:
            directory.mkdir(parents=True, exist_ok=True)
        try:
            cut = audit_trail_cut(before=before, archive_dir=directory, actor=options["by"])
        except (AuditCutRefused, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        if cut is None:
            self.stdout.write("nothing to cut: no signed checkpoint ends a prefix older than that")
            self.stdout.write(json.dumps({"audit_events_cut": 0}))
            return
        self.stdout.write(
            f"cut {cut.pk}: events {cut.seq_from}..{cut.seq_to} archived to {directory}/{cut.archive_name} and removed"
        )
        summary = {"audit_events_cut": cut.events, "audit_cut_id": cut.pk, "archive": cut.archive_name}
        self.stdout.write(json.dumps(summary))
