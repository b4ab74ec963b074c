"""The data protection office as a witness of the trail.

Each signed checkpoint (and each retention cut) is delivered to the office as
it is made, after its transaction commits, and kept on the office's side. A
record once delivered is never replaced: whoever later holds the signing key
and rewrites part of the chain can re-sign a checkpoint in the platform's
database, but not the copy the office already has, and audits_verify (and
verify_export.py --witness) compare the two.

Settings (read here with defaults, so the app works without them):
- OFFICE_WITNESS_DIR: the office's store as a directory, one JSON file per
  record (checkpoint-<seq>-<id>.json, cut-<seq_to>-<id>.json), created with
  O_EXCL and made read-only. In production this is storage the office owns and
  the platform may only add to (for example an NFS export or object store with
  write-once retention, mounted create-only); the platform never needs to read
  it except to verify. Empty: no witness (verification says so).
- OFFICE_WITNESS_DELIVER: dotted path of a callable(record: dict) -> None that
  delivers one record (default: deliver_to_directory). Plug in e-mail, HTTPS or
  the office's notification inbox here; it must be idempotent (the same record
  may be delivered twice) and must refuse to replace a record it already holds.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from audits import chain
from audits.verify_export import read_witness

log = logging.getLogger(__name__)

DEFAULT_DELIVER = "audits.witness.deliver_to_directory"


class WitnessConflict(Exception):
    """The office already holds a different record under the same name."""


def witness_dir() -> Path | None:
    value = getattr(settings, "OFFICE_WITNESS_DIR", None)
    return Path(value) if value else None


def checkpoint_record(checkpoint) -> dict:
    return {
        "kind": "checkpoint",
        "id": checkpoint.pk,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "created_at": chain.format_time(checkpoint.created_at),
        "key_fingerprint": checkpoint.key_fingerprint,
        "signature": checkpoint.signature,
    }


def cut_record(cut) -> dict:
    return {
        "kind": "cut",
        "id": cut.pk,
        "seq_from": cut.seq_from,
        "seq_to": cut.seq_to,
        "checkpoint_id": cut.checkpoint_id,
        "head_hash": cut.head_hash,
        "events": cut.events,
        "archive_name": cut.archive_name,
        "archive_sha256": cut.archive_sha256,
        "event_seq": cut.event_seq,
        "created_at": chain.format_time(cut.created_at),
    }


def file_name(record: dict) -> str:
    position = record["seq"] if record["kind"] == "checkpoint" else record["seq_to"]
    return f"{record['kind']}-{position:012d}-{record['id']}.json"


def deliver_to_directory(record: dict) -> None:
    """Write one record as a new read-only file; an identical existing file is fine, a different one is not."""
    directory = witness_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(record)
    body = json.dumps(record, sort_keys=True, indent=1).encode() + b"\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        if path.read_bytes() != body:
            raise WitnessConflict(f"the office already holds a different {path.name}; refusing to replace it") from None
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())


def deliver(record: dict) -> bool:
    """Deliver one record with the configured function. A failure is logged, never raised:

    the checkpoint stays valid and is delivered again by witness_deliver_pending()
    (every audits_checkpoint run). A WitnessConflict is raised: it means tampering.
    """
    if witness_dir() is None and not getattr(settings, "OFFICE_WITNESS_DELIVER", None):
        return False
    func = import_string(getattr(settings, "OFFICE_WITNESS_DELIVER", None) or DEFAULT_DELIVER)
    try:
        func(record)
    except WitnessConflict:
        raise
    except Exception:  # noqa: BLE001 - the office being unreachable must not stop the platform
        log.exception("could not deliver %s to the data protection office", file_name(record))
        return False
    return True


def office_copies() -> list[dict] | None:
    """The office's checkpoint copies, or None when no witness directory is configured."""
    directory = witness_dir()
    if directory is None:
        return None
    if not directory.exists():
        return []
    return read_witness(directory)


def office_cut_copies() -> dict[int, dict]:
    directory = witness_dir()
    if directory is None or not directory.exists():
        return {}
    return {json.loads(p.read_text())["id"]: json.loads(p.read_text()) for p in sorted(directory.glob("cut-*.json"))}


def witness_deliver_pending() -> int:
    """Deliver every checkpoint and cut the office's directory does not hold yet (idempotent)."""
    from audits.models import AuditCheckpoint, AuditCut

    directory = witness_dir()
    if directory is None:
        return 0
    delivered = 0
    held = {p.name for p in directory.glob("*.json")} if directory.exists() else set()
    for checkpoint in AuditCheckpoint.objects.order_by("seq", "id"):
        record = checkpoint_record(checkpoint)
        if file_name(record) not in held:
            delivered += deliver(record)
    for cut in AuditCut.objects.order_by("seq_to"):
        record = cut_record(cut)
        if file_name(record) not in held:
            delivered += deliver(record)
    return delivered
