"""The hash chain: canonical form of an event and streaming verification."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from json.encoder import encode_basestring as _enc

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


def format_time(value: datetime) -> str:
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
    MODIFIED = "modified"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TRUNCATED = "truncated after a checkpoint"
    BAD_SIGNATURE = "bad checkpoint signature"
    CHECKPOINT_MISMATCH = "modified before a checkpoint (chain rewritten)"


@dataclass
class VerifyResult:
    ok: bool
    count: int
    head_hash: str
    damage: str | None = None
    first_bad_seq: int | None = None
    detail: str = ""
    checkpoints_checked: int = 0

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.count} events, head {self.head_hash}, {self.checkpoints_checked} checkpoint(s) verified"
        return f"DAMAGED: {self.damage} at seq {self.first_bad_seq}. {self.detail}".strip()


@dataclass
class CheckpointClaim:
    seq: int
    head_hash: str
    signature_ok: bool
    ident: int


def verify_rows(rows, checkpoints: list[CheckpointClaim]) -> VerifyResult:
    """Walk rows (tuples in ROW_FIELDS order, ascending seq) once, in constant memory.

    Each row must (1) carry the next sequence number, (2) hash to its stored
    hash, and (3) link to the previous row's hash. When one fails, a one-row
    look-ahead tells the kind of damage apart. Checkpoints (sorted by seq)
    are compared with the chain as it passes their position.
    """
    for cp in checkpoints:
        if not cp.signature_ok:
            return VerifyResult(
                False, 0, "", Damage.BAD_SIGNATURE, cp.seq, f"checkpoint {cp.ident} does not verify with the audit key"
            )
    pending = list(checkpoints)
    checked = 0
    prev_hash = GENESIS_HASH
    prev_prev_hash = None
    expected = 1
    count = 0
    iterator = iter(rows)
    row = next(iterator, None)
    while row is not None:
        nxt = next(iterator, None)
        seq = row[0]
        stored = row[9]
        if seq != expected:
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
                    Damage.CHECKPOINT_MISMATCH,
                    seq,
                    f"checkpoint {cp.ident} signed head {cp.head_hash[:16]}... at seq {seq}, "
                    f"the chain has {stored[:16]}...",
                )
            checked += 1
        prev_prev_hash, prev_hash = prev_hash, stored
        count += 1
        expected += 1
        row = nxt
    if pending:
        cp = pending[0]
        if cp.seq > count:
            return VerifyResult(
                False,
                count,
                prev_hash,
                Damage.TRUNCATED,
                count + 1,
                f"checkpoint {cp.ident} vouches for {cp.seq} events, only {count} remain",
            )
        return VerifyResult(
            False, count, prev_hash, Damage.CHECKPOINT_MISMATCH, cp.seq, "checkpoint position not found"
        )
    return VerifyResult(True, count, prev_hash, checkpoints_checked=checked)


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
