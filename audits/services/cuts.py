"""Retention of the trail itself (R18): archive a whole prefix, then cut it.

Events older than AUDIT_RETENTION_DAYS (never less than 183 days) may leave the
database only as a prefix that ends at a signed checkpoint, after it has been
written to an archive the office can verify offline with the public key alone
(the export format, every event shown). The cut is recorded as an AuditCut row
and an audit.cut event in the same transaction as the deletion, which runs
through the one narrow path the triggers allow (audits.triggers).

The cut's transaction runs on the owner's connection (settings.AUDIT_OWNER_DATABASE: the alias "owner" when
DATABASE_OWNER_URL is set, else "default"): in production the application connects as a role that may not
record a cut or call audits_cut(), so the retention job and `manage.py audits_archive_cut` reach the owner through
their own connection instead of switching the whole process to it.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audits import chain, signing, witness
from audits.events import EventType
from audits.models import AuditCheckpoint, AuditCut, AuditEvent
from audits.services.exports import AuditExportRefused, _check_target, write_verifiable_export
from audits.services.record import _actor_snapshot, _lock_head, audit_record

RETENTION_MINIMUM_DAYS = 183  # R18: logs are kept at least 6 months


class AuditCutRefused(Exception):
    """The cut cannot be made as asked (plain words)."""


def retention_days() -> int:
    return max(RETENTION_MINIMUM_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", 3 * 365)))


def retention_cutoff(*, now: datetime | None = None) -> datetime:
    """Events older than this are due for archiving and removal."""
    return (now or timezone.now()) - timedelta(days=retention_days())


def archive_root() -> Path:
    return Path(getattr(settings, "AUDIT_ARCHIVE_DIR", None) or Path(settings.VAR_DIR) / "audit-archive")


def owner_alias() -> str:
    """The connection that may cut: the owner's where one is configured, else the only one."""
    return getattr(settings, "AUDIT_OWNER_DATABASE", "default")


def _next_cut_start(*, using: str = "default") -> int:
    last = AuditCut.objects.using(using).order_by("-seq_to").values_list("seq_to", flat=True).first()
    return (last or 0) + 1


def cut_plan(*, before: datetime) -> tuple[int, AuditCheckpoint] | None:
    """(first seq, checkpoint) of the longest prefix ending at a checkpoint whose last event is older than `before`."""
    first = _next_cut_start()
    # Correlated per checkpoint (a primary-key lookup each), never a scan of the events.
    due = Exists(AuditEvent.objects.filter(seq=OuterRef("seq"), occurred_at__lt=before))
    checkpoint = AuditCheckpoint.objects.filter(due, seq__gte=first).order_by("-seq", "-id").first()
    return None if checkpoint is None else (first, checkpoint)


