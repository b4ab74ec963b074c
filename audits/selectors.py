"""Reads of the audit trail."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from audits import chain, signing, witness
from audits.events import EventType
from audits.models import AuditCheckpoint, AuditCut, AuditEvent, AuditExport, AuditHead

VERIFY_CHUNK = 20_000
PAGE_SIZE = 50


def _event_types(event_type: str | None) -> list[str] | None:
    """An exact code, or every code of a prefix ("case" -> case.*); None for any type."""
    if not event_type:
        return None
    if "." in event_type:
        return [event_type]
    return [code for code in EventType.values if code.startswith(event_type + ".")] or [event_type + ".none"]


def audit_event_list(
    *,
    event_type: str | None = None,
    case_ref: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching the filters, newest first (by time, then sequence number)."""
    qs = AuditEvent.objects.all()
    types = _event_types(event_type)
    if types is not None:
        qs = qs.filter(event_type__in=types)
    if case_ref:
        qs = qs.filter(case_ref=case_ref)
    if actor:
        qs = qs.filter(actor_label=actor)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    return qs.order_by("-occurred_at", "-seq")


@dataclass
class EventPage:
    events: list[AuditEvent]
    has_older: bool
    has_newer: bool

    @property
    def older_cursor(self) -> str | None:
        return cursor_encode(self.events[-1]) if self.has_older and self.events else None

    @property
    def newer_cursor(self) -> str | None:
        return cursor_encode(self.events[0]) if self.has_newer and self.events else None

    def __iter__(self):
        return iter(self.events)

    def __len__(self):
        return len(self.events)


def cursor_encode(event: AuditEvent) -> str:
    return f"{chain.format_time(event.occurred_at)}_{event.seq}"


def cursor_decode(value: str | None) -> tuple[datetime, int] | None:
    """A page cursor ("<time>_<seq>"); None for an absent or malformed one (then the first page)."""
    if not value:
        return None
    try:
        time_text, seq_text = value[:80].rsplit("_", 1)
        moment, seq = datetime.fromisoformat(time_text.replace("Z", "+00:00")), int(seq_text)
    except ValueError:
        return None
    # Only cursors this code could have made: an aware moment of a plausible year, a sequence number the column holds.
    if moment.tzinfo is None or not 1900 <= moment.year <= 2999 or not 0 <= seq < 2**63:
        return None
    return moment, seq


def _keyset(qs: QuerySet, cursor: tuple[datetime, int], *, older: bool) -> QuerySet:
    # A row comparison, so PostgreSQL starts the index range scan at the cursor.
    op = "<" if older else ">"
    return qs.extra(where=[f"(occurred_at, seq) {op} (%s, %s)"], params=list(cursor))  # noqa: S610


# A camera writes one scan.batch event per half second of video: where a person reads the trail, batches are rolled
# up into their scan (scan.started and scan.stopped, which carries the scan's totals) unless asked for by name.
ROLLED_UP = (EventType.SCAN_BATCH,)


