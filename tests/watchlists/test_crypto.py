"""AES-256-GCM at rest (R12): round trips, row binding, tampering, rotation and key-file errors."""

import base64
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from watchlists import crypto
from watchlists.crypto import DecryptionError

PHOTO_42 = b"watchlists.ReferencePhoto:42:photo"
PHOTO_43 = b"watchlists.ReferencePhoto:43:photo"


@pytest.fixture
def key_file(settings, tmp_path) -> Path:
    path = tmp_path / "keys" / "data_aes256.key"
    settings.DATA_KEY_FILE = str(path)
    crypto.keyring_create_if_missing()
    return path


def key_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_round_trip_returns_the_plaintext(key_file):
    plaintext = os.urandom(5000)
    assert crypto.decrypt(crypto.encrypt(plaintext, aad=PHOTO_42), aad=PHOTO_42) == plaintext


def test_blob_names_version_key_and_carries_nonce_and_tag(key_file):
    blob = crypto.encrypt(b"x" * 100, aad=PHOTO_42)
    key_id = crypto.current_key_id()
    assert blob[0] == crypto.BLOB_VERSION
    assert blob[1] == len(key_id) and blob[2 : 2 + len(key_id)] == key_id.encode()
    assert len(blob) == 2 + len(key_id) + crypto.NONCE_BYTES + 100 + crypto.TAG_BYTES
    assert crypto.blob_key_id(blob) == key_id


def test_same_plaintext_encrypts_differently_each_time(key_file):
    assert crypto.encrypt(b"same", aad=PHOTO_42) != crypto.encrypt(b"same", aad=PHOTO_42)


def test_canary_plaintext_does_not_appear_in_the_blob(key_file):
    canary = b"CANARY-Obama-reference-photo-" * 20
    blob = crypto.encrypt(canary, aad=PHOTO_42)
    assert b"CANARY" not in blob
    assert canary[:16] not in blob


def test_blobs_swapped_between_rows_fail_to_decrypt(key_file):
    blob_42 = crypto.encrypt(b"photo of person 42", aad=PHOTO_42)
    blob_43 = crypto.encrypt(b"photo of person 43", aad=PHOTO_43)
    for blob, wrong_row in ((blob_42, PHOTO_43), (blob_43, PHOTO_42)):
        with pytest.raises(DecryptionError) as excinfo:
            crypto.decrypt(blob, aad=wrong_row)
        assert excinfo.value.reason == "authentication_failed"
        assert "another record" in str(excinfo.value)


def test_blob_moved_to_another_field_of_the_same_row_fails(key_file):
    blob = crypto.encrypt(b"crop", aad=b"recognition.Alert:7:crop")
    with pytest.raises(DecryptionError):
        crypto.decrypt(blob, aad=b"recognition.Alert:7:frame")


@pytest.mark.parametrize("region", ["nonce", "ciphertext", "tag"])
def test_any_altered_byte_fails_authentication(key_file, region):
    blob = bytearray(crypto.encrypt(b"reference photo bytes", aad=PHOTO_42))
    header = 2 + blob[1]
    index = {"nonce": header + 3, "ciphertext": header + crypto.NONCE_BYTES + 2, "tag": len(blob) - 1}[region]
    blob[index] ^= 0x01
    with pytest.raises(DecryptionError) as excinfo:
        crypto.decrypt(bytes(blob), aad=PHOTO_42)
    assert excinfo.value.reason == "authentication_failed"


def test_altered_header_is_refused(key_file):
    blob = crypto.encrypt(b"reference photo bytes", aad=PHOTO_42)
    wrong_version = b"\x02" + blob[1:]
    with pytest.raises(DecryptionError) as excinfo:
        crypto.decrypt(wrong_version, aad=PHOTO_42)
    assert excinfo.value.reason == "malformed"
    wrong_key_id = blob[:3] + bytes([blob[3] ^ 0x01]) + blob[4:]
    with pytest.raises(DecryptionError) as excinfo:
        crypto.decrypt(wrong_key_id, aad=PHOTO_42)
    assert excinfo.value.reason == "unknown_key"


def test_short_or_foreign_bytes_are_malformed(key_file):
    for junk in (b"", b"\x01", b"\xff\xd8\xff\xe0" + b"\x00" * 60):
        with pytest.raises(DecryptionError) as excinfo:
            crypto.decrypt(junk, aad=PHOTO_42)
        assert excinfo.value.reason == "malformed"


def test_empty_associated_data_is_refused(key_file):
    with pytest.raises(ValueError, match="aad"):
        crypto.encrypt(b"x", aad=b"")


def test_face_encoding_round_trips_exactly(key_file):
    encoding = np.random.default_rng(1).normal(0, 0.1, 128)
    aad = b"watchlists.ReferencePhoto:42:encoding"
    blob = crypto.encrypt_array(encoding, aad=aad)
    restored = crypto.decrypt_array(blob, aad=aad)
    assert restored.dtype == np.float64 and restored.shape == (128,)
    assert np.array_equal(restored, encoding)
    restored[0] = 1.0  # writable, not a view on the decrypted buffer


def test_face_encoding_of_wrong_shape_is_refused(key_file):
    with pytest.raises(ValueError, match="shape"):
        crypto.encrypt_array(np.zeros(127), aad=PHOTO_42)
    with pytest.raises(ValueError, match="finite"):
        crypto.encrypt_array(np.full(128, np.nan), aad=PHOTO_42)


