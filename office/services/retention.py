"""THE retention run (R19), the urgency purge (R9) and THE person eraser: the office applies every app's rules.

The schedule is SCHEDULE below: the plain declarations of oversight.retention, watchlists.retention and
recognition.retention, imported here, in that order. retention_run applies every rule once, in one transaction per
run: at most RETENTION_BATCH_SIZE rows per rule, taken FOR UPDATE SKIP LOCKED so several workers never take the
same rows, deleted with the deletion code of their kind, and recorded as ONE audit event (counts and identifiers per
rule, never content) plus one DeletionRecord per rule, kind and case. The audit event is appended last, so the
single audit head row is locked only for the commit, not for the deletions (benchmarks/retention_bench.py measures
what concurrent appends feel).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from audits.events import EventType
from audits.models import AuditExport
from audits.services import SYSTEM, audit_record
from audits.services.cuts import audit_retention_apply, cut_plan, retention_cutoff
from audits.services.exports import audit_exports_delete, audit_exports_due
from office.models import DeletionRecord
from oversight import retention as oversight_retention
from oversight.holds import DeletionPath, held_ids
from oversight.models import Case, Person
from oversight.retention import (
    PERSON,
    DeletableKind,
    Deleted,
    RetentionRule,
    case_text_reduce,
    merge,
    period,
    take,
)
from recognition import retention as recognition_retention
from watchlists import retention as watchlists_retention
from watchlists.services import watchlist_orphan_files_sweep

logger = logging.getLogger(__name__)

URGENCY_PURGE = "oversight.urgency_purge"
AUDIT_TRAIL_CUT = "audits.trail_cut"

# Every kind of personal data, by label, as each app declares it (the person's entry is completed below).
_DECLARED_KINDS: tuple[DeletableKind, ...] = (
    *oversight_retention.KINDS,
    *watchlists_retention.KINDS,
    *recognition_retention.KINDS,
)


# ---------------------------------------------------------------- THE person eraser


def persons_delete(*, pks: list[int]) -> Deleted:
    """Delete persons and, first, everything of theirs every app keeps (photos, alerts...). THE person eraser."""
    out: Deleted = {}
    if not pks:
        return out
    for kind in _DECLARED_KINDS:
        if kind.of_persons is not None and kind.label != PERSON:
            dependent = kind.of_persons(pks)
            if dependent:
                merge(out, kind.delete(pks=dependent))
    return merge(out, oversight_retention.person_rows_delete(pks=pks))


def persons_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    """oversight's candidates, less the persons something of a higher layer still holds (their alerts leave by
    their own rules; the person rule never cuts them short)."""
    ids = oversight_retention.persons_due_candidates(now=now)
    for kind in _DECLARED_KINDS:
        if kind.persons_holding is not None and ids:
            waiting = kind.persons_holding(ids)
            ids = [pk for pk in ids if pk not in waiting]
    if not ids:
        return []
    return take(Person.objects.filter(pk__in=ids), limit=limit, lock=lock)


KINDS: dict[str, DeletableKind] = {
    kind.label: replace(kind, delete=persons_delete) if kind.label == PERSON else kind for kind in _DECLARED_KINDS
}

# ---------------------------------------------------------------- the audit trail's export files (R19)
#
# audits sits below the shape every rule is declared in (oversight.retention), so its line is declared here, with its
# own deletion code (audits.services.exports).
EXPORT = "audits.AuditExport"


def _exports_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    pks = audit_exports_due(cutoff=now - period(EXPORTS_RULE))
    return take(AuditExport.objects.filter(pk__in=pks), limit=limit, lock=lock) if pks else []


def exports_delete(*, pks: list[int]) -> Deleted:
    ids = audit_exports_delete(pks=pks)
    return {EXPORT: {None: ids}} if ids else {}


EXPORTS_RULE = RetentionRule(
    code="audits.exports",
    data=gettext_noop(
        "Audit trail exports: the files (events, their hashes) and the job rows (justification, recipients)"
    ),
    clock=gettext_noop("the export's completion (ready or failed); the disclosure event stays in the trail"),
    setting="RETENTION_EXPORT_DAYS",
    unit="days",
    minimum=1,
    maximum=365,
    action="delete",
    select=_exports_due,
    apply=exports_delete,
)

# THE retention schedule (R19): every app's lines, the person line applied with the eraser above.
SCHEDULE: tuple[RetentionRule, ...] = (
    replace(oversight_retention.PERSONS_RULE, select=persons_due, apply=persons_delete),
    *(rule for rule in oversight_retention.RULES if rule.code != oversight_retention.PERSONS_RULE.code),
    *watchlists_retention.RULES,
    *recognition_retention.RULES,
    EXPORTS_RULE,
)


# ---------------------------------------------------------------- the audit trail's own cut


def audit_trail_cut(*, now: datetime, dry_run: bool) -> dict:
    """The audit trail's own retention (R18): archive, then cut, the events older than AUDIT_RETENTION_DAYS, as a
    whole prefix ending at a signed checkpoint (audits.services.audit_retention_apply). Sign-in records' IP
    networks leave the trail with it. Runs after this run's own event is committed, in its own transaction.
    Returns {"events": n}: those cut, or with ``dry_run`` those that would be.
    """
    plan = cut_plan(before=retention_cutoff(now=now))
    if plan is None:
        return {"events": 0}  # no signed checkpoint ends a due prefix: nothing to archive or cut
    if dry_run:
        return {"events": plan[1].seq - plan[0] + 1}
    return {"events": audit_retention_apply(now=now)["audit_events_cut"]}


# ---------------------------------------------------------------- the urgency purge (R9)


def case_data_purge(*, case_id: int, actor=SYSTEM) -> dict:
    """R9: delete everything an urgent use that ended without authorisation produced, in one transaction.

    Precondition: the case has data_deletion_due_at (refused, withdrawn, revoked or lapsed before authorisation).
    Every declared kind linked to cases is deleted (alerts with their crops and reviews, reference photos and
    templates, the persons sought) and the case's free text and impact assessment are reduced; restrictions do
    not hold it (the law orders this deletion). Idempotent: a purged case is left alone. Side effects:
    data_purged_at, DeletionRecords (rule oversight.urgency_purge) and one CASE_DATA_PURGED event listing what went,
    by identifier.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or case.data_deletion_due_at is None or case.data_purged_at is not None:
            return {}
        deleted: Deleted = {}
        # Persons last (persons_delete takes their dependents with them, each counted under its own kind), then
        # the case's free text: an unauthorised use keeps its reference, dates, statuses and counts, nothing else.
        for label, kind in sorted(KINDS.items(), key=lambda item: item[0] == "oversight.Person"):
            if kind.of_cases is None:
                continue
            # THE hold rule, asked for this path: by its declaration nothing holds an R9 purge (oversight.holds).
            held = held_ids(label=label, path=DeletionPath.URGENCY_PURGE)
            pks = [pk for pk in kind.of_cases([case.pk]) if pk not in held]
            if pks:
                merge(deleted, kind.delete(pks=pks))
        merge(deleted, case_text_reduce(pks=[case.pk]))
        now = timezone.now()
        case.data_purged_at = now
        case.save(update_fields=["data_purged_at", "updated_at"])
        summary = {label: sum(len(ids) for ids in by_case.values()) for label, by_case in deleted.items()}
        settle_constraints()
        event = audit_record(
            actor=actor,
            event_type=EventType.CASE_DATA_PURGED,
            case_ref=case,
            target_ref=case,
            data={
                "rule": URGENCY_PURGE,
                "counts": summary,
                "ids": {
                    label: sorted(i for ids in by_case.values() for i in ids) for label, by_case in deleted.items()
                },
                "due_at": case.data_deletion_due_at.isoformat(),
            },
            need_seq=True,
        )
        _deletion_records(URGENCY_PURGE, "delete", deleted, now=now, seq=event.seq)
    return summary


