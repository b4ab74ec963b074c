import json
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, no_translations

from audits.forms import parse_when
from audits.services import AuditExportRefused, audit_export_create


class Command(BaseCommand):
    help = (
        "Export audit events (a case, or a period) with their hashes and signed checkpoint into DIR, with a "
        "standalone verifier: python DIR/verify_export.py DIR --public-key KEY.pem. Recorded as a disclosure (R17)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case", help="case reference")
        parser.add_argument("--since", help="from this time (e.g. 2026-11-01, 29.11.2026 14:05)")
        parser.add_argument("--until", help="up to (not including) this time; a date alone means the end of that day")
        parser.add_argument("--event-type", help="an event code (case.approved) or a group (case)")
        parser.add_argument("--actor", help="actor's username")
        parser.add_argument("--out", required=True, help="new (or empty) directory to write")
        parser.add_argument("--justification", required=True, help="why the events are disclosed")
        parser.add_argument("--recipient", required=True, help="who receives them")
        parser.add_argument("--by", default="command:audits_export", help="who exports (recorded as the actor)")

    @no_translations  # operators read English (audits.forms.parse_when speaks the active language)
    def handle(self, *args, **options):
        filters = {"case_ref": options["case"], "event_type": options["event_type"], "actor": options["actor"]}
        for name in ("since", "until"):
            if options[name]:
                try:
                    filters[name] = parse_when(options[name], end_of_day=name == "until")
                except ValueError as exc:
                    raise CommandError(f"--{name}: {exc}") from None
        if not (filters["case_ref"] or filters.get("since") or filters.get("until")):
            raise CommandError("choose what to export: --case REF, or --since/--until")
        if filters.get("since") and filters.get("until") and filters["since"] >= filters["until"]:
            raise CommandError("--until must be later than --since")

        def progress(done, total):
            sys.stderr.write(f"\r{done:,}/{total:,} events")

        try:
            result = audit_export_create(
                filters=filters,
                out=Path(options["out"]),
                justification=options["justification"],
                recipients=options["recipient"],
                actor=options["by"],
                progress=progress if options["verbosity"] > 1 else None,
            )
        except (AuditExportRefused, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"wrote {result.directory}: events {result.first_seq}..{result.last_seq}, {result.shown} shown, "
            f"{result.withheld} withheld, ending at checkpoint {result.checkpoint.pk}"
        )
        where = result.directory
        self.stdout.write(f"check it with: python {where}/verify_export.py {where} --public-key KEY.pem")
        self.stdout.write(json.dumps({"shown": result.shown, "withheld": result.withheld, "last_seq": result.last_seq}))
