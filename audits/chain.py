"""The hash chain: canonical form of an event and streaming verification."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from json.encoder import encode_basestring as _enc

from django.utils.translation import gettext_noop

from audits.models import GENESIS_HASH

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def canonical_data(data: dict | None) -> str:
    """The stored, hashed text of an event's data: sorted keys, no spaces."""
    try:
        return _dumps(data or {})
    except TypeError as exc:
        raise ValueError(f"audit data must be JSON-serialisable: {exc}") from None


_ZERO = timedelta(0)
# The canonical form is JSON with sorted keys and no spaces, exactly what
# json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# gives for the dict of fields; it is written out by hand because
# verification runs it a million times (tests/audits/test_chain.py pins the equivalence).
_TEMPLATE = (
    '{"actor_id":%s,"actor_label":%s,"case_ref":%s,"data":%s,"event_type":%s,'
    '"occurred_at":"%s","prev_hash":%s,"seq":%d,"target_ref":%s}'
)


def format_time(value: datetime | str) -> str:
    if isinstance(value, str):
        return value  # already canonical: formatted by the database (audits.selectors.iter_rows(time_as_text=True))
    if value.utcoffset() != _ZERO:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def event_hash(
    seq: int,
    occurred_at: datetime,
    event_type: str,
    actor_id: str,
    actor_label: str,
    case_ref: str,
    target_ref: str,
    data: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of the event's fields and the previous hash."""
    payload = _TEMPLATE % (
        _enc(actor_id),
        _enc(actor_label),
        _enc(case_ref),
        _enc(data),
        _enc(event_type),
        format_time(occurred_at),
        _enc(prev_hash),
        seq,
        _enc(target_ref),
    )
    return sha256(payload.encode()).hexdigest()


def event_hash_reference(seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref, data, prev_hash):
    """The same digest from the plain definition; used by tests to pin the fast form."""
    fields = {
        "seq": seq,
        "occurred_at": format_time(occurred_at),
        "event_type": event_type,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "case_ref": case_ref,
        "target_ref": target_ref,
        "data": data,
        "prev_hash": prev_hash,
    }
    return sha256(_dumps(fields).encode()).hexdigest()


# Columns in the order event_hash takes them, then the stored hash.
ROW_FIELDS = (
    "seq",
    "occurred_at",
    "event_type",
    "actor_id",
    "actor_label",
    "case_ref",
    "target_ref",
    "data",
    "prev_hash",
    "hash",
)


class Damage:
    # English in results and in the verifier's output; the verification page translates them (gettext_noop marks them).
    MODIFIED = gettext_noop("modified")
    DELETED = gettext_noop("deleted")
    INSERTED = gettext_noop("inserted")
    REORDERED = gettext_noop("reordered")
    TRUNCATED = gettext_noop("truncated after a checkpoint")
    BAD_SIGNATURE = gettext_noop("bad checkpoint signature")
    CHECKPOINT_MISMATCH = gettext_noop("modified before a checkpoint (chain rewritten)")
    WITNESS_MISMATCH = gettext_noop("differs from the office's copy (chain rewritten and re-signed)")
    UNRECORDED_CUT = gettext_noop("removed without a recorded cut")
    BAD_CUT = gettext_noop("cut record does not hold")


@dataclass
class VerifyResult:
    ok: bool
    count: int
    head_hash: str
    damage: str | None = None
    first_bad_seq: int | None = None
    detail: str = ""
    checkpoints_checked: int = 0
    start_seq: int = 1
    office_copies: int | None = None  # None: no witness configured

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.count} events, head {self.head_hash}, {self.checkpoints_checked} checkpoint(s) verified"
        return f"DAMAGED: {self.damage} at seq {self.first_bad_seq}. {self.detail}".strip()

    @property
    def witness_text(self) -> str:
        if self.office_copies is None:
            return "no office witness configured"
        return f"{self.office_copies} office cop{'y' if self.office_copies == 1 else 'ies'} compared"


@dataclass
class CheckpointClaim:
    seq: int
    head_hash: str
    signature_ok: bool
    ident: int
    label: str = ""
    damage: str = Damage.CHECKPOINT_MISMATCH

    @property
    def name(self) -> str:
        return self.label or f"checkpoint {self.ident}"


