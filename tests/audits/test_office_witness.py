"""The data protection office keeps its own copy of each checkpoint.

Someone holding the platform's signing key rewrites part of the chain and re-signs the
checkpoint: the platform's own check passes, the comparison with the office's copies does not.
"""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from audits import chain, signing, witness
from audits.models import AuditCheckpoint, AuditEvent
from audits.selectors import audit_verify
from audits.services import audit_checkpoint_create
from tests.audits.helpers import TriggersOff, fill_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(settings, tmp_path):
    settings.OFFICE_WITNESS_DIR = str(tmp_path / "office")
    return tmp_path / "office"


@pytest.fixture
def log(office, django_capture_on_commit_callbacks):
    call_command("audits_keygen", stdout=io.StringIO())
    fill_log(50)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_create()
    fill_log(10, start=50)
    return checkpoint


def run_verify():
    out = io.StringIO()
    try:
        call_command("audits_verify", stdout=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue()


def rewrite_and_resign(checkpoint, *, seq=20):
    """What an insider with the signing key and database owner rights could do."""
    rows = list(AuditEvent.objects.order_by("seq").values_list(*chain.ROW_FIELDS))
    prev = rows[seq - 2][9]
    key = signing.load_signing_key()
    with TriggersOff() as cursor:
        for r in rows[seq - 1 :]:
            label = "someone_else" if r[0] == seq else r[4]
            digest = chain.event_hash(r[0], r[1], r[2], r[3], label, r[5], r[6], r[7], prev)
            cursor.execute(
                "UPDATE audits_auditevent SET actor_label = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [label, prev, digest, r[0]],
            )
            if r[0] == checkpoint.seq:
                message = signing.checkpoint_message(r[0], digest, chain.format_time(checkpoint.created_at))
                cursor.execute(
                    "UPDATE audits_auditcheckpoint SET head_hash = %s, signature = %s WHERE id = %s",
                    [digest, key.sign(message).hex(), checkpoint.pk],
                )
            prev = digest
        cursor.execute("UPDATE audits_audithead SET hash = %s", [prev])


def test_each_checkpoint_is_delivered_to_the_office_as_a_read_only_file(log, office):
    (copy_path,) = office.glob("checkpoint-*.json")
    assert copy_path.name == f"checkpoint-{log.seq:012d}-{log.pk}.json"
    copy = json.loads(copy_path.read_text())
    assert (copy["seq"], copy["head_hash"], copy["signature"]) == (log.seq, log.head_hash, log.signature)
    assert not os.access(copy_path, os.W_OK) or os.geteuid() == 0
    assert oct(copy_path.stat().st_mode & 0o777) == "0o444"
    code, out = run_verify()
    assert code == 0, out
    assert "1 office copy compared" in out


def test_rewritten_and_resigned_chain_passes_alone_but_not_against_the_office(log, office, settings):
    rewrite_and_resign(log)
    settings.OFFICE_WITNESS_DIR = None  # the platform's own view: everything looks signed and linked
    assert audit_verify().ok
    settings.OFFICE_WITNESS_DIR = str(office)
    code, out = run_verify()
    assert code == 1
    assert f"first_bad_seq={log.seq} kind=differs from the office's copy (chain rewritten and re-signed)" in out


def test_offline_verifier_compares_an_export_with_the_office_copies(log, office, tmp_path):
    public = tmp_path / "pub.pem"
    call_command("audits_keygen", "--if-missing", "--public-out", str(public), stdout=io.StringIO())
    rewrite_and_resign(log)
    out_dir = tmp_path / "export"
    call_command(
        "audits_export",
        "--case",
        "FR-2026-0001",
        "--out",
        str(out_dir),
        "--justification",
        "check",
        "--recipient",
        "office",
        stdout=io.StringIO(),
    )
    args = [sys.executable, str(out_dir / "verify_export.py"), str(out_dir), "--public-key", str(public)]
    alone = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert alone.returncode == 0, alone.stdout  # signed with the real key: the export alone cannot tell
    witnessed = subprocess.run([*args, "--witness", str(office)], capture_output=True, text=True, timeout=60)
    assert witnessed.returncode == 1
    assert "office's copy" in witnessed.stdout and "rewritten" in witnessed.stdout


def test_a_delivered_copy_is_never_replaced(log, office):
    record = witness.checkpoint_record(log)
    witness.deliver_to_directory(record)  # the same record again: fine (idempotent)
    record["head_hash"] = "0" * 64
    with pytest.raises(witness.WitnessConflict):
        witness.deliver_to_directory(record)
    copy = json.loads(next(office.glob("checkpoint-*.json")).read_text())
    assert copy["head_hash"] == log.head_hash


def test_checkpoint_command_delivers_what_the_office_missed(log, office):
    for path in office.glob("*.json"):
        path.chmod(0o644)
        path.unlink()  # e.g. the office was unreachable when they were made
    call_command("audits_checkpoint", stdout=io.StringIO())
    assert len(list(office.glob("checkpoint-*.json"))) == AuditCheckpoint.objects.count() == 2


def test_unreachable_office_does_not_stop_a_checkpoint(settings, log, django_capture_on_commit_callbacks):
    settings.OFFICE_WITNESS_DELIVER = "tests.audits.test_office_witness.unreachable"
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_create()
    assert AuditCheckpoint.objects.filter(pk=checkpoint.pk).exists()


def unreachable(record):
    raise ConnectionError("office server down")


def test_delivery_is_pluggable(settings, office, django_capture_on_commit_callbacks):
    call_command("audits_keygen", stdout=io.StringIO())
    received.clear()
    settings.OFFICE_WITNESS_DELIVER = "tests.audits.test_office_witness.collect"
    fill_log(3)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = audit_checkpoint_create()
    assert received == [witness.checkpoint_record(checkpoint)]


received = []


def collect(record):
    received.append(record)