def audit_trail_cut(*, before: datetime, archive_dir: Path | str, actor: Any) -> AuditCut | None:
    """Archive and remove the events before the last signed checkpoint older than `before`.

    Preconditions: `before` is at least AUDIT_RETENTION_DAYS (>= 183) in the
    past; archive_dir exists; the signing key is available; the chain verifies
    up to the checkpoint (the archive writer checks every event and refuses a
    damaged trail). Returns None when no checkpoint ends a due prefix.

    Side effects: writes archive_dir/audit-archive-<from>-<to>/ (events.jsonl,
    checkpoints.json, manifest.json, verify_export.py, README.txt), checks it
    with the offline verifier; then, in one transaction holding the head lock,
    records the audit.cut event and the AuditCut row and deletes the prefix
    (audits_cut() on PostgreSQL). The cut record is delivered to the office
    after commit. If anything fails, no event is removed and the archive is deleted.
    """
    cutoff = retention_cutoff()
    if before > cutoff:
        raise AuditCutRefused(
            f"events younger than {retention_days()} days must be kept (AUDIT_RETENTION_DAYS, at least 183 "
            f"under R18): choose a time on or before {chain.format_time(cutoff)}"
        )
    archive_dir = Path(archive_dir)
    if not archive_dir.is_dir():
        raise AuditCutRefused(f"the archive directory {archive_dir} does not exist")
    signing.load_signing_key()
    plan = cut_plan(before=before)
    if plan is None:
        return None
    first, checkpoint = plan
    out = (archive_dir / f"audit-archive-{first:012d}-{checkpoint.seq:012d}").resolve()
    try:
        _check_target(out)
        result = write_verifiable_export(
            out=out,
            filters={},
            first_seq=first,
            checkpoint=checkpoint,
            kind="archive",
            what=(
                f"Archive of audit events {first} to {checkpoint.seq}, removed from the platform after their "
                f"retention (R18). The platform keeps a record of this cut; its trail continues at event "
                f"{checkpoint.seq + 1}, linking to the checkpoint's head hash {checkpoint.head_hash}."
            ),
            show_all=True,
        )
    except AuditExportRefused as exc:
        raise AuditCutRefused(str(exc)) from None
    try:
        if result.newest_at is not None and result.newest_at >= before:
            raise AuditCutRefused(
                f"an event before checkpoint {checkpoint.pk} is not older than {chain.format_time(before)}; "
                "nothing was removed"
            )
        _actor_id, actor_label = _actor_snapshot(actor)
        owner = owner_alias()
        with transaction.atomic(using=owner):
            _lock_head(using=owner)  # serialises with appends, checkpoints and other cuts
            if _next_cut_start(using=owner) != first:
                raise AuditCutRefused("another cut was made meanwhile; run again")
            events = checkpoint.seq - first + 1
            data = {
                "seq_from": first,
                "seq_to": checkpoint.seq,
                "events": events,
                "checkpoint_id": checkpoint.pk,
                "head_hash": checkpoint.head_hash,
                "archive_name": out.name,
                "archive_sha256": result.events_sha256,
                "before": chain.format_time(before),
                "oldest_at": chain.format_time(result.oldest_at),
                "newest_at": chain.format_time(result.newest_at),
            }
            event = audit_record(
                actor=actor,
                event_type=EventType.AUDIT_CUT,
                target_ref=checkpoint,
                data=data,
                using=owner,
                need_seq=True,
            )
            cut = AuditCut.objects.using(owner).create(
                seq_from=first,
                seq_to=checkpoint.seq,
                checkpoint=checkpoint,
                head_hash=checkpoint.head_hash,
                events=events,
                oldest_at=result.oldest_at,
                newest_at=result.newest_at,
                before=before,
                archive_name=out.name,
                archive_sha256=result.events_sha256,
                event_seq=event.seq,
                actor_label=actor_label,
                created_at=timezone.now(),
            )
            if connections[owner].vendor == "postgresql":
                with connections[owner].cursor() as cursor:
                    cursor.execute("SELECT audits_cut(%s)", [cut.pk])
                    deleted = cursor.fetchone()[0]
            else:
                deleted, _ = AuditEvent.objects.using(owner).filter(seq__gte=first, seq__lte=checkpoint.seq).delete()
            if deleted != events:
                raise AuditCutRefused(f"expected to remove {events} events, found {deleted}; nothing was removed")
            record = witness.cut_record(cut)
            transaction.on_commit(lambda: witness.deliver(record), using=owner)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return cut


def may_cut() -> bool:
    """Whether the cut's connection (owner_alias()) may run the cut (the owner may; the application's role may not)."""
    connection = connections[owner_alias()]
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_function_privilege('audits_cut(bigint)', 'EXECUTE')")
        return bool(cursor.fetchone()[0])


def audit_retention_apply(*, now: datetime | None = None, archive_dir: Path | str | None = None) -> dict:
    """What the retention job calls: cut everything due under AUDIT_RETENTION_DAYS. Idempotent.

    Returns counts for the job's summary line: {"audit_events_cut": n, "audit_cut_id": id or None}.
    """
    if not may_cut():
        # The application's role may not cut (audits.triggers) and no DATABASE_OWNER_URL gives the owner's
        # connection: the owner runs `manage.py audits_archive_cut` instead.
        return {"audit_events_cut": 0, "audit_cut_id": None, "audit_cut_skipped": "not the owner role"}
    directory = Path(archive_dir) if archive_dir else archive_root()
    directory.mkdir(parents=True, exist_ok=True)
    cut = audit_trail_cut(before=retention_cutoff(now=now), archive_dir=directory, actor="retention")
    return {"audit_events_cut": cut.events if cut else 0, "audit_cut_id": cut.pk if cut else None}
