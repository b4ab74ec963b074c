"""Checkpoints keep the unprotected tail short: one is signed when the last is AUDIT_CHECKPOINT_SECONDS old (at most
five minutes) or AUDIT_CHECKPOINT_EVENTS events arrived since, whichever comes first."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from audits.models import AuditCheckpoint
from audits.services import audit_checkpoint_due, audit_record
from audits.signing import generate_key_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _key(settings):
    settings.AUDIT_CHECKPOINT_SECONDS = 300
    settings.AUDIT_CHECKPOINT_EVENTS = 100
    generate_key_file(Path(settings.AUDIT_SIGNING_KEY_FILE))


def add(count):
    for n in range(count):
        audit_record(actor="test", event_type="case.viewed", data={"n": n})


def test_a_checkpoint_every_five_minutes_while_events_arrive():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert audit_checkpoint_due() is None  # nothing to protect
        add(3)
        first = audit_checkpoint_due()
        assert first is not None and first.seq == 3  # none yet: the tail is due at once
        add(2)
        clock.shift(timedelta(seconds=299))
        assert audit_checkpoint_due() is None
        clock.shift(timedelta(seconds=1))
        assert audit_checkpoint_due().seq == first.seq + 1 + 2  # the checkpoint's own event and two more
        clock.shift(timedelta(minutes=30))
        assert audit_checkpoint_due() is None  # only the last checkpoint's own event since: nothing to protect


def test_a_checkpoint_after_the_configured_number_of_events():
    with time_machine.travel(timezone.now(), tick=False):
        add(1)
        audit_checkpoint_due()
        add(99)
        assert audit_checkpoint_due() is None
        add(1)
        assert audit_checkpoint_due() is not None
    assert AuditCheckpoint.objects.count() == 2
