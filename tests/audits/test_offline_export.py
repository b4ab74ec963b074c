"""audits_export writes events, hashes and the signed checkpoint with a standalone verifier.

The verifier runs as a separate process, as the office would run it, with the public key only.
"""

import ast
import io
import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from audits import chain, verify_export
from audits.models import AuditCheckpoint, AuditEvent
from tests.audits.helpers import disclosure_of, fill_log

pytestmark = pytest.mark.django_db

CASE = "FR-2026-0003"


@pytest.fixture
def public_key(tmp_path):
    path = tmp_path / "audit-public.pem"
    call_command("audits_keygen", "--public-out", str(path), stdout=io.StringIO())
    return path


def export(out, *args):
    call_command(
        "audits_export",
        *args,
        "--out",
        str(out),
        "--justification",
        "Annual review of case FR-2026-0003",
        "--recipient",
        "Office for Personal Data Protection",
        stdout=io.StringIO(),
    )
    return out


def run_verifier(directory, public_key, *extra):
    result = subprocess.run(
        [sys.executable, str(directory / "verify_export.py"), str(directory), "--public-key", str(public_key), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=directory.parent,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""},  # no Django, no project on the path
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def case_export(public_key, tmp_path):
    fill_log(40)
    return export(tmp_path / "out", "--case", CASE)


def lines(directory):
    return (directory / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)


def rewrite(directory, new_lines):
    (directory / "events.jsonl").write_text("".join(new_lines), encoding="utf-8")


def test_untouched_case_export_verifies_offline(case_export, public_key):
    code, out = run_verifier(case_export, public_key)
    assert code == 0, out
    assert out.startswith("OK: events 4..40")
    records = [json.loads(line) for line in lines(case_export)]
    shown = [r for r in records if not r.get("withheld")]
    assert {r["case_ref"] for r in shown} == {CASE}
    assert [r["seq"] for r in shown] == list(
        AuditEvent.objects.filter(case_ref=CASE, seq__lte=40).order_by("seq").values_list("seq", flat=True)
    )
    # Other cases' events are present only as their hashes: nothing of their content.
    withheld = [r for r in records if r.get("withheld")]
    assert withheld and all(set(r) == {"seq", "hash", "withheld"} for r in withheld)
    assert "FR-2026-0004" not in (case_export / "events.jsonl").read_text()
    # A checkpoint was signed for the export because none covered its last event.
    manifest = json.loads((case_export / "manifest.json").read_text())
    assert manifest["last_seq"] == AuditCheckpoint.objects.get().seq == 40
    assert (case_export / "README.txt").exists()


def test_export_is_recorded_as_a_disclosure(case_export):
    event = AuditEvent.objects.get(event_type="audit.exported")
    data = json.loads(event.data)
    typed = disclosure_of(event)
    assert typed.justification == "Annual review of case FR-2026-0003"
    assert typed.recipients == "Office for Personal Data Protection"
    assert data["filters"] == typed.filters == {"case_ref": CASE}  # a case reference is kept, not free text
    assert data["rows"] == AuditEvent.objects.filter(case_ref=CASE, seq__lte=40).count()
    assert event.actor_label == "command:audits_export"


def test_changed_line_is_rejected(case_export, public_key):
    content = lines(case_export)
    number = next(i for i, line in enumerate(content) if '"withheld"' not in line and i > 2)
    content[number] = content[number].replace('"i\\":', '"i\\":9').replace(CASE, "FR-2026-0009")
    rewrite(case_export, content)
    code, out = run_verifier(case_export, public_key)
    assert code == 1
    assert f"line {number + 1} " in out and "changed" in out


def test_removed_line_is_rejected(case_export, public_key):
    content = lines(case_export)
    del content[10]
    rewrite(case_export, content)
    code, out = run_verifier(case_export, public_key)
    assert code == 1
    assert "line 11 " in out and "removed" in out


def test_inserted_line_is_rejected(case_export, public_key):
    content = lines(case_export)
    forged = json.loads(content[0])
    forged.update(actor_label="someone_else")
    forged["hash"] = verify_export.event_hash(forged)  # a self-consistent forged event
    content.insert(5, json.dumps(forged) + "\n")
    rewrite(case_export, content)
    code, out = run_verifier(case_export, public_key)
    assert code == 1
    assert "line 6 " in out and "inserted" in out


def test_reordered_lines_are_rejected(case_export, public_key):
    content = lines(case_export)
    content[6], content[7] = content[7], content[6]
    rewrite(case_export, content)
    code, out = run_verifier(case_export, public_key)
    assert code == 1
    assert "line 7 " in out and "reordered" in out


def test_line_cut_off_at_the_end_is_rejected(case_export, public_key):
    rewrite(case_export, lines(case_export)[:-1])
    code, out = run_verifier(case_export, public_key)
    assert code == 1 and "removed at the end" in out


def test_swapped_withheld_hash_is_rejected(case_export, public_key):
    """A withheld hash followed by another withheld line has no link to check: the signed digest catches it."""
    content = lines(case_export)
    number = next(i for i in range(len(content) - 1) if '"withheld"' in content[i] and '"withheld"' in content[i + 1])
    record = json.loads(content[number])
    record["hash"] = "f" * 64
    content[number] = json.dumps(record) + "\n"
    rewrite(case_export, content)
    code, out = run_verifier(case_export, public_key)
    assert code == 1 and "digest signed in manifest.json" in out


def test_forged_checkpoint_is_rejected(case_export, public_key):
    """Someone rewrites an event, recomputes the chain and signs a checkpoint with a key of their own."""
    content = [json.loads(line) for line in lines(case_export)]
    first_full = next(r for r in content if not r.get("withheld"))
    first_full["actor_label"] = "someone_else"
    prev = first_full["prev_hash"]
    for record in content:
        if not record.get("withheld"):
            record["prev_hash"] = prev
            record["hash"] = verify_export.event_hash(record)
        prev = record["hash"]
    rewrite(case_export, [json.dumps(r, ensure_ascii=False) + "\n" for r in content])
    checkpoints = json.loads((case_export / "checkpoints.json").read_text())
    mallory = Ed25519PrivateKey.generate()
    checkpoints[-1]["head_hash"] = prev
    message = verify_export.checkpoint_message(checkpoints[-1]["seq"], prev, checkpoints[-1]["created_at"])
    checkpoints[-1]["signature"] = mallory.sign(message).hex()
    (case_export / "checkpoints.json").write_text(json.dumps(checkpoints))
    code, out = run_verifier(case_export, public_key)
    assert code == 1
    assert "checkpoints.json" in out and "forged" in out


def test_wrong_public_key_is_rejected(case_export, tmp_path):
    from cryptography.hazmat.primitives import serialization

    other = tmp_path / "other.pem"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, out = run_verifier(case_export, other)
    assert code == 1 and "does not verify with this public key" in out


def test_period_export_shows_every_event_of_the_period(public_key, tmp_path):
    fill_log(10)
    since = AuditEvent.objects.get(seq=3).occurred_at
    until = AuditEvent.objects.get(seq=8).occurred_at
    out = export(tmp_path / "period", "--since", since.isoformat(), "--until", until.isoformat())
    records = [json.loads(line) for line in lines(out)]
    assert [r["seq"] for r in records if not r.get("withheld")] == [3, 4, 5, 6, 7]
    assert run_verifier(out, public_key)[0] == 0


def test_export_ends_at_an_existing_checkpoint_when_one_covers_it(public_key, tmp_path):
    from audits.services import audit_checkpoint_create

    fill_log(20)
    checkpoint = audit_checkpoint_create()
    fill_log(5, start=20)
    out = export(tmp_path / "o", "--case", "FR-2026-0001")
    assert AuditCheckpoint.objects.count() == 1
    assert json.loads((out / "manifest.json").read_text())["last_seq"] == checkpoint.seq == 20
    assert run_verifier(out, public_key)[0] == 0


def test_refusals_leave_nothing_behind(public_key, tmp_path):
    fill_log(5)
    with pytest.raises(CommandError, match="justification"):
        call_command(
            "audits_export", "--case", CASE, "--out", str(tmp_path / "a"), "--justification", " ", "--recipient", "x"
        )
    with pytest.raises(CommandError, match="no audit events match"):
        export(tmp_path / "b", "--case", "FR-NONE")
    with pytest.raises(CommandError, match="is not a date we can read"):
        export(tmp_path / "c", "--since", "last tuesday")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "keep.txt").write_text("x")
    with pytest.raises(CommandError, match="not an empty directory"):
        export(tmp_path / "d", "--case", CASE)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists() and not (tmp_path / "c").exists()
    assert not AuditEvent.objects.filter(event_type="audit.exported").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_standalone_verifier_hashes_exactly_as_the_platform():
    at = datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=UTC)
    fields = (7, at, "case.viewed", "42", 'O\'Brien "x" \\ ✓ \u2028', "FR-1", "oversight.Case:7", '{"a":1}', "ab" * 32)
    record = dict(zip(chain.ROW_FIELDS, fields, strict=False))
    record["occurred_at"] = chain.format_time(at)
    assert verify_export.event_hash(record) == chain.event_hash(*fields)


def test_standalone_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(open(verify_export.__file__).read())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}


def test_a_damaged_manifest_is_a_failure_not_a_crash(case_export, public_key):
    manifest = json.loads((case_export / "manifest.json").read_text())
    del manifest["first_seq"]
    (case_export / "manifest.json").write_text(json.dumps(manifest))
    code, out = run_verifier(case_export, public_key)
    assert code == 1 and out.startswith("FAILED:") and "Traceback" not in out
