#!/usr/bin/env python3
"""Check an export of the oversight platform's audit trail without the platform.

    python verify_export.py EXPORT_DIR --public-key audit-public.pem [--witness OFFICE_COPIES_DIR]
    python verify_export.py --file deployments.csv --public-key audit-public.pem [--signature deployments.csv.sig]

Needs Python 3.9+ and the `cryptography` package; nothing else. Exit status 0:
the export is intact and ends at a checkpoint signed with the given key.
Exit status 1: the first problem found, naming the line of events.jsonl.

What is checked:
  * every checkpoint in checkpoints.json carries a valid Ed25519 signature of
    (number of events, head hash, time) made with the given public key;
  * manifest.json is signed with the same key and names the digest of events.jsonl;
  * events.jsonl holds consecutive sequence numbers; each full event hashes to
    its stored hash (SHA-256 over the canonical JSON of its fields and the
    previous hash) and links to the hash of the line before it; lines of other
    cases are present as their hash only ("withheld": their content is not disclosed);
  * the hash at each checkpoint's position equals the signed head hash, and the
    export ends exactly at the last checkpoint;
  * with --witness: the checkpoints agree with the copies the data protection
    office received when they were made (one JSON file per checkpoint).

With --file: a file of the public transparency register (deployments.csv or deployments.json) and its detached
signature (FILE.sig unless --signature names it): the file's SHA-256 must equal the signed one, and the signature
over (file name, SHA-256, time produced) must verify with the given key.

This file is copied into every export and archive; the platform imports it too
(audits.verify_export), so both sides run the same code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "oversight-audit-export/1"
GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "event_type",
    "actor_id",
    "actor_label",
    "case_ref",
    "target_ref",
    "data",
    "prev_hash",
)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


class Problem(Exception):
    """The first thing wrong with an export, in plain words."""


def event_hash(record: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the hashed fields."""
    return hashlib.sha256(_dumps({k: record[k] for k in HASHED_FIELDS}).encode()).hexdigest()


def checkpoint_message(seq: int, head_hash: str, created_at: str) -> bytes:
    return f"oversight-audit-checkpoint\n{seq}\n{head_hash}\n{created_at}".encode()


def manifest_message(manifest: dict) -> bytes:
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return b"oversight-audit-export\n" + _dumps(unsigned).encode()


REGISTER_SIGNATURE_FORMAT = "oversight-transparency-signature/1"


