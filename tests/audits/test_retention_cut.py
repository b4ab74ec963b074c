"""The trail's own retention (R18): archive a prefix that ends at a signed checkpoint, then cut it.

The clock moves with time-machine; AUDIT_RETENTION_DAYS is 620 days, so on 2026-11-29 the
events of January 2025 are due and those of June 2025 are not.
"""

import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audits.models import AuditCut, AuditEvent
from audits.selectors import audit_verify
from audits.services import AuditCutRefused, audit_checkpoint_create, audit_retention_apply, audit_trail_cut
from tests.audits.helpers import TriggersOff, fill_log

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(settings, tmp_path, django_capture_on_commit_callbacks):
    """January 2025: events 1-20, checkpoint A (20), 22-31, checkpoint B (31).
    June 2025: 33-37, checkpoint C (37). November 2026: 39-43."""
    settings.AUDIT_RETENTION_DAYS = 620
    settings.OFFICE_WITNESS_DIR = str(tmp_path / "office")
    with time_machine.travel(datetime(2025, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        call_command("audits_keygen", "--public-out", str(tmp_path / "pub.pem"), stdout=io.StringIO())
        fill_log(20)
        with django_capture_on_commit_callbacks(execute=True):
            a = audit_checkpoint_create()
            fill_log(10, start=20)
            b = audit_checkpoint_create()
    with time_machine.travel(datetime(2025, 6, 1, 9, 0, tzinfo=UTC), tick=False):
        fill_log(5, start=30)
        with django_capture_on_commit_callbacks(execute=True):
            c = audit_checkpoint_create()
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        fill_log(5, start=35)
    (tmp_path / "archive").mkdir()
    return {
        "a": a,
        "b": b,
        "c": c,
        "archive": tmp_path / "archive",
        "public": tmp_path / "pub.pem",
        "on_commit": django_capture_on_commit_callbacks,
    }


def cut_now(history, **kwargs):
    with time_machine.travel(NOW, tick=False), history["on_commit"](execute=True):
        return audit_trail_cut(
            before=kwargs.get("before", NOW - timedelta(days=620)), archive_dir=history["archive"], actor="dpo_test"
        )


def verify_command():
    out = io.StringIO()
    try:
        call_command("audits_verify", stdout=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue()


def offline(directory, public):
    result = subprocess.run(
        [sys.executable, str(directory / "verify_export.py"), str(directory), "--public-key", str(public)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout


def test_cut_archives_the_due_prefix_up_to_its_last_checkpoint_then_removes_it(history):
    cut = cut_now(history)
    assert (cut.seq_from, cut.seq_to, cut.events, cut.checkpoint_id) == (1, 31, 31, history["b"].pk)
    assert AuditEvent.objects.order_by("seq").first().seq == 32
    # The cut is itself recorded, in the remaining chain.
    event = AuditEvent.objects.get(event_type="audit.cut")
    assert event.seq == cut.event_seq and event.actor_label == "dpo_test"
    assert json.loads(event.data)["archive_sha256"] == cut.archive_sha256
    # The archive verifies offline with the public key only, and shows every event.
    archive = history["archive"] / cut.archive_name
    code, out = offline(archive, history["public"])
    assert code == 0, out
    assert out.startswith("OK: events 1..31 (31 shown, 0 withheld")
    # What remains verifies, starting at the cut's checkpoint.
    code, out = verify_command()
    assert code == 0, out
    assert "from_seq=32" in out


def test_a_later_cut_continues_where_the_last_one_ended(history):
    first = cut_now(history)
    with time_machine.travel(NOW + timedelta(days=200), tick=False), history["on_commit"](execute=True):
        result = audit_retention_apply(archive_dir=history["archive"])
    second = AuditCut.objects.get(pk=result["audit_cut_id"])
    assert (second.seq_from, second.seq_to) == (first.seq_to + 1, history["c"].seq)
    assert result["audit_events_cut"] == second.events
    manifest = json.loads((history["archive"] / second.archive_name / "manifest.json").read_text())
    assert manifest["prev_hash"] == history["b"].head_hash  # the archives chain on to each other
    assert offline(history["archive"] / second.archive_name, history["public"])[0] == 0
    assert audit_verify().ok


def test_nothing_is_cut_when_no_checkpoint_ends_a_due_prefix(history):
    with time_machine.travel(NOW, tick=False):
        assert (
            audit_trail_cut(before=datetime(2025, 1, 1, tzinfo=UTC), archive_dir=history["archive"], actor=None) is None
        )
    assert AuditEvent.objects.order_by("seq").first().seq == 1
    assert list(history["archive"].iterdir()) == []


def test_events_younger_than_the_retention_are_never_cut(history, settings):
    with pytest.raises(AuditCutRefused, match="younger than 620 days must be kept"):
        cut_now(history, before=NOW - timedelta(days=100))
    settings.AUDIT_RETENTION_DAYS = 30  # below R18's six months: the floor of 183 days still applies
    with pytest.raises(AuditCutRefused, match="younger than 183 days"):
        cut_now(history, before=NOW - timedelta(days=100))
    assert AuditEvent.objects.filter(seq=1).exists() and not AuditCut.objects.exists()
    assert list(history["archive"].iterdir()) == []


def test_a_damaged_prefix_is_not_archived_or_cut(history):
    with TriggersOff() as cursor:
        cursor.execute("UPDATE audits_auditevent SET actor_label = 'x' WHERE seq = 7")
    with pytest.raises(AuditCutRefused, match="damaged at event 7"):
        cut_now(history)
    assert AuditEvent.objects.count() == 43 and not AuditCut.objects.exists()
    assert list(history["archive"].iterdir()) == []


def test_deletion_stays_impossible_outside_a_cut(history):
    cut_now(history)
    for statement in (
        "DELETE FROM audits_auditevent WHERE seq = 35",
        "DELETE FROM audits_auditevent",
        "UPDATE audits_auditcut SET seq_to = 40",
        "DELETE FROM audits_auditcut",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="no recorded cut"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT audits_cut(999)")
        with pytest.raises(DatabaseError, match="oldest remaining event|differs from the signed checkpoint"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT audits_cut(%s)", [AuditCut.objects.get().pk])  # replaying the cut
    assert AuditEvent.objects.order_by("seq").first().seq == 32


def test_a_prefix_deleted_by_hand_is_reported(history):
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent WHERE seq <= 31")
    code, out = verify_command()
    assert code == 1
    assert "first_bad_seq=1 kind=removed without a recorded cut" in out


def test_a_hand_cut_after_a_real_cut_is_reported(history):
    cut_now(history)
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent WHERE seq <= 37")
    code, out = verify_command()
    assert code == 1
    assert "first_bad_seq=32 kind=removed without a recorded cut" in out


def test_a_forged_cut_record_is_reported(history):
    """Rows deleted by hand and a cut row written to cover them: the office never received that cut."""
    with TriggersOff() as cursor:
        cursor.execute("DELETE FROM audits_auditevent WHERE seq <= 31")
        cursor.execute(
            "INSERT INTO audits_auditcut (seq_from, seq_to, checkpoint_id, head_hash, events, oldest_at, newest_at,"
            " before, archive_name, archive_sha256, event_seq, actor_label, created_at)"
            " VALUES (1, 31, %s, %s, 31, %s, %s, %s, 'x', %s, 40, 'mallory', %s)",
            [history["b"].pk, history["b"].head_hash, NOW, NOW, NOW, "a" * 64, NOW],
        )
    code, out = verify_command()
    assert code == 1
    assert "kind=cut record does not hold" in out


def test_the_cut_is_delivered_to_the_office(history):
    cut = cut_now(history)
    (copy,) = (history["archive"].parent / "office").glob("cut-*.json")
    assert json.loads(copy.read_text())["archive_sha256"] == cut.archive_sha256


def test_archive_cut_command_prints_one_json_object(history):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False), history["on_commit"](execute=True):
        call_command("audits_archive_cut", "--archive-dir", str(history["archive"]), stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1])["audit_events_cut"] == 31
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError, match="not a date we can read"):
        call_command("audits_archive_cut", "--archive-dir", str(history["archive"]), "--before", "soon")


def test_no_session_setting_opens_the_trail_even_for_the_owner(history):
    """The old way out (a transaction-local setting any session could set) opens nothing any more: only audits_cut(),
    for the cut it checked, in its own transaction (audits.triggers)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's transaction-local setting")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('audits.cut_through', '20', true)")
            cursor.execute("DELETE FROM audits_auditevent WHERE seq <= 20")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            (txid,) = cursor.fetchone()
            # The owner writing the marker by hand is the owner disabling a trigger: possible, and then caught by
            # verification; here it names another transaction and opens nothing.
            cursor.execute("INSERT INTO audits_cut_in_progress VALUES (%s, 1, 20)", [txid + 1])
            cursor.execute("DELETE FROM audits_auditevent WHERE seq <= 20")
    assert AuditEvent.objects.order_by("seq").first().seq == 1
    code, out = verify_command()
    assert code == 0, out


def test_verify_page_shows_the_cut(history, client_for, dpo):
    cut = cut_now(history)
    body = client_for(dpo).get("/audits/verify/").content.decode()
    assert "Intact:" in body and "from event 32" in body and cut.archive_name in body
