import io

import pytest
from django.core.management import CommandError, call_command

from audits.models import AuditCheckpoint, AuditEvent
from tests.audits.helpers import fill_log

pytestmark = pytest.mark.django_db


def test_checkpoint_signs_count_and_head_and_is_itself_recorded():
    call_command("audits_keygen", stdout=io.StringIO())
    fill_log(10)
    head = AuditEvent.objects.get(seq=10)
    out = io.StringIO()
    call_command("audits_checkpoint", stdout=out)
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.head_hash) == (10, head.hash)
    assert f"10 events, head {head.hash}" in out.getvalue()
    assert AuditEvent.objects.get(seq=11).event_type == "audit.checkpoint"


def test_checkpoint_without_a_key_names_the_variable():
    with pytest.raises(CommandError, match="AUDIT_SIGNING_KEY_FILE"):
        call_command("audits_checkpoint")
    assert AuditCheckpoint.objects.count() == 0


def test_keygen_refuses_to_overwrite_a_key():
    call_command("audits_keygen", stdout=io.StringIO())
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("audits_keygen")
