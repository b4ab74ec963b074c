"""Reads of the audit trail."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from audits import chain, signing
from audits.models import AuditCheckpoint, AuditEvent

VERIFY_CHUNK = 20_000


def audit_event_list(
    *,
    event_type: str | None = None,
    case_ref: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if event_type:
        qs = (
            qs.filter(event_type=event_type)
            if "." in event_type
            else qs.filter(event_type__startswith=event_type + ".")
        )
    if case_ref:
        qs = qs.filter(case_ref=case_ref)
    if actor:
        qs = qs.filter(actor_label=actor)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    return qs.order_by("-seq")


def _iter_rows():
    """All events in seq order, streamed: a server-side cursor on PostgreSQL."""
    if connection.vendor == "postgresql":
        columns = ", ".join(chain.ROW_FIELDS)
        with connection.cursor() as django_cursor:
            raw = django_cursor.connection  # psycopg connection
            with raw.transaction():
                with raw.cursor(name="audits_verify") as cursor:
                    cursor.itersize = VERIFY_CHUNK
                    cursor.execute(f"SELECT {columns} FROM audits_auditevent ORDER BY seq")  # noqa: S608
                    yield from cursor
        return
    yield from AuditEvent.objects.order_by("seq").values_list(*chain.ROW_FIELDS).iterator(chunk_size=VERIFY_CHUNK)


def audit_verify() -> chain.VerifyResult:
    """Recompute the chain and compare it with every stored checkpoint."""
    claims = []
    public_key = None
    checkpoints = list(AuditCheckpoint.objects.order_by("seq", "id"))
    if checkpoints:
        public_key = signing.load_verify_key()
        expected_fp = signing.fingerprint(public_key)
    for cp in checkpoints:
        message = signing.checkpoint_message(cp.seq, cp.head_hash, chain.format_time(cp.created_at))
        ok = cp.key_fingerprint == expected_fp and signing.signature_valid(public_key, cp.signature, message)
        claims.append(chain.CheckpointClaim(seq=cp.seq, head_hash=cp.head_hash, signature_ok=ok, ident=cp.pk))
    return chain.verify_rows(_iter_rows(), claims)
