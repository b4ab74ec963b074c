"""The canonical form of an event is pinned: changing it would orphan every stored hash."""

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
