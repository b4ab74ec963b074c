"""AES-256-GCM encryption at rest for reference photos, face encodings and alert crops (R12).

Keys live in a keyring file at ``settings.DATA_KEY_FILE`` (mode 0600), one JSON object per line::

    {"id": "k-20261128-3fa9c2d1", "key": "<32 bytes, standard base64>", "created_at": "2026-11-28T18:44:00+00:00"}

The first line is the current key: everything is encrypted with it. Later lines are older keys,
kept only so that rows written before a rotation still decrypt until they have been re-encrypted.

Every blob names the key that sealed it::

    version (1 byte, 0x01) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext + tag (16 bytes)

The caller's associated data is the identity of the row and field that holds the blob
(``b"watchlists.ReferencePhoto:42:photo"``), so a blob copied into another row fails to decrypt.
The blob header is authenticated too.

Rotation, for the management command that walks the encrypted columns:

    new_id = keyring_add_new_key()                      # new key becomes current; old keys stay
    for each row: row.blob = reencrypt(row.blob, aad=...)  # returns the same object if already current
    assert every blob_key_id(row.blob) == new_id
    keyring_retire_keys_except(new_id)                  # old keys are gone for good

Key material is never logged and never appears in exception messages.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger(__name__)

BLOB_VERSION = 1
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce; random per encryption
TAG_BYTES = 16
ENCODING_DIMENSIONS = 128  # dlib face encodings
_ENCODING_DTYPE = "<f8"
_MIN_BLOB_BYTES = 2 + 1 + NONCE_BYTES + TAG_BYTES


class DecryptionError(Exception):
    """A blob could not be decrypted.

    ``reason`` is one of ``"malformed"`` (not a blob of ours), ``"unknown_key"`` (its key is not in the
    keyring, e.g. retired before this row was re-encrypted) or ``"authentication_failed"`` (altered bytes,
    or the blob belongs to another row or field).
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class DataKey:
    id: str
    created_at: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class Keyring:
    path: Path
    keys: tuple[DataKey, ...]

    @property
    def current(self) -> DataKey:
        return self.keys[0]

    @property
    def key_ids(self) -> list[str]:
        return [key.id for key in self.keys]

    def get(self, key_id: str) -> DataKey | None:
        for key in self.keys:
            if key.id == key_id:
                return key
        return None


# ---------------------------------------------------------------- keyring file


def _keyring_path() -> Path:
    value = getattr(settings, "DATA_KEY_FILE", None)
    if not value:
        raise ImproperlyConfigured("DATA_KEY_FILE is not set; it must name the data encryption keyring file")
    return Path(value)


def _new_key(now: datetime | None = None) -> DataKey:
    now = now or timezone.now()
    return DataKey(
        id=f"k-{now:%Y%m%d}-{secrets.token_hex(4)}",
        created_at=now.isoformat(timespec="seconds"),
        secret=AESGCM.generate_key(bit_length=KEY_BYTES * 8),
    )


def _serialize(keys: list[DataKey] | tuple[DataKey, ...]) -> bytes:
    lines = [
        json.dumps({"id": key.id, "key": base64.b64encode(key.secret).decode("ascii"), "created_at": key.created_at})
        for key in keys
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def _parse(path: Path, raw: bytes) -> Keyring:
    # Messages name the file and line but never echo its content: the content is key material.
    def bad(detail: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"DATA_KEY_FILE: {path} is not a valid keyring ({detail})")

    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise bad("not ASCII text") from None
    keys: list[DataKey] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise bad(f"line {number} is not a JSON object") from None
        if not isinstance(entry, dict) or not {"id", "key", "created_at"} <= entry.keys():
            raise bad(f"line {number} needs the fields id, key and created_at")
        key_id, encoded, created_at = entry["id"], entry["key"], entry["created_at"]
        if not isinstance(key_id, str) or not key_id.isascii() or not 1 <= len(key_id) <= 255:
            raise bad(f"line {number}: id must be 1-255 ASCII characters")
        if not isinstance(encoded, str) or not isinstance(created_at, str):
            raise bad(f"line {number}: key and created_at must be strings")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise bad(f"line {number}: key is not valid base64") from None
        if len(secret) != KEY_BYTES:
            raise bad(f"line {number}: key must be {KEY_BYTES} bytes for AES-256, not {len(secret)}")
        if any(existing.id == key_id for existing in keys):
            raise bad(f"line {number}: key id {key_id!r} appears twice")
        keys.append(DataKey(id=key_id, created_at=created_at, secret=secret))
    if not keys:
        raise bad("it holds no keys")
    return Keyring(path=path, keys=tuple(keys))


_cache_lock = threading.Lock()
_cache: tuple[tuple, Keyring] | None = None


def load_keyring() -> Keyring:
    """The keyring at DATA_KEY_FILE, read once per process and re-read whenever the file changes.

    The file's identity (path, inode, size, mtime) is compared on every call, so a rotation done by
    another process is picked up without a restart. Raises ImproperlyConfigured naming DATA_KEY_FILE
    when the file is missing, unreadable or malformed.
    """
    global _cache
    path = _keyring_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"DATA_KEY_FILE: no keyring at {path}; create one with keyring_create_if_missing()"
        ) from None
    except OSError as exc:
        raise ImproperlyConfigured(f"DATA_KEY_FILE: cannot read {path} ({exc.strerror})") from None
    signature = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        if _cache is not None and _cache[0] == signature:
            return _cache[1]
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ImproperlyConfigured(f"DATA_KEY_FILE: cannot read {path} ({exc.strerror})") from None
        keyring = _parse(path, raw)
        if stat.st_mode & 0o077:
            # Not fatal (a mounted secret may carry other bits), but the key must not be readable by others.
            logger.warning("DATA_KEY_FILE %s has mode %o; it should be 0600", path, stat.st_mode & 0o777)
        _cache = (signature, keyring)
        return keyring


