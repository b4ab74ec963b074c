"""Exports of the trail that the office can verify offline, and retention archives.

An export is a directory:
  events.jsonl      one event per line, in sequence order, with prev_hash and hash. Events the
                    selection asked for are shown in full; the other events between them and
                    the checkpoint are written as {"seq", "hash", "withheld": true}: their
                    content (other cases) is not disclosed, their place in the chain is kept.
  checkpoints.json  the signed checkpoint the export runs up to (created if none covers the
                    last selected event yet) and any signed checkpoint inside the range.
  manifest.json     selection, range, hash before the first line, SHA-256 of events.jsonl,
                    signed with the audit key (so a withheld hash cannot be swapped either).
  verify_export.py  the standalone verifier (standard library + cryptography); README.txt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from audits import chain, signing, texts, verify_export
from audits.events import EventType
from audits.models import AuditCheckpoint, AuditDisclosure, AuditEvent, AuditExport, AuditExportStatus
from audits.selectors import audit_event_list, iter_rows
from audits.services.record import _actor_snapshot, audit_checkpoint_create, audit_record

VERIFIER_SOURCE = Path(verify_export.__file__)
PROGRESS_EVERY = 5_000

PUBLIC_KEY_FILE = "audit-public-key.pem"
README = """Audit trail export of the facial recognition oversight platform
==============================================================

{what}

Files (all in the folder {folder}, where this README is)
  events.jsonl      one audit event per line, oldest first, each with the hash of the event before
                    it (prev_hash) and its own hash. Lines marked "withheld" belong to other cases:
                    only their hash is given, so the chain can be checked without disclosing them.
  checkpoints.json  the checkpoint(s) the platform signed with its Ed25519 key.
  manifest.json     what was selected, the range, the digest of events.jsonl; signed with the same key.
  {public_key}  the platform's public key (PEM), to check the signatures with.
  verify_export.py  a standalone checker (Python 3.9+ and the `cryptography` package only).

How to check it (without the platform)
  1. Compare the public key's fingerprint (SHA-256 of the raw key) with the one the data protection office
     gives you through another channel (a letter, a call, its export page): a key that came with the export
     proves nothing until its fingerprint matches. It must read:
       {fingerprint}
  2. Install the one library the checker needs (once):
       python3 -m pip install cryptography
  3. Open a terminal where you unpacked the archive, go into this folder and run the checker:
       cd {folder}
       python3 verify_export.py . --public-key {public_key}
     It prints the key's fingerprint first; add --witness DIR to compare with the checkpoint copies your
     office received.
  Exit status 0 and a line beginning "OK" mean the export is intact and ends at a signed checkpoint.
  Exit status 1 names the first line that was changed, removed, inserted or moved, or a forged checkpoint.
