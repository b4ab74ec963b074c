"""audits_verify finds each kind of damage a database superuser could do (triggers disabled)."""

import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone

from audits import chain, signing
from audits.models import AuditCheckpoint, AuditEvent
from audits.services import audit_checkpoint_create
from tests.audits.helpers import TriggersOff, fill_log

pytestmark = pytest.mark.django_db

EVENTS = 1000


@pytest.fixture
def log():
    """1,000 events, a signed checkpoint (event 1,001), then 99 more: 1,100 in all."""
    call_command("audits_keygen")
    fill_log(EVENTS)
    checkpoint = audit_checkpoint_create()
    fill_log(99, start=EVENTS)
    assert checkpoint.seq == EVENTS
    assert AuditEvent.objects.count() == 1100
    return checkpoint


def run_verify():
    out = io.StringIO()
    try:
        call_command("audits_verify", stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def row(seq):
    return AuditEvent.objects.values_list(*chain.ROW_FIELDS).get(seq=seq)


def test_intact_log_verifies(log):
    code, out = run_verify()
    assert code == 0, out
    head = AuditEvent.objects.order_by("-seq").first()
    assert f"OK count=1100 head={head.hash}" in out
    assert "checkpoints=1" in out


def test_changed_field_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET actor_label = 'someone_else' WHERE seq = 500")
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=500 kind=modified" in out


def test_changed_data_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("""UPDATE audits_auditevent SET data = '{"i":0}' WHERE seq = 777""")
    code, out = run_verify()
    assert (code, "first_bad_seq=777 kind=modified" in out) == (1, True), out


def test_deleted_event_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent WHERE seq = 500")
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=500 kind=deleted" in out


def test_deleted_event_with_renumbering_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent WHERE seq = 500")
        cursor.execute("UPDATE audits_auditevent SET seq = seq + 1000000 WHERE seq > 500")
        cursor.execute("UPDATE audits_auditevent SET seq = seq - 1000001 WHERE seq > 1000000")
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=500 kind=deleted" in out


def test_inserted_event_is_found(log):
    """A forged event slipped in at 500 with a valid hash linking to 499; the rest renumbered."""
    before = row(499)
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET seq = seq + 1000000 WHERE seq >= 500")
        cursor.execute("UPDATE audits_auditevent SET seq = seq - 999999 WHERE seq > 1000000")
        at = timezone.now()
        forged = chain.event_hash(500, at, "case.approved", "1", "judge", "FR-1", "", "{}", before[9])
        cursor.execute(
            "INSERT INTO audits_auditevent (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref,"
            " data, prev_hash, hash) VALUES (500, %s, 'case.approved', '1', 'judge', 'FR-1', '', '{}', %s, %s)",
            [at, before[9], forged],
        )
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=500 kind=inserted" in out


def test_inserted_event_with_bad_link_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET seq = seq + 1000000 WHERE seq >= 300")
        cursor.execute("UPDATE audits_auditevent SET seq = seq - 999999 WHERE seq > 1000000")
        cursor.execute(
            "INSERT INTO audits_auditevent (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref,"
            " data, prev_hash, hash) VALUES (300, %s, 'auth.login', '', 'x', '', '', '{}', %s, %s)",
            [timezone.now(), "f" * 64, "e" * 64],
        )
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=300 kind=inserted" in out


def test_swapped_events_are_found(log):
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET seq = 5000000 WHERE seq = 500")
        cursor.execute("UPDATE audits_auditevent SET seq = 500 WHERE seq = 501")
        cursor.execute("UPDATE audits_auditevent SET seq = 501 WHERE seq = 5000000")
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=500 kind=reordered" in out


def test_tail_cut_after_checkpoint_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent WHERE seq > 990")
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=991 kind=truncated after a checkpoint" in out


def test_whole_log_truncated_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent")
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=1 kind=truncated after a checkpoint" in out


def test_chain_rewritten_from_scratch_is_caught_by_the_checkpoint(log):
    """An attacker who recomputes every hash after a change still fails the signed checkpoint."""
    rows = list(AuditEvent.objects.order_by("seq").values_list(*chain.ROW_FIELDS))
    prev = rows[498][9]
    with TriggersOff() as cursor:
        for r in rows[499:]:
            actor_label = "someone_else" if r[0] == 500 else r[4]
            digest = chain.event_hash(r[0], r[1], r[2], r[3], actor_label, r[5], r[6], r[7], prev)
            cursor.execute(
                "UPDATE audits_auditevent SET actor_label = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [actor_label, prev, digest, r[0]],
            )
            prev = digest
    code, out = run_verify()
    assert code == 1
    assert "first_bad_seq=1000 kind=modified before a checkpoint (chain rewritten)" in out


def test_forged_checkpoint_is_found(log):
    """A checkpoint signed with another key (vouching for a rewritten head) is rejected."""
    mallory = Ed25519PrivateKey.generate()
    at = timezone.now()
    head = AuditEvent.objects.order_by("-seq").first()
    message = signing.checkpoint_message(head.seq, head.hash, chain.format_time(at))
    AuditCheckpoint.objects.create(
        seq=head.seq,
        head_hash=head.hash,
        created_at=at,
        key_fingerprint=signing.fingerprint(signing.load_signing_key().public_key()),  # lies about its key
        signature=mallory.sign(message).hex(),
    )
    code, out = run_verify()
    assert code == 1
    assert f"first_bad_seq={head.seq} kind=bad checkpoint signature" in out


def test_checkpoint_with_altered_count_is_found(log):
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditcheckpoint SET seq = 900 WHERE id = %s", [log.pk])
    code, out = run_verify()
    assert code == 1
    assert "kind=bad checkpoint signature" in out


def test_verification_needs_only_the_public_key(log, settings, tmp_path):
    public = tmp_path / "audit.pub.pem"
    call_command("audits_keygen", "--if-missing", "--public-out", str(public), stdout=io.StringIO())
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "absent.pem")
    settings.AUDIT_VERIFY_KEY_FILE = str(public)
    code, out = run_verify()
    assert code == 0, out


def test_damage_found_while_the_next_chunks_are_fetched_ahead_stops_cleanly(log, monkeypatch):
    """The rows come in chunks, the next fetched by a thread while the current one is hashed (audits.selectors):
    with chunks of 7 rows, damage at event 500 stops verification there, the fetching thread ends, and the
    connection is usable at once; the whole trail verifies again, chunk after chunk, once the damage is undone."""
    import threading

    from django.db import connection

    from audits import selectors

    monkeypatch.setattr(selectors, "VERIFY_CHUNK", 7)
    original = row(500)
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET actor_label = 'someone_else' WHERE seq = 500")
    code, out = run_verify()
    assert code == 1 and "first_bad_seq=500 kind=modified" in out
    assert not [t for t in threading.enumerate() if t.name == "audits-rows"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audits_auditevent")
        assert cursor.fetchone()[0] == 1100
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET actor_label = %s WHERE seq = 500", [original[4]])
    code, out = run_verify()
    assert code == 0 and "OK count=1100" in out