def _invalidate_cache() -> None:
    global _cache
    with _cache_lock:
        _cache = None


@contextlib.contextmanager
def _keyring_write_lock(path: Path) -> Iterator[None]:
    # Serialises rotations between processes; readers never take it (the file is replaced atomically).
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    _invalidate_cache()


def keyring_create_if_missing() -> str:
    """Create DATA_KEY_FILE with one fresh key unless it exists; return the current key id.

    An existing file is never touched (it is parsed, so a malformed one still raises ImproperlyConfigured).
    """
    path = _keyring_path()
    with _keyring_write_lock(path):
        if not path.exists():
            key = _new_key()
            _write_atomically(path, _serialize([key]))
            logger.info("created data keyring %s with key %s", path, key.id)
            return key.id
    return load_keyring().current.id


def keyring_add_new_key() -> str:
    """Start a rotation: a new key becomes current, older keys stay for decryption. Returns the new key id."""
    path = _keyring_path()
    with _keyring_write_lock(path):
        keyring = load_keyring()
        key = _new_key()
        _write_atomically(path, _serialize([key, *keyring.keys]))
    logger.info("data keyring %s: added key %s, previous keys %s", path, key.id, keyring.key_ids)
    return key.id


def keyring_retire_keys_except(current_id: str) -> list[str]:
    """Finish a rotation: drop every key but ``current_id``, which must be the current key.

    Call only once every blob reports ``blob_key_id(blob) == current_id``: blobs sealed with a retired
    key can never be decrypted again. Returns the retired ids (empty when there was nothing to retire).
    """
    path = _keyring_path()
    with _keyring_write_lock(path):
        keyring = load_keyring()
        if keyring.current.id != current_id:
            # A stale id would otherwise make an old key current again, or drop the key in use.
            raise ValueError(f"{current_id!r} is not the current key ({keyring.current.id!r}); refusing to retire")
        retired = keyring.key_ids[1:]
        if retired:
            _write_atomically(path, _serialize([keyring.current]))
    if retired:
        logger.info("data keyring %s: retired keys %s, kept %s", path, retired, current_id)
    return retired


def current_key_id() -> str:
    return load_keyring().current.id


# ---------------------------------------------------------------- blobs


def _header(key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return bytes([BLOB_VERSION, len(encoded)]) + encoded


def _split(blob: bytes) -> tuple[bytes, str, bytes, bytes]:
    """Return (header, key id, nonce, ciphertext+tag) or raise DecryptionError("malformed")."""
    blob = bytes(blob)
    if len(blob) < _MIN_BLOB_BYTES:
        raise DecryptionError("malformed", f"not an encrypted blob: {len(blob)} bytes is too short")
    if blob[0] != BLOB_VERSION:
        raise DecryptionError("malformed", f"not an encrypted blob: unknown version byte {blob[0]}")
    id_length = blob[1]
    header_end = 2 + id_length
    if id_length == 0 or len(blob) < header_end + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("malformed", "not an encrypted blob: bad key id length")
    try:
        key_id = blob[2:header_end].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("malformed", "not an encrypted blob: key id is not ASCII") from None
    nonce = blob[header_end : header_end + NONCE_BYTES]
    return blob[:header_end], key_id, nonce, blob[header_end + NONCE_BYTES :]


def _check_aad(aad: bytes) -> bytes:
    if not isinstance(aad, bytes | bytearray) or not aad:
        # An empty aad would let a blob be moved between rows unnoticed.
        raise ValueError(
            "aad must be non-empty bytes naming the row and field, e.g. b'watchlists.ReferencePhoto:42:photo'"
        )
    return bytes(aad)


def blob_key_id(blob: bytes) -> str:
    """The id of the key that sealed ``blob`` (no decryption, no keyring access)."""
    return _split(blob)[1]


def encrypt(plaintext: bytes, *, aad: bytes) -> bytes:
    """Seal ``plaintext`` with the current key, bound to ``aad`` (the row and field identity)."""
    aad = _check_aad(aad)
    key = load_keyring().current
    header = _header(key.id)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key.secret).encrypt(nonce, bytes(plaintext), header + aad)