def audit_event_page(
    *,
    filters: dict,
    older_than: str | None = None,
    newer_than: str | None = None,
    size: int = PAGE_SIZE,
    roll_up_batches: bool = False,
) -> EventPage:
    """One page of the browser by keyset pagination: no COUNT, no OFFSET.

    Prefix type filters ("scan" = scan.*) run one index range scan per event type
    and merge them (UNION ALL, each limited): with a single IN list PostgreSQL 15
    would have to sort every matching row. With ``roll_up_batches`` (the reviewers' pages) scan batches are left
    out unless their exact type is asked for; the remaining types are merged the same way, so the dominant batch
    rows are never scanned.
    """
    older = cursor_decode(older_than)
    newer = None if older else cursor_decode(newer_than)
    types = _event_types(filters.get("event_type"))
    if roll_up_batches and filters.get("event_type") not in ROLLED_UP:
        types = [code for code in (types if types is not None else EventType.values) if code not in ROLLED_UP]
    base_filters = {k: v for k, v in filters.items() if k != "event_type"}

    def limited(qs):
        if older:
            return _keyset(qs, older, older=True)[: size + 1]
        if newer:
            return _keyset(qs, newer, older=False).order_by("occurred_at", "seq")[: size + 1]
        return qs[: size + 1]

    if types is None:
        parts = [limited(audit_event_list(**base_filters))]
    elif len(types) == 1 or not connection.features.supports_slicing_ordering_in_compound:
        # One type, or SQLite (a local run), which cannot merge limited parts: one query.
        parts = [limited(audit_event_list(**base_filters).filter(event_type__in=types))]
    else:
        parts = [limited(audit_event_list(**base_filters, event_type=code)) for code in types]
    if len(parts) == 1:
        rows = list(parts[0])
    else:
        order = ("occurred_at", "seq") if newer else ("-occurred_at", "-seq")
        rows = list(parts[0].union(*parts[1:], all=True).order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if newer:
        rows.reverse()
        return EventPage(rows, has_older=True, has_newer=more)
    return EventPage(rows, has_older=more, has_newer=older is not None)


# The canonical UTC text of occurred_at (audits.chain.format_time), written by PostgreSQL as audits_append() does:
# verification then neither parses nor formats a datetime per event (about half its time).
_PG_CANONICAL_TIME = """to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def iter_rows(seq_from: int | None = None, seq_to: int | None = None, *, time_as_text: bool = False):
    """Events (tuples in chain.ROW_FIELDS order) in seq order, streamed: a server-side cursor on PostgreSQL.

    time_as_text: occurred_at as its canonical text (enough for hashing) instead of a datetime, on PostgreSQL.
    """
    where, params = [], []
    if seq_from is not None:
        where.append("seq >= %s")
        params.append(seq_from)
    if seq_to is not None:
        where.append("seq <= %s")
        params.append(seq_to)
    if connection.vendor == "postgresql":
        fields = chain.ROW_FIELDS
        if time_as_text:
            fields = [_PG_CANONICAL_TIME if name == "occurred_at" else name for name in fields]
        columns = ", ".join(fields)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with connection.cursor() as django_cursor:
            raw = django_cursor.connection  # psycopg connection
            with raw.transaction():
                with raw.cursor(name="audits_rows") as cursor:
                    cursor.execute(f"SELECT {columns} FROM audits_auditevent{clause} ORDER BY seq", params)  # noqa: S608
                    yield from _prefetched(cursor, VERIFY_CHUNK)
        return
    qs = AuditEvent.objects.order_by("seq")
    if seq_from is not None:
        qs = qs.filter(seq__gte=seq_from)
    if seq_to is not None:
        qs = qs.filter(seq__lte=seq_to)
    yield from qs.values_list(*chain.ROW_FIELDS).iterator(chunk_size=VERIFY_CHUNK)


_iter_rows = iter_rows  # the name benchmarks and older callers use


def _prefetched(cursor, size: int):
    """The rows of a server-side cursor, the next chunk fetched by a thread while the caller works on this one.

    Verification hashes while PostgreSQL produces and sends the next rows (psycopg waits on the network without
    holding the GIL): on 300,000 events the fetch alone took 1.55 s, 0.88 s of it this process's CPU. The cursor is
    used by the fetching thread only; at most two chunks wait. When the caller stops early (damage found), the thread
    finishes its chunk and ends before the cursor closes.
    """
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch():
        try:
            while not stop.is_set():
                chunk = cursor.fetchmany(size)
                chunks.put(chunk)
                if not chunk:
                    return
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            chunks.put(error)

    thread = threading.Thread(target=fetch, name="audits-rows", daemon=True)
    thread.start()
    try:
        while True:
            chunk = chunks.get()
            if isinstance(chunk, BaseException):
                raise chunk
            if not chunk:
                return
            yield from chunk
    finally:
        stop.set()
        while thread.is_alive():  # unblock a put() the caller will no longer take
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.05)
        thread.join()


def checkpoint_signature_ok(checkpoint: AuditCheckpoint, public_key, fingerprint: str) -> bool:
    message = signing.checkpoint_message(checkpoint.seq, checkpoint.head_hash, chain.format_time(checkpoint.created_at))
    return checkpoint.key_fingerprint == fingerprint and signing.signature_valid(
        public_key, checkpoint.signature, message
    )


def _check_cuts(cuts, checkpoints_by_id, public_key, fingerprint) -> chain.VerifyResult | None:
    """Recorded cuts must be contiguous from event 1, each ending at its signed checkpoint and recorded in the trail."""
    expected_from = 1
    office_cuts = witness.office_cut_copies()
    for cut in cuts:

        def bad(detail, cut=cut):
            return chain.VerifyResult(False, 0, "", chain.Damage.BAD_CUT, cut.seq_from, f"cut {cut.pk}: {detail}")

        if cut.seq_from != expected_from:
            return bad(f"starts at event {cut.seq_from}, the previous cut ended at {expected_from - 1}")
        checkpoint = checkpoints_by_id.get(cut.checkpoint_id)
        if checkpoint is None or (checkpoint.seq, checkpoint.head_hash) != (cut.seq_to, cut.head_hash):
            return bad(f"does not end at its signed checkpoint (event {cut.seq_to})")
        if not checkpoint_signature_ok(checkpoint, public_key, fingerprint):
            return bad(f"its checkpoint {checkpoint.pk} does not verify with the audit key")
        if witness.witness_dir() is not None:
            copy = office_cuts.get(cut.pk)
            if copy is None or copy != witness.cut_record(cut):
                return bad("the data protection office holds no matching copy of this cut")
        expected_from = cut.seq_to + 1
    if cuts:
        last = cuts[-1]
        recorded = AuditEvent.objects.filter(seq=last.event_seq).values_list("event_type", "data").first()
        if recorded is not None:  # absent only if a later cut removed it, which the loop above vouches for
            data = json.loads(recorded[1])
            if recorded[0] != EventType.AUDIT_CUT or (data.get("seq_to"), data.get("archive_sha256")) != (
                last.seq_to,
                last.archive_sha256,
            ):
                return bad_event(last)
        elif last.event_seq > last.seq_to:
            return bad_event(last)
    return None


def bad_event(cut) -> chain.VerifyResult:
    return chain.VerifyResult(
        False,
        0,
        "",
        chain.Damage.BAD_CUT,
        cut.event_seq,
        f"cut {cut.pk}: its audit.cut event (seq {cut.event_seq}) is missing or does not match",
    )


def audit_verify() -> chain.VerifyResult:
    """Recompute the chain from the last recorded cut and compare it with every checkpoint,

    the platform's and the copies the data protection office holds (audits.witness).
    """
    claims = []
    public_key = fingerprint = None
    checkpoints = list(AuditCheckpoint.objects.order_by("seq", "id"))
    copies = witness.office_copies()
    cuts = list(AuditCut.objects.order_by("seq_to"))
    if checkpoints or copies or cuts:
        public_key = signing.load_verify_key()
        fingerprint = signing.fingerprint(public_key)
    by_id = {cp.pk: cp for cp in checkpoints}
    problem = _check_cuts(cuts, by_id, public_key, fingerprint)
    if problem is not None:
        return problem
    for cp in checkpoints:
        ok = checkpoint_signature_ok(cp, public_key, fingerprint)
        claims.append(chain.CheckpointClaim(seq=cp.seq, head_hash=cp.head_hash, signature_ok=ok, ident=cp.pk))
    for copy in copies or []:
        from audits.verify_export import checkpoint_valid

        label = f"the office's copy {copy.get('_file')}"
        ok = checkpoint_valid(public_key, copy)
        mine = by_id.get(copy.get("id"))
        if ok and mine is not None and (mine.seq, mine.head_hash) != (copy["seq"], copy["head_hash"]):
            return chain.VerifyResult(
                False,
                0,
                "",
                chain.Damage.WITNESS_MISMATCH,
                min(mine.seq, copy["seq"]),
                f"checkpoint {mine.pk} says {mine.seq} events ending {mine.head_hash[:16]}..., {label} says "
                f"{copy['seq']} events ending {copy['head_hash'][:16]}...",
            )
        claims.append(
            chain.CheckpointClaim(
                seq=copy["seq"],
                head_hash=copy["head_hash"],
                signature_ok=ok,
                ident=copy.get("id", 0),
                label=label,
                damage=chain.Damage.WITNESS_MISMATCH,
            )
        )
    claims.sort(key=lambda c: c.seq)
    start_seq, start_prev = 1, chain.GENESIS_HASH
    if cuts:
        start_seq, start_prev = cuts[-1].seq_to + 1, cuts[-1].head_hash
    rows = iter_rows(start_seq, time_as_text=True)
    result = chain.verify_rows(rows, claims, start_seq=start_seq, start_prev_hash=start_prev)
    result.start_seq = start_seq
    result.office_copies = None if copies is None else len(copies)
    return result


def audit_cut_list() -> QuerySet[AuditCut]:
    return AuditCut.objects.order_by("-seq_to")


def audit_export_get_for_user(*, export_id: int, user) -> AuditExport:
    """The requester's own export job; anyone else gets DoesNotExist (a 404), as for a missing one."""
    return AuditExport.objects.get(pk=export_id, requested_by_id=str(user.pk))


def audit_export_recent_for_user(*, user, limit: int = 5) -> list[AuditExport]:
    """The user's own latest export jobs (the office reviewer's home page)."""
    return list(AuditExport.objects.filter(requested_by_id=str(user.pk)).order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class TrailStatus:
    """How far the trail is covered by signed checkpoints: cheap enough for a home page (a full verification reads
    every event, so it runs on the verification page, not here)."""

    head_seq: int
    checkpoint_seq: int | None
    checkpoint_at: datetime | None

    @property
    def events_since_checkpoint(self) -> int:
        return self.head_seq - (self.checkpoint_seq or 0)


def audit_trail_status() -> TrailStatus:
    head = AuditHead.objects.filter(pk=1).first()
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    return TrailStatus(
        head_seq=head.seq if head else 0,
        checkpoint_seq=checkpoint.seq if checkpoint else None,
        checkpoint_at=checkpoint.created_at if checkpoint else None,
    )
