"""The only way to write to the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from audits import chain, signing, witness
from audits.backends.postgresql.base import APPEND_ONE, NOT_SENT_YET, QueuedAppend
from audits.events import EventType
from audits.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditHead

APPEND_MANY = "SELECT seq, prev_hash, hash FROM audits_append_many(%s, %s, %s, %s, %s, %s, %s)"
SYSTEM = None  # actor for events the platform itself causes (scheduler, workers)


def _actor_snapshot(actor: Any) -> tuple[str, str]:
    if actor is None:
        return "", "system"
    if isinstance(actor, str):
        return "", actor[:150]
    if getattr(actor, "is_authenticated", False):
        return str(actor.pk), actor.get_username()[:150]
    return "", "anonymous"


def _ref(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    meta = getattr(value, "_meta", None)
    if meta is not None:
        return f"{meta.label}:{value.pk}"
    return str(value)


def _lock_head(*, using: str = DEFAULT_DB_ALIAS) -> AuditHead:
    """The head row, locked until the caller's transaction ends (serialises appends, checkpoints and cuts).

    On PostgreSQL through audits_lock_head() (SECURITY DEFINER): the application's role may not UPDATE the head, so
    it may not lock it with FOR UPDATE either (audits.triggers). The answer is a snapshot, never saved.
    using: the connection (the cut runs on the owner's, settings.AUDIT_OWNER_DATABASE).
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq, hash FROM audits_lock_head()")
            seq, digest = cursor.fetchone()
        return AuditHead(pk=1, seq=seq, hash=digest)
    heads = AuditHead.objects.using(using).select_for_update()
    head = heads.filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic(using=using):
                AuditHead.objects.using(using).create(pk=1, seq=0, hash=GENESIS_HASH)
        except IntegrityError:
            pass  # another writer created it first
        head = heads.get(pk=1)
    return head


def _unsent_event(connection, occurred_at, event_type, actor_id, actor_label, case_text, target_text, data_text):
    """The event as it will be stored, its seq, prev_hash and hash still to come from audits_append(): built before
    the append is sent, since from then to the commit the head is locked and every other writer waits."""
    event = AuditEvent(  # positional, in the model's field order: the fastest way Django builds an instance
        NOT_SENT_YET,
        occurred_at,
        event_type,
        actor_id,
        actor_label,
        case_text,
        target_text,
        data_text,
        NOT_SENT_YET,
        NOT_SENT_YET,
    )
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _append_postgresql(connection, row, *, need_seq) -> AuditEvent:
    """Queued on the connection and sent with the transaction's next statement or its COMMIT (the database backend,
    audits.backends.postgresql): audits_append() (migration 0003) then locks and advances the head, hashes and
    inserts, and the head stays locked only while the server runs the rest of that message.
    row: event_type, actor_id, actor_label, case_ref, target_ref and data, as stored."""
    occurred_at = timezone.now()
    event = _unsent_event(connection, occurred_at, *row)
    connection.audit_queue_append(QueuedAppend(APPEND_ONE, [occurred_at, *row], [event]), send_now=need_seq)
    return event


def audit_record(
    *,
    actor: Any,
    event_type: EventType | str,
    case_ref: Any = None,
    target_ref: Any = None,
    data: dict | None = None,
    using: str = DEFAULT_DB_ALIAS,
    need_seq: bool = False,
) -> AuditEvent:
    """Append one event to the trail, inside the caller's transaction.

    actor: a user, None for the platform itself, or a label (e.g. an attempted username).
    case_ref: the case's reference (or the case object); target_ref: "app.Model:pk" or text.
    data: JSON-serialisable details. Never put biometric content or photos here.
    using: the connection whose transaction the event joins (the cut's is the owner's).
    need_seq: the caller reads the event's seq, prev_hash or hash before its transaction commits. On PostgreSQL the
    append is otherwise sent with the transaction's next statement or its COMMIT, and until then those three are a
    placeholder that refuses to be used as a value.

    Side effects: locks the single AuditHead row from the moment the append is sent (with the transaction's next
    statement or its COMMIT) until the transaction ends, which serialises writers and keeps sequence numbers
    gapless: if the caller rolls back, the event and the head move back together.
    """
    event_type = EventType(event_type)
    actor_id, actor_label = _actor_snapshot(actor)
    case_text = getattr(case_ref, "reference", None) or _ref(case_ref)
    target_text = _ref(target_ref)
    data_text = chain.canonical_data(data)
    # savepoint=False: join the caller's transaction without an extra round trip;
    # an error here still rolls back the caller's whole transaction.
    connection = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql":
            row = (event_type.value, actor_id, actor_label, case_text, target_text, data_text)
            return _append_postgresql(connection, row, need_seq=need_seq)
        head = _lock_head(using=using)
        seq = head.seq + 1
        occurred_at = timezone.now()
        digest = chain.event_hash(
            seq, occurred_at, event_type.value, actor_id, actor_label, case_text, target_text, data_text, head.hash
        )
        event = AuditEvent.objects.using(using).create(
            seq=seq,
            occurred_at=occurred_at,
            event_type=event_type.value,
            actor_id=actor_id,
            actor_label=actor_label,
            case_ref=case_text,
            target_ref=target_text,
            data=data_text,
            prev_hash=head.hash,
            hash=digest,
        )
        head.seq, head.hash = seq, digest
        head.save(using=using, update_fields=["seq", "hash"])
    return event


def audit_record_many(*, events: list[dict], using: str = DEFAULT_DB_ALIAS, need_seq: bool = False) -> list[AuditEvent]:
    """Append several events of one action, in order, inside the caller's transaction: each dict takes
    audit_record's keywords (actor, event_type, case_ref, target_ref, data).

    The same chain as that many audit_record calls (same seqs, hashes and time), written on PostgreSQL by one call
    of audits_append_many(): one head lock and one head update for all of them, sent as audit_record's is.
    """
    rows = []
    for event in events:
        actor_id, actor_label = _actor_snapshot(event.get("actor"))
        case_ref = event.get("case_ref")
        rows.append(
            (
                EventType(event["event_type"]).value,
                actor_id,
                actor_label,
                getattr(case_ref, "reference", None) or _ref(case_ref),
                _ref(event.get("target_ref")),
                chain.canonical_data(event.get("data")),
            )
        )
    if not rows:
        return []
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using, savepoint=False):
            return [audit_record(**event, using=using) for event in events]
    occurred_at = timezone.now()
    columns = [list(column) for column in zip(*rows, strict=True)]
    appended = [_unsent_event(connection, occurred_at, *row) for row in rows]
    with transaction.atomic(using=using, savepoint=False):
        connection.audit_queue_append(QueuedAppend(APPEND_MANY, [occurred_at, *columns], appended), send_now=need_seq)
    return appended