"""


class AuditExportRefused(Exception):
    """The export cannot be made as asked (plain words for the person asking)."""


@dataclass
class ExportResult:
    directory: Path
    first_seq: int
    last_seq: int
    shown: int
    withheld: int
    checkpoint: AuditCheckpoint
    events_sha256: str
    oldest_at: datetime | None = None
    newest_at: datetime | None = None
    manifest: dict = field(default_factory=dict)


def _selected(filters: dict):
    """A predicate over ROW_FIELDS tuples equal to audit_event_list(**filters)."""
    types = None
    if filters.get("event_type"):
        code = filters["event_type"]
        types = {code} if "." in code else {c for c in EventType.values if c.startswith(code + ".")}
    case_ref, actor = filters.get("case_ref"), filters.get("actor")
    since, until = filters.get("since"), filters.get("until")

    def matches(row) -> bool:
        return (
            (types is None or row[2] in types)
            and (not case_ref or row[5] == case_ref)
            and (not actor or row[4] == actor)
            and (since is None or row[1] >= since)
            and (until is None or row[1] < until)
        )

    return matches


def _clean_filters(filters: dict) -> dict:
    return {k: v for k, v in (filters or {}).items() if v not in (None, "")}


def _describe(filters: dict) -> dict:
    return {k: (chain.format_time(v) if isinstance(v, datetime) else str(v)) for k, v in filters.items()}


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AuditExportRefused(f"{out} already exists and is not an empty directory; choose a new one")
    if not out.parent.exists():
        raise AuditExportRefused(f"the directory {out.parent} does not exist")


def export_plan(*, filters: dict, actor: Any = None) -> tuple[int, int, AuditCheckpoint, int]:
    """(first seq, last seq, checkpoint, selected rows) for a selection; signs a checkpoint if none covers it yet."""
    selected = audit_event_list(**filters).order_by()
    bounds = selected.order_by("seq").values_list("seq", flat=True)
    first = bounds.first()
    if first is None:
        raise AuditExportRefused(gettext_noop("no audit events match these filters; nothing to export"))
    last = selected.order_by("-seq").values_list("seq", flat=True).first()
    checkpoint = AuditCheckpoint.objects.filter(seq__gte=last).order_by("seq", "id").first()
    if checkpoint is None:
        # The export must end at a signed statement; sign the current head now (it is delivered to the office too).
        checkpoint = audit_checkpoint_create(actor=actor)
    return first, last, checkpoint, selected.count()


def write_verifiable_export(
    *,
    out: Path,
    filters: dict,
    first_seq: int,
    checkpoint: AuditCheckpoint,
    kind: str,
    what: str,
    progress=None,
    show_all: bool = False,
) -> ExportResult:
    """Write the export directory atomically (a temporary sibling renamed into place).

    Streams events first_seq..checkpoint.seq once, checking the chain as it goes:
    a damaged trail is refused rather than exported. Nothing is left behind on failure.
    """
    key = signing.load_signing_key()
    fingerprint = signing.fingerprint(key.public_key())
    matches = _selected(filters)
    last_seq = checkpoint.seq
    inner_checkpoints = list(
        AuditCheckpoint.objects.filter(seq__gte=first_seq - 1, seq__lte=last_seq).order_by("seq", "id")
    )
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        digest = hashlib.sha256()
        shown = withheld = 0
        oldest = newest = None
        prev_hash = None
        first_prev_hash = None
        total = last_seq - first_seq + 1
        with open(tmp / "events.jsonl", "wb") as handle:
            for done, row in enumerate(iter_rows(first_seq, last_seq), start=1):
                seq, stored = row[0], row[9]
                if seq != first_seq + done - 1 or chain.event_hash(*row[:9]) != stored:
                    raise AuditExportRefused(
                        f"the audit trail is damaged at event {first_seq + done - 1}; run audits_verify"
                    )
                if prev_hash is None:
                    first_prev_hash = row[8]
                elif row[8] != prev_hash:
                    raise AuditExportRefused(f"the audit trail is damaged at event {seq}; run audits_verify")
                if show_all or matches(row):
                    record = dict(zip(chain.ROW_FIELDS, row, strict=True))
                    record["occurred_at"] = chain.format_time(row[1])
                    shown += 1
                    oldest = row[1] if oldest is None else min(oldest, row[1])
                    newest = row[1] if newest is None else max(newest, row[1])
                else:
                    record = {"seq": seq, "hash": stored, "withheld": True}
                    withheld += 1
                line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()
                digest.update(line)
                handle.write(line)
                prev_hash = stored
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, total)
            handle.flush()
            os.fsync(handle.fileno())
        if prev_hash != checkpoint.head_hash or first_prev_hash is None:
            raise AuditExportRefused(
                f"the audit trail at event {last_seq} differs from its signed checkpoint; run audits_verify"
            )
        checkpoints = [
            {
                "id": cp.pk,
                "seq": cp.seq,
                "head_hash": cp.head_hash,
                "created_at": chain.format_time(cp.created_at),
                "key_fingerprint": cp.key_fingerprint,
                "signature": cp.signature,
            }
            for cp in inner_checkpoints
        ]
        manifest = {
            "format": verify_export.FORMAT,
            "kind": kind,
            "selection": _describe(filters),
            "first_seq": first_seq,
            "last_seq": last_seq,
            "prev_hash": first_prev_hash,
            "shown": shown,
            "withheld": withheld,
            "events_sha256": digest.hexdigest(),
            "created_at": chain.format_time(timezone.now()),
            "key_fingerprint": fingerprint,
        }
        manifest["signature"] = key.sign(verify_export.manifest_message(manifest)).hex()
        (tmp / "checkpoints.json").write_text(json.dumps(checkpoints, indent=1) + "\n", encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        shutil.copyfile(VERIFIER_SOURCE, tmp / "verify_export.py")
        (tmp / PUBLIC_KEY_FILE).write_bytes(signing.public_key_pem(key.public_key()))
        (tmp / "README.txt").write_text(
            README.format(what=what, fingerprint=fingerprint, folder=out.name, public_key=PUBLIC_KEY_FILE),
            encoding="utf-8",
        )
        # Check what was written with the same code the office will run, before anyone relies on it.
        try:
            verify_export.verify(tmp, key.public_key())
        except verify_export.Problem as problem:
            raise AuditExportRefused(f"the written export does not verify: {problem}") from None
        if out.exists():
            out.rmdir()  # checked empty by the caller
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if progress:
        progress(total, total)
    return ExportResult(
        directory=out,
        first_seq=first_seq,
        last_seq=last_seq,
        shown=shown,
        withheld=withheld,
        checkpoint=checkpoint,
        events_sha256=manifest["events_sha256"],
        oldest_at=oldest,
        newest_at=newest,
        manifest=manifest,
    )


def disclosure_record(
    *,
    actor,
    event_type: EventType | str,
    kind: str,
    fmt: str,
    justification: str,
    recipients: str,
    filters: dict | None = None,
    rows: int | None = None,
    extra: dict | None = None,
) -> tuple[AuditDisclosure, AuditEvent]:
    """Record a disclosure (R17): the AuditDisclosure row keeps what the requester typed (why, for whom, the filters
    as given); the event references it and copies none of that text (audits.texts). In the caller's transaction."""
    actor_id, actor_label = _actor_snapshot(actor)
    disclosure = AuditDisclosure.objects.create(
        kind=kind,
        format=fmt,
        actor_id=actor_id,
        actor_label=actor_label,
        justification=justification,
        recipients=recipients,
        filters=_describe(filters or {}),
        rows=rows,
        created_at=timezone.now(),
    )
    data = {
        "disclosure": f"{AuditDisclosure._meta.label}:{disclosure.pk}",
        "kind": kind,
        "format": fmt,
        "rows": rows,
        "filters": texts.filters_for_event(filters),
        **(extra or {}),
    }
    event = audit_record(actor=actor, event_type=event_type, target_ref=disclosure, data=data, need_seq=True)
    return disclosure, event


