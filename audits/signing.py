"""Ed25519 keys that sign audit checkpoints."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def generate_key_file(path: Path, *, overwrite: bool = False) -> Ed25519PrivateKey:
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; refusing to overwrite an audit signing key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_signing_key() -> Ed25519PrivateKey:
    path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY_FILE: no key at {path}; create one with `manage.py audits_keygen`"
        ) from None
    except ValueError as exc:
        raise ImproperlyConfigured(f"AUDIT_SIGNING_KEY_FILE: {path} is not a PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"AUDIT_SIGNING_KEY_FILE: {path} is not an Ed25519 key")
    return key


def load_verify_key() -> Ed25519PublicKey:
    """The public key: AUDIT_VERIFY_KEY_FILE if set (a reviewer needs only this), else from the signing key."""
    if settings.AUDIT_VERIFY_KEY_FILE:
        path = Path(settings.AUDIT_VERIFY_KEY_FILE)
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except (FileNotFoundError, ValueError) as exc:
            raise ImproperlyConfigured(f"AUDIT_VERIFY_KEY_FILE: cannot read a public key from {path} ({exc})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured(f"AUDIT_VERIFY_KEY_FILE: {path} is not an Ed25519 public key")
        return key
    return load_signing_key().public_key()


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def checkpoint_message(seq: int, head_hash: str, created_at_text: str) -> bytes:
    return f"oversight-audit-checkpoint\n{seq}\n{head_hash}\n{created_at_text}".encode()


def signature_valid(public_key: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