def audit_checkpoint_create(*, actor: Any = None) -> AuditCheckpoint:
    """Sign (count, head hash, time) with the Ed25519 key and store it.

    Holds the head lock so no event can slip in between reading the head and
    recording the checkpoint. The checkpoint is itself recorded as an event
    after the one it vouches for. Once committed, it is delivered to the data
    protection office (audits.witness), which keeps its own copy.
    """
    key = signing.load_signing_key()
    with transaction.atomic():
        head = _lock_head()
        created_at = timezone.now()
        message = signing.checkpoint_message(head.seq, head.hash, chain.format_time(created_at))
        checkpoint = AuditCheckpoint.objects.create(
            seq=head.seq,
            head_hash=head.hash,
            created_at=created_at,
            key_fingerprint=signing.fingerprint(key.public_key()),
            signature=key.sign(message).hex(),
        )
        audit_record(
            actor=actor,
            event_type=EventType.AUDIT_CHECKPOINT,
            target_ref=checkpoint,
            data={"seq": checkpoint.seq, "head_hash": checkpoint.head_hash},
        )
        record = witness.checkpoint_record(checkpoint)
        transaction.on_commit(lambda: witness.deliver(record))
    return checkpoint


def audit_checkpoint_due(*, now=None) -> AuditCheckpoint | None:
    """Sign a checkpoint when the unprotected tail (events after the last checkpoint) is due: it holds events and
    either the last checkpoint is AUDIT_CHECKPOINT_SECONDS old (at most 5 minutes) or AUDIT_CHECKPOINT_EVENTS events
    arrived since. Run every minute by the scheduler; returns the new checkpoint or None. Events after the last
    checkpoint could be rewritten undetected by someone who can bypass the triggers, so the tail is kept short."""
    from django.conf import settings

    now = now or timezone.now()
    last = AuditCheckpoint.objects.order_by("-seq", "-id").first()
    head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    # Events after the last checkpoint, not counting that checkpoint's own audit.checkpoint event.
    tail = head - (last.seq + 1 if last else 0)
    if tail <= 0:
        return None
    old = last is None or (now - last.created_at).total_seconds() >= settings.AUDIT_CHECKPOINT_SECONDS
    if not old and tail < settings.AUDIT_CHECKPOINT_EVENTS:
        return None
    return audit_checkpoint_create(actor="scheduler")