def _disclosure(*, actor, filters, rows, justification, recipients, fmt, extra=None) -> AuditEvent:
    _disclosure_row, event = disclosure_record(
        actor=actor,
        event_type=EventType.AUDIT_EXPORTED,
        kind="audit_export",
        fmt=fmt,
        justification=justification,
        recipients=recipients,
        filters=filters,
        rows=rows,
        extra=extra,
    )
    return event


def _require_text(justification: str, recipients: str) -> tuple[str, str]:
    justification, recipients = (justification or "").strip(), (recipients or "").strip()
    if not justification:
        raise AuditExportRefused(gettext_noop("an export is a disclosure: give the justification (why)"))
    if not recipients:
        raise AuditExportRefused(gettext_noop("an export is a disclosure: name the recipient (for whom)"))
    return justification, recipients


def audit_export_create(
    *, filters: dict, out: Path, justification: str, recipients: str, actor: Any, progress=None
) -> ExportResult:
    """Write an offline-verifiable export of the selected events into `out` (must not exist, or be empty).

    Preconditions: the signing key is available; at least one event matches.
    Side effects: may sign a checkpoint (when none covers the last selected
    event); records the disclosure (audit.exported: who, for whom, why, R17)
    before any data is written; on any failure no directory is left behind.
    """
    justification, recipients = _require_text(justification, recipients)
    filters = _clean_filters(filters)
    out = Path(out).resolve()
    _check_target(out)
    signing.load_signing_key()  # fail before recording anything
    first, _last, checkpoint, rows = export_plan(filters=filters, actor=actor)
    with transaction.atomic():
        _disclosure(
            actor=actor,
            filters=filters,
            rows=rows,
            justification=justification,
            recipients=recipients,
            fmt="verifiable",
            extra={"range": [first, checkpoint.seq], "out": out.name},
        )
    what = f"Selection: {json.dumps(_describe(filters), ensure_ascii=False) if filters else 'all events'}.\n" + (
        f"For: {recipients}. Why: {justification}."
    )
    return write_verifiable_export(
        out=out, filters=filters, first_seq=first, checkpoint=checkpoint, kind="export", what=what, progress=progress
    )


def export_root() -> Path:
    return Path(getattr(settings, "AUDIT_EXPORT_DIR", None) or Path(settings.VAR_DIR) / "audit-exports")