def verify_rows(
    rows, checkpoints: list[CheckpointClaim], *, start_seq: int = 1, start_prev_hash: str = GENESIS_HASH
) -> VerifyResult:
    """Walk rows (tuples in ROW_FIELDS order, ascending seq) once, in constant memory.

    Each row must (1) carry the next sequence number, (2) hash to its stored
    hash, and (3) link to the previous row's hash. When one fails, a one-row
    look-ahead tells the kind of damage apart. Checkpoints (sorted by seq)
    are compared with the chain as it passes their position. After retention
    cuts the chain starts at start_seq, linking to start_prev_hash (the head
    hash the last cut's checkpoint signed); claims before it were archived.
    """
    for cp in checkpoints:
        if not cp.signature_ok:
            return VerifyResult(
                False, 0, "", Damage.BAD_SIGNATURE, cp.seq, f"{cp.name} does not verify with the audit key"
            )
    for cp in checkpoints:
        if cp.seq == start_seq - 1 and cp.head_hash != start_prev_hash:
            return VerifyResult(
                False, 0, "", cp.damage, cp.seq, f"{cp.name} differs from the head hash the last cut recorded"
            )
    pending = [cp for cp in checkpoints if cp.seq >= start_seq]
    checked = 0
    prev_hash = start_prev_hash
    prev_prev_hash = None
    expected = start_seq
    count = 0
    iterator = iter(rows)
    row = next(iterator, None)
    while row is not None:
        nxt = next(iterator, None)
        seq = row[0]
        stored = row[9]
        if seq != expected:
            if count == 0 and seq > expected:
                return VerifyResult(
                    False,
                    count,
                    prev_hash,
                    Damage.UNRECORDED_CUT,
                    expected,
                    f"events {expected} to {seq - 1} are missing from the start of the trail and no recorded "
                    "cut (archive, checkpoint, audit.cut event) covers them",
                    start_seq=start_seq,
                )
            return VerifyResult(
                False, count, prev_hash, Damage.DELETED, expected, f"sequence jumps from {expected - 1} to {seq}"
            )
        self_ok = event_hash(*row[:9]) == stored
        link_ok = row[8] == prev_hash
        if not (self_ok and link_ok):
            return VerifyResult(
                False, count, prev_hash, *_classify(row, nxt, prev_hash, prev_hash_2=prev_prev_hash, self_ok=self_ok)
            )
        while pending and pending[0].seq == seq:
            cp = pending.pop(0)
            if cp.head_hash != stored:
                return VerifyResult(
                    False,
                    count,
                    prev_hash,
                    cp.damage,
                    seq,
                    f"{cp.name} signed head {cp.head_hash[:16]}... at seq {seq}, the chain has {stored[:16]}...",
                )
            checked += 1
        prev_prev_hash, prev_hash = prev_hash, stored
        count += 1
        expected += 1
        row = nxt
    last = start_seq - 1 + count
    if pending:
        cp = pending[0]
        if cp.seq > last:
            return VerifyResult(
                False,
                count,
                prev_hash,
                Damage.TRUNCATED,
                last + 1,
                f"{cp.name} vouches for {cp.seq} events, the trail ends at {last}",
            )
        return VerifyResult(False, count, prev_hash, cp.damage, cp.seq, "checkpoint position not found")
    return VerifyResult(True, count, prev_hash, checkpoints_checked=checked, start_seq=start_seq)


def _classify(row, nxt, prev_hash, *, prev_hash_2, self_ok):
    seq = row[0]
    stored = row[9]
    if row[8] == prev_hash:
        # Linked correctly but the content no longer matches its hash.
        if nxt is not None and nxt[8] == prev_hash and nxt[8] != stored:
            return Damage.INSERTED, seq, "the next event links past this one"
        return Damage.MODIFIED, seq, "the event's fields no longer match its hash"
    # Link broken.
    if nxt is not None and nxt[8] == prev_hash:
        if row[8] == nxt[9]:
            return Damage.REORDERED, seq, f"events {seq} and {seq + 1} are out of order"
        return Damage.INSERTED, seq, "the next event links past this one"
    if prev_hash_2 is not None and row[8] == prev_hash_2:
        return Damage.INSERTED, seq - 1, "this event links past the one before it"
    if event_hash(seq + 1, *row[1:9]) == stored:
        return Damage.DELETED, seq, "this event was renumbered down: the event before it is missing"
    if self_ok:
        return (
            Damage.MODIFIED,
            seq - 1,
            f"event {seq} links to a hash the chain never had: event {seq - 1} was rewritten with a new hash",
        )
    return Damage.MODIFIED, seq, "the event's link and content were changed"
