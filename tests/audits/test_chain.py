"""The canonical form of an event is pinned: changing it would orphan every stored hash."""

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from audits import chain


@pytest.mark.parametrize(
    "fields",
    [
        (1, datetime(2026, 11, 28, 18, 0, tzinfo=UTC), "auth.login", "", "system", "", "", "{}", "0" * 64),
        (
            987654,
            datetime(2026, 3, 29, 3, 30, 0, 123456, tzinfo=ZoneInfo("Europe/Prague")),
            "case.viewed",
            "42",
            'O\'Brien "the judge" \\ ✓ \u2028',
            "FR-2026-0001",
            "oversight.Case:7",
            '{"note":"čeština","n":[1,2.5,null]}',
            "ab" * 32,
        ),
        (
            2,
            datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5))),
            "scan.batch",
            "",
            "w\n\t",
            "",
            "",
            "{}",
            "c" * 64,
        ),
    ],
)
def test_fast_hash_equals_the_plain_canonical_json_definition(fields):
    assert chain.event_hash(*fields) == chain.event_hash_reference(*fields)


def test_known_digest_is_stable():
    digest = chain.event_hash(1, datetime(2026, 1, 1, tzinfo=UTC), "auth.login", "", "system", "", "", "{}", "0" * 64)
    assert chain.format_time(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"
    # sha256 of {"actor_id":"","actor_label":"system",...,"seq":1,"target_ref":""}, computed independently
    assert digest == "3afa9b77c6203385b4dfc45c0fd7c11c837ee6233609dcecd7640d1a77007af1"


def test_canonical_data_sorts_keys_and_refuses_objects():
    assert chain.canonical_data({"b": 1, "a": [1, "x"]}) == '{"a":[1,"x"],"b":1}'
    with pytest.raises(ValueError):
        chain.canonical_data({"when": datetime.now()})


TRICKY = [
    'quote " backslash \\ slash /',
    "new\nline\rreturn\ttab\bback\fform",
    "control \x01\x1f and DEL \x7f",
    "unicode čeština ✓ 漢字 \u2028 \u2029 emoji 🚨",
    "",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", TRICKY)
def test_database_and_python_hash_every_character_alike(text):
    """PostgreSQL's audits_append() and chain.event_hash() must agree byte for byte."""
    from audits.models import AuditEvent
    from audits.services import audit_record

    event = audit_record(
        actor=text or None,
        event_type="case.viewed",
        case_ref=text,
        target_ref=text,
        data={"t": text, text: [1]},
        need_seq=True,
    )
    stored = AuditEvent.objects.values_list(*chain.ROW_FIELDS).get(seq=event.seq)
    assert stored[9] == chain.event_hash(*stored[:9]) == event.hash
    assert stored[6] == text and json.loads(stored[7]) == {"t": text, text: [1]}


@pytest.mark.django_db
def test_several_events_appended_in_one_call_chain_exactly_as_one_by_one():
    """audits_append_many() (one lock, one round trip) writes the chain chain.event_hash() defines, continuing the
    head, with the tricky texts; the whole trail then verifies."""
    from audits.models import AuditEvent, AuditHead
    from audits.selectors import audit_verify
    from audits.services import audit_record, audit_record_many

    first = audit_record(actor="one", event_type="case.viewed", data={"n": 0}, need_seq=True)
    events = audit_record_many(
        events=[
            {
                "actor": text or None,
                "event_type": "case.viewed",
                "case_ref": text,
                "target_ref": text,
                "data": {"t": text},
            }
            for text in TRICKY
        ],
        need_seq=True,
    )
    assert [e.seq for e in events] == list(range(first.seq + 1, first.seq + 1 + len(TRICKY)))
    assert events[0].prev_hash == first.hash and all(
        a.hash == b.prev_hash for a, b in zip(events, events[1:], strict=False)
    )
    for event in events:
        stored = AuditEvent.objects.values_list(*chain.ROW_FIELDS).get(seq=event.seq)
        assert stored[9] == chain.event_hash(*stored[:9]) == event.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    after = audit_record(actor="two", event_type="case.viewed", need_seq=True)
    assert after.prev_hash == events[-1].hash and audit_record_many(events=[]) == []
    assert audit_verify().ok