def audit_export_request(*, filters: dict, justification: str, recipients: str, actor) -> AuditExport:
    """Record the disclosure and queue a background export (web; long exports run in Celery).

    The job is queued only after the transaction commits (STYLE: pretix).
    """
    justification, recipients = _require_text(justification, recipients)
    filters = _clean_filters(filters)
    if not audit_event_list(**filters).exists():
        raise AuditExportRefused(gettext_noop("no audit events match these filters; nothing to export"))
    actor_id, actor_label = _actor_snapshot(actor)
    with transaction.atomic():
        disclosure, event = disclosure_record(
            actor=actor,
            event_type=EventType.AUDIT_EXPORTED,
            kind="audit_export",
            fmt="verifiable",
            justification=justification,
            recipients=recipients,
            filters=filters,
            rows=audit_event_list(**filters).count(),
        )
        job = AuditExport.objects.create(
            disclosure=disclosure,
            requested_by_id=actor_id,
            requested_by_label=actor_label,
            filters=_describe(filters),
            justification=justification,
            recipients=recipients,
            disclosure_seq=event.seq,
            created_at=timezone.now(),
        )
        from audits.tasks import audit_export_task

        transaction.on_commit(lambda: audit_export_task.delay(job.pk))
    return job


def _filters_from_job(job: AuditExport) -> dict:
    filters = dict(job.filters)
    for key in ("since", "until"):
        if filters.get(key):
            filters[key] = datetime.fromisoformat(filters[key].replace("Z", "+00:00"))
    return filters


def audit_export_run(*, export_id: int) -> AuditExport:
    """Produce a queued export's directory; idempotent (a finished job is left as it is).

    Progress is saved as it goes so the page can show it. The disclosure was
    recorded when the job was requested.
    """
    with transaction.atomic():
        job = AuditExport.objects.select_for_update().get(pk=export_id)
        # RUNNING is not final: a task redelivered after its worker died starts the job again.
        if job.status in (AuditExportStatus.DONE, AuditExportStatus.FAILED):
            return job
        job.status = AuditExportStatus.RUNNING
        job.save(update_fields=["status"])
    out = export_root() / f"export-{job.pk}"
    try:
        export_root().mkdir(parents=True, exist_ok=True)
        if out.exists():
            shutil.rmtree(out)  # a previous attempt that died half-way is redone
        Path(f"{out}.zip").unlink(missing_ok=True)
        filters = _filters_from_job(job)
        first, _last, checkpoint, _rows = export_plan(filters=filters, actor=job.requested_by_label)
        AuditExport.objects.filter(pk=job.pk).update(rows_total=checkpoint.seq - first + 1)

        def progress(done, total):
            AuditExport.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

        what = f"Selection: {json.dumps(job.filters, ensure_ascii=False) or 'all events'}.\n" + (
            f"For: {job.recipients}. Why: {job.justification}. Disclosure recorded as audit event {job.disclosure_seq}."
        )
        write_verifiable_export(
            out=out,
            filters=filters,
            first_seq=first,
            checkpoint=checkpoint,
            kind="export",
            what=what,
            progress=progress,
        )
        # One file to offer for download; the directory stays for the command line.
        shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
        AuditExport.objects.filter(pk=job.pk).update(
            status=AuditExportStatus.DONE, directory=out.name, finished_at=timezone.now()
        )
    except (AuditExportRefused, ImproperlyConfigured, OSError) as exc:
        AuditExport.objects.filter(pk=job.pk).update(
            status=AuditExportStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


# ---------------------------------------------------------------- retention of exports (R19)


def audit_exports_due(*, cutoff: datetime) -> list[int]:
    """Export jobs finished (ready or failed) at or before `cutoff`: their files and rows are due for deletion."""
    finished = AuditExport.objects.filter(
        status__in=[AuditExportStatus.DONE, AuditExportStatus.FAILED], finished_at__lte=cutoff
    )
    return list(finished.order_by("pk").values_list("pk", flat=True))


def audit_exports_delete(*, pks: list[int]) -> list[int]:
    """Delete export jobs and, after commit, their directories and zip files (the disclosure event stays: it is the
    record that the export was made, R17). Returns the ids deleted."""
    rows = list(AuditExport.objects.filter(pk__in=pks).values_list("pk", "directory"))
    AuditExport.objects.filter(pk__in=[r[0] for r in rows]).delete()
    root = export_root()
    names = [name for _pk, name in rows if name]

    def remove_files():
        for name in names:
            shutil.rmtree(root / name, ignore_errors=True)
            (root / f"{name}.zip").unlink(missing_ok=True)

    transaction.on_commit(remove_files)
    return [r[0] for r in rows]