def case_data_purge_queue(case: Case, person_ids: list[int] | None = None) -> None:
    """Queue the R9 purge right after the transition commits (the retention run sweeps up any missed one): the
    whole use's, or with `person_ids` only the urgent-phase data of the persons a grant excluded."""

    def _queue():
        from office.tasks import case_data_purge as task
        from office.tasks import case_persons_purge as persons_task

        if person_ids:
            persons_task.delay(case.pk, sorted(person_ids))
        else:
            task.delay(case.pk)

    transaction.on_commit(_queue)


def _excluded_urgent_persons(case_ids: list[int] | None = None):
    """Persons a grant took out of the scope of a case that had started urgently: R9 applies to them as to a refusal
    (their matching was never authorised)."""
    persons = Person.objects.filter(in_scope=False, case__urgent_started_at__isnull=False).exclude(
        case__status__in=[Case.Status.URGENT, Case.Status.SUBMITTED]
    )
    return persons.filter(case_id__in=case_ids) if case_ids is not None else persons


def case_persons_purge(*, case_id: int, person_ids: list[int], actor=SYSTEM) -> dict:
    """R9 for a partial grant: delete everything the urgent phase produced about the persons the grant excluded
    (their alerts with crops and reviews, reference photos and templates, and their entries), in one transaction.

    Precondition: the case started urgently and was granted without these persons (in_scope False); any other id is
    ignored. Idempotent: persons already gone are skipped. THE hold rule is asked for the purge path (nothing holds
    it, oversight.holds). Side effects: DeletionRecords (rule oversight.urgency_purge) and one CASE_PERSONS_PURGED
    event listing what went, by identifier.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            return {}
        ids = list(_excluded_urgent_persons([case.pk]).filter(pk__in=person_ids).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk not in held_ids(label=PERSON, path=DeletionPath.URGENCY_PURGE)]
        if not ids:
            return {}
        deleted = persons_delete(pks=ids)
        now = timezone.now()
        summary = {label: sum(len(v) for v in by_case.values()) for label, by_case in deleted.items()}
        settle_constraints()
        event = audit_record(
            actor=actor,
            event_type=EventType.CASE_PERSONS_PURGED,
            case_ref=case,
            target_ref=case,
            data={
                "rule": URGENCY_PURGE,
                "persons": sorted(ids),
                "counts": summary,
                "ids": {label: sorted(i for v in by_case.values() for i in v) for label, by_case in deleted.items()},
            },
            need_seq=True,
        )
        _deletion_records(URGENCY_PURGE, "delete", deleted, now=now, seq=event.seq)
    return summary


# ---------------------------------------------------------------- the run


def settle_constraints() -> None:
    """Check the deferred foreign keys of the rows deleted so far NOW, before the audit head is locked.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED on PostgreSQL: left alone, one check per deleted row
    would run at COMMIT, after audit_record() has locked the single head row, and every concurrent append would
    wait for them (benchmarks/retention_bench.py: 1.4 s for a batch of 146,000 rows without this).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _deletion_records(rule: str, action: str, deleted: Deleted, *, now: datetime, seq: int | None) -> None:
    case_ids = {cid for by_case in deleted.values() for cid in by_case if cid is not None}
    refs = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference"))
    DeletionRecord.objects.bulk_create(
        [
            DeletionRecord(
                case_id=case_id,
                case_ref=refs.get(case_id, ""),
                rule=rule,
                kind=label,
                action=action,
                count=len(ids),
                ids=sorted(ids),
                deleted_at=now,
                audit_seq=seq,
            )
            for label, by_case in deleted.items()
            for case_id, ids in by_case.items()
        ]
    )


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """Dry run: how many rows each rule would take now (all of them, not one batch). Changes nothing."""
    now = now or timezone.now()
    counts = {rule.code: len(rule.select(now=now, limit=None, lock=False)) for rule in SCHEDULE}
    counts[URGENCY_PURGE] = Case.objects.filter(data_deletion_due_at__isnull=False, data_purged_at__isnull=True).count()
    counts[AUDIT_TRAIL_CUT] = audit_trail_cut(now=now, dry_run=True).get("events", 0)
    return counts