def test_non_encoding_blob_is_refused_as_encoding(key_file):
    blob = crypto.encrypt(b"a photo, not an encoding", aad=PHOTO_42)
    with pytest.raises(DecryptionError) as excinfo:
        crypto.decrypt_array(blob, aad=PHOTO_42)
    assert excinfo.value.reason == "malformed"


def test_rotation_reencrypts_every_blob_then_retires_old_keys(key_file):
    old_id = crypto.current_key_id()
    rows = {f"watchlists.ReferencePhoto:{pk}:photo".encode(): os.urandom(64) for pk in range(1, 6)}
    blobs = {aad: crypto.encrypt(plaintext, aad=aad) for aad, plaintext in rows.items()}

    new_id = crypto.keyring_add_new_key()
    assert new_id != old_id
    assert crypto.load_keyring().key_ids == [new_id, old_id]
    # Old blobs still decrypt while the rotation runs.
    assert all(crypto.decrypt(blob, aad=aad) == rows[aad] for aad, blob in blobs.items())

    old_blobs = dict(blobs)
    blobs = {aad: crypto.reencrypt(blob, aad=aad) for aad, blob in blobs.items()}
    assert {crypto.blob_key_id(blob) for blob in blobs.values()} == {new_id}
    assert all(crypto.decrypt(blob, aad=aad) == rows[aad] for aad, blob in blobs.items())

    assert crypto.keyring_retire_keys_except(new_id) == [old_id]
    assert crypto.load_keyring().key_ids == [new_id]
    assert [line["id"] for line in key_lines(key_file)] == [new_id]
    assert all(crypto.decrypt(blob, aad=aad) == rows[aad] for aad, blob in blobs.items())
    for aad, blob in old_blobs.items():
        with pytest.raises(DecryptionError) as excinfo:
            crypto.decrypt(blob, aad=aad)
        assert excinfo.value.reason == "unknown_key"
        assert old_id in str(excinfo.value)


def test_reencrypt_leaves_a_blob_under_the_current_key_unchanged(key_file):
    blob = crypto.encrypt(b"already current", aad=PHOTO_42)
    assert crypto.reencrypt(blob, aad=PHOTO_42) is blob
    with pytest.raises(DecryptionError):
        crypto.reencrypt(blob, aad=PHOTO_43)  # still verified, never rewritten blindly


def test_retiring_refuses_an_id_that_is_not_the_current_key(key_file):
    old_id = crypto.current_key_id()
    crypto.keyring_add_new_key()
    with pytest.raises(ValueError, match="not the current key"):
        crypto.keyring_retire_keys_except(old_id)
    assert len(crypto.load_keyring().keys) == 2


def test_missing_key_file_names_the_setting(settings, tmp_path):
    settings.DATA_KEY_FILE = str(tmp_path / "nowhere" / "data.key")
    with pytest.raises(ImproperlyConfigured, match="DATA_KEY_FILE") as excinfo:
        crypto.encrypt(b"x", aad=PHOTO_42)
    assert str(tmp_path / "nowhere" / "data.key") in str(excinfo.value)


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json\n",
        json.dumps({"id": "k-1", "key": "!!!", "created_at": "2026-01-01"}) + "\n",
        json.dumps({"id": "k-1", "key": base64.b64encode(b"sixteen byte key").decode(), "created_at": "x"}) + "\n",
        json.dumps({"id": "k-1"}) + "\n",
    ],
    ids=["empty", "not-json", "bad-base64", "aes128-key", "missing-fields"],
)
def test_malformed_key_file_names_the_setting_without_echoing_it(settings, tmp_path, content):
    path = tmp_path / "data.key"
    path.write_text(content)
    settings.DATA_KEY_FILE = str(path)
    with pytest.raises(ImproperlyConfigured, match="DATA_KEY_FILE") as excinfo:
        crypto.load_keyring()
    assert "sixteen" not in str(excinfo.value) and base64.b64encode(b"sixteen byte key").decode() not in str(
        excinfo.value
    )


def test_key_file_is_created_private_and_kept_if_present(key_file):
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_bytes()
    assert crypto.keyring_create_if_missing() == crypto.current_key_id()
    assert key_file.read_bytes() == first
    (line,) = key_lines(key_file)
    assert len(base64.b64decode(line["key"])) == 32
    crypto.keyring_add_new_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_keyring_changed_by_another_process_is_reloaded(key_file):
    blob = crypto.encrypt(b"x", aad=PHOTO_42)
    assert crypto.load_keyring() is crypto.load_keyring()  # cached
    # Another process rotates: the file changes under us without our cache being told.
    new_line = {"id": "k-other-process", "key": base64.b64encode(b"k" * 32).decode(), "created_at": "now"}
    key_file.write_text(json.dumps(new_line) + "\n" + key_file.read_text())
    assert crypto.current_key_id() == "k-other-process"
    assert crypto.decrypt(blob, aad=PHOTO_42) == b"x"


def test_key_material_is_never_logged(settings, tmp_path, caplog):
    caplog.set_level("DEBUG")
    settings.DATA_KEY_FILE = str(tmp_path / "data.key")
    first = crypto.keyring_create_if_missing()
    second = crypto.keyring_add_new_key()
    crypto.keyring_retire_keys_except(second)
    assert first in caplog.text and second in caplog.text  # ids are logged, for the audit of a rotation
    for line in key_lines(tmp_path / "data.key"):
        assert line["key"] not in caplog.text
    keyring = crypto.load_keyring()
    assert repr(keyring.current.secret) not in repr(keyring)