def decrypt(blob: bytes, *, aad: bytes) -> bytes:
    """Open a blob made by ``encrypt`` with the same ``aad``; raise DecryptionError otherwise."""
    aad = _check_aad(aad)
    header, key_id, nonce, sealed = _split(blob)
    key = load_keyring().get(key_id)
    if key is None:
        raise DecryptionError(
            "unknown_key", f"blob was sealed with key {key_id!r}, which is not in the keyring (retired?)"
        )
    try:
        return AESGCM(key.secret).decrypt(nonce, sealed, header + aad)
    except InvalidTag:
        raise DecryptionError(
            "authentication_failed",
            f"blob does not authenticate for {aad.decode('ascii', 'replace')!r}: "
            "it was altered or belongs to another record",
        ) from None


def reencrypt(blob: bytes, *, aad: bytes) -> bytes:
    """Decrypt with whichever key sealed ``blob`` and seal again with the current key.

    A blob already under the current key is verified and returned unchanged (the same object),
    so a rotation that is run twice rewrites nothing: ``if new is not old: save``.
    """
    plaintext = decrypt(blob, aad=aad)
    current = load_keyring().current
    if blob_key_id(blob) == current.id:
        return blob
    return encrypt(plaintext, aad=aad)


# ---------------------------------------------------------------- face encodings


def encrypt_array(encoding: np.ndarray, *, aad: bytes) -> bytes:
    """Seal a 128-dimension face encoding as little-endian float64 bytes (no pickle)."""
    array = np.asarray(encoding)
    if array.shape != (ENCODING_DIMENSIONS,):
        raise ValueError(f"a face encoding has shape ({ENCODING_DIMENSIONS},), not {array.shape}")
    if not np.issubdtype(array.dtype, np.floating) or not np.isfinite(array).all():
        raise ValueError("a face encoding must hold finite floating-point values")
    return encrypt(array.astype(_ENCODING_DTYPE).tobytes(), aad=aad)


def decrypt_array(blob: bytes, *, aad: bytes) -> np.ndarray:
    """Open a blob made by ``encrypt_array``; returns a writable float64 array of shape (128,)."""
    plaintext = decrypt(blob, aad=aad)
    if len(plaintext) != ENCODING_DIMENSIONS * 8:
        raise DecryptionError(
            "malformed", f"decrypted {len(plaintext)} bytes; a face encoding has {ENCODING_DIMENSIONS * 8}"
        )
    return np.frombuffer(plaintext, dtype=_ENCODING_DTYPE).astype(np.float64)


# ---------------------------------------------------------------- files too large to hold: sealed chunk by chunk


_RECORD_LENGTH_BYTES = 4


def seal_record(plaintext: bytes, *, aad: bytes) -> bytes:
    """One record of a sealed file (recordings of gigabytes, R24): ``length (4 bytes, big-endian) | blob``.

    The caller's ``aad`` names the file, the record's number and whether it is the last one, so records cannot be
    reordered, moved to another file or cut off after any but the last without ``open_records`` noticing.
    """
    blob = encrypt(plaintext, aad=aad)
    return len(blob).to_bytes(_RECORD_LENGTH_BYTES, "big") + blob


def open_records(handle, *, aad_for) -> Iterator[bytes]:
    """Yield the plaintext of each record of a file written with ``seal_record``, in order, one in memory at a time.

    ``aad_for(index, last)`` gives the associated data record ``index`` was sealed with; the last record must have
    been sealed as the last (a file cut after any other record raises DecryptionError).
    """
    index = 0
    pending = read_record(handle)
    while pending is not None:
        following = read_record(handle)
        yield decrypt(pending, aad=aad_for(index, following is None))
        pending, index = following, index + 1


def read_record(handle) -> bytes | None:
    head = handle.read(_RECORD_LENGTH_BYTES)
    if not head:
        return None
    if len(head) < _RECORD_LENGTH_BYTES:
        raise DecryptionError("malformed", "a sealed file ends inside a record's length")
    length = int.from_bytes(head, "big")
    blob = handle.read(length)
    if len(blob) != length:
        raise DecryptionError("malformed", "a sealed file ends inside a record")
    return blob