def register_file_message(name: str, sha256: str, produced_at: str) -> bytes:
    """What the platform signs for a file of the public register: its name, digest and the time it was produced."""
    return f"oversight-transparency-file\n{name}\n{sha256}\n{produced_at}".encode()


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise Problem(f"cannot read a public key from {path} ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise Problem(f"{path} is not an Ed25519 public key")
    return key


def _signed(public_key: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def checkpoint_valid(public_key: Ed25519PublicKey, cp: dict) -> bool:
    try:
        message = checkpoint_message(int(cp["seq"]), str(cp["head_hash"]), str(cp["created_at"]))
        return cp["key_fingerprint"] == key_fingerprint(public_key) and _signed(public_key, cp["signature"], message)
    except (KeyError, TypeError, ValueError):
        return False


def read_witness(directory: Path) -> list[dict]:
    """The office's copies: one JSON file per checkpoint, as delivered."""
    copies = []
    for path in sorted(Path(directory).glob("checkpoint-*.json")):
        try:
            copy = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise Problem(f"office copy {path.name} cannot be read ({exc})") from None
        copy["_file"] = path.name
        copies.append(copy)
    return copies


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Problem(f"{path.name} is missing: {what}") from None
    except ValueError as exc:
        raise Problem(f"{path.name} is not valid JSON ({exc})") from None


def _lines(path: Path):
    """(line number, raw bytes, parsed record or None) with one line of look-ahead."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            yield number, raw, record


def verify(directory, public_key: Ed25519PublicKey, *, witness: list[dict] | None = None) -> str:
    """Return a one-line summary of an intact export; raise Problem naming the first fault."""
    directory = Path(directory)
    manifest = _read_json(directory / "manifest.json", "the export's description")
    checkpoints = _read_json(directory / "checkpoints.json", "the signed checkpoints")
    if manifest.get("format") != FORMAT:
        raise Problem(f"manifest.json: unknown format {manifest.get('format')!r} (expected {FORMAT})")
    for cp in checkpoints:
        if not checkpoint_valid(public_key, cp):
            raise Problem(
                f"checkpoints.json: the checkpoint at event {cp.get('seq')} does not verify with this public key "
                "(forged or altered)"
            )
    if not _signed(public_key, manifest.get("signature", ""), manifest_message(manifest)):
        raise Problem("manifest.json: its signature does not verify with this public key (forged or altered)")

    first_seq, last_seq = int(manifest["first_seq"]), int(manifest["last_seq"])
    # Positions where the chain must carry a signed hash: platform checkpoints and the office's copies.
    claims: dict[int, list[tuple[str, str]]] = {}
    for cp in checkpoints:
        claims.setdefault(int(cp["seq"]), []).append((cp["head_hash"], f"the signed checkpoint at event {cp['seq']}"))
    for copy in witness or []:
        if not checkpoint_valid(public_key, copy):
            raise Problem(f"office copy {copy.get('_file')} does not verify with this public key")
        seq = int(copy["seq"])
        claims.setdefault(seq, []).append((copy["head_hash"], f"the office's copy {copy.get('_file')}"))
        for cp in checkpoints:
            if int(cp["seq"]) == seq and cp["head_hash"] != copy["head_hash"]:
                raise Problem(
                    f"checkpoints.json: the checkpoint at event {seq} differs from the office's copy "
                    f"{copy.get('_file')} (history rewritten and re-signed)"
                )
    if last_seq not in {int(cp["seq"]) for cp in checkpoints}:
        raise Problem(f"checkpoints.json: no signed checkpoint at the export's last event {last_seq}")
    if first_seq - 1 in claims:
        for head, label in claims[first_seq - 1]:
            if head != manifest["prev_hash"]:
                raise Problem(f"manifest.json: the hash before the first event differs from {label}")

    digest = hashlib.sha256()
    expected = first_seq
    prev_hash = manifest["prev_hash"]
    full = withheld = 0
    number = 0
    lines = _lines(directory / "events.jsonl")
    current = next(lines, None)
    while current is not None:
        upcoming = next(lines, None)
        number, raw, record = current
        digest.update(raw)
        where = f"line {number}"
        if not isinstance(record, dict) or not isinstance(record.get("seq"), int):
            raise Problem(f"{where}: not an event record (damaged line)")
        seq = record["seq"]
        where = f"line {number} (event {seq})"
        if seq != expected:
            after = upcoming[2] if upcoming else None
            if seq == expected + 1 and isinstance(after, dict) and after.get("seq") == expected:
                raise Problem(f"{where}: out of order, event {expected} comes after it (lines reordered)")
            if seq > expected:
                raise Problem(f"{where}: expected event {expected}; the line for it was removed")
            raise Problem(f"{where}: expected event {expected}; this line was inserted or moved")
        if record.get("withheld"):
            current_hash = record.get("hash")
            if not (isinstance(current_hash, str) and len(current_hash) == 64):
                raise Problem(f"{where}: a withheld event must carry its 64-character hash")
            withheld += 1
        else:
            try:
                computed = event_hash(record)
            except KeyError as exc:
                raise Problem(f"{where}: field {exc} is missing (changed)") from None
            if computed != record.get("hash"):
                raise Problem(f"{where}: its content does not match its hash (changed)")
            if prev_hash is not None and record["prev_hash"] != prev_hash:
                raise Problem(f"{where}: does not link to the line before it (inserted, removed or changed)")
            current_hash = record["hash"]
            full += 1
        for head, label in claims.get(seq, ()):
            if head != current_hash:
                raise Problem(f"{where}: the chain here differs from {label} (history rewritten)")
        prev_hash = current_hash
        expected += 1
        current = upcoming
    if expected - 1 != last_seq:
        raise Problem(
            f"line {number + 1}: the export ends at event {expected - 1} but should run to event {last_seq} "
            "(lines removed at the end)"
        )
    if digest.hexdigest() != manifest["events_sha256"]:
        raise Problem("events.jsonl: differs from the digest signed in manifest.json (a withheld hash was changed)")
    return (
        f"OK: events {first_seq}..{last_seq} ({full} shown, {withheld} withheld as hashes only), "
        f"ending at the checkpoint signed for event {last_seq}"
        + (f"; {len(witness)} office cop{'y' if len(witness) == 1 else 'ies'} compared" if witness is not None else "")
    )


def verify_register_file(path, signature_path, public_key: Ed25519PublicKey) -> str:
    """Return a one-line summary when the register file is the one the platform signed; raise Problem otherwise."""
    path, signature_path = Path(path), Path(signature_path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise Problem(f"cannot read {path.name} ({exc})") from None
    signed = _read_json(signature_path, "the detached signature")
    if not isinstance(signed, dict) or signed.get("format") != REGISTER_SIGNATURE_FORMAT:
        raise Problem(f"{signature_path.name}: not a signature of the register ({REGISTER_SIGNATURE_FORMAT})")
    digest = hashlib.sha256(content).hexdigest()
    if signed.get("file") != path.name:
        raise Problem(f"{signature_path.name}: signs {signed.get('file')!r}, not {path.name}")
    if signed.get("sha256") != digest:
        raise Problem(f"{path.name}: differs from the file that was signed (changed after it was produced)")
    if signed.get("key_fingerprint") != key_fingerprint(public_key):
        raise Problem(f"{signature_path.name}: signed with another key than the one given")
    message = register_file_message(path.name, digest, str(signed.get("produced_at")))
    if not _signed(public_key, str(signed.get("signature", "")), message):
        raise Problem(f"{signature_path.name}: the signature does not verify with this public key (forged or altered)")
    return f"OK: {path.name} as the platform produced it at {signed['produced_at']}, signed with the given key"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify an audit trail export or a register file offline.")
    parser.add_argument(
        "directory", nargs="?", help="the export directory (events.jsonl, checkpoints.json, manifest.json)"
    )
    parser.add_argument("--public-key", required=True, help="the platform's Ed25519 public key (PEM)")
    parser.add_argument("--witness", help="directory of the office's own checkpoint copies, to compare with")
    parser.add_argument("--file", help="a file of the public register (deployments.csv or deployments.json)")
    parser.add_argument("--signature", help="its detached signature (default: the file's name with .sig)")
    args = parser.parse_args(argv)
    if bool(args.directory) == bool(args.file):
        parser.error("give either an export directory or --file")
    try:
        key = load_public_key(Path(args.public_key))
        # On stderr: the verdict stays the first line of the output, the fingerprint is for the person to compare.
        print(
            f"Public key fingerprint: {key_fingerprint(key)} (compare it with the one the office gave you)",
            file=sys.stderr,
        )
        if args.file:
            print(verify_register_file(args.file, args.signature or f"{args.file}.sig", key))
            return 0
        witness = read_witness(Path(args.witness)) if args.witness else None
        print(verify(args.directory, key, witness=witness))
    except Problem as problem:
        print(f"FAILED: {problem}")
        return 1
    except (KeyError, TypeError, ValueError) as exc:
        print(f"FAILED: manifest.json or checkpoints.json is incomplete or damaged ({exc!r})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