def retention_run(*, now: datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Apply the whole schedule once (periodic; safe on several workers at once; idempotent).

    One transaction: each rule takes at most batch_size rows due (SKIP LOCKED), deletes or reduces them with
    its kind's deletion code, then ONE RETENTION_APPLIED event records counts and identifiers per rule, and
    DeletionRecords the same per case. A run with nothing due records nothing. Unauthorised urgent uses still
    awaiting their purge (R9) are purged too, each in its own event. Returns {rule: rows taken}.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    counts: dict[str, int] = {}
    detail: dict[str, dict] = {}
    # R9 first (safety net for a purge whose task was lost), so its own event lists everything the use produced.
    # Each purge is its own transaction and event.
    due = Case.objects.filter(data_deletion_due_at__isnull=False, data_purged_at__isnull=True).values_list(
        "pk", flat=True
    )
    counts[URGENCY_PURGE] = sum(1 for pk in list(due) if case_data_purge(case_id=pk))
    excluded: dict[int, list[int]] = {}
    for pk, case_id in _excluded_urgent_persons().values_list("pk", "case_id"):
        excluded.setdefault(case_id, []).append(pk)
    counts[URGENCY_PURGE] += sum(1 for cid, ids in excluded.items() if case_persons_purge(case_id=cid, person_ids=ids))
    with transaction.atomic():
        results = []
        for rule in SCHEDULE:
            pks = rule.select(now=now, limit=batch_size, lock=True)
            counts[rule.code] = len(pks)
            if not pks:
                continue
            deleted = rule.apply(pks=pks)
            results.append((rule, deleted))
            detail[rule.code] = {
                "action": rule.action,
                "kinds": {
                    label: {
                        "count": sum(len(v) for v in by_case.values()),
                        "ids": sorted(i for v in by_case.values() for i in v),
                    }
                    for label, by_case in deleted.items()
                },
                "cases": sorted(cid for by_case in deleted.values() for cid in by_case if cid is not None),
            }
        if results:
            settle_constraints()
            event = audit_record(
                actor=SYSTEM,
                event_type=EventType.RETENTION_APPLIED,
                data={"at": now.isoformat(), "batch_size": batch_size, "rules": detail},
                need_seq=True,
            )
            for rule, deleted in results:
                _deletion_records(rule.code, rule.action, deleted, now=now, seq=event.seq)
    # Encrypted photo files no row refers to (a crash between commit and unlink), once an hour old.
    watchlist_orphan_files_sweep(now=now)
    counts[AUDIT_TRAIL_CUT] = audit_trail_cut(now=now, dry_run=False).get("events", 0)
    return counts
