"""What the register publishes is a rule (R23): ended uses only, none withheld, no person, case or free text, small
counts banded, and the figures of the office's deployment records."""

import json
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.events import EventType
from audits.models import AuditEvent
from office.reports.records import deployment_records
from oversight.models import Case
from tests.transparency.conftest import SEEDED_SECRETS, WITHHOLDING_REASON
from tests.transparency.helpers import published, read_all
from transparency import services as transparency_services
from transparency.selectors import BANDED, COUNT_FIELDS, COUNT_KEYS, _published_figures, use_identifier


def _ids(register_world, *keys) -> dict[str, str]:
    return {key: use_identifier(Case.objects.get(pk=register_world.cases[key].case.pk)) for key in keys}


@pytest.mark.django_db
def test_only_ended_uses_that_nobody_withholds_are_published(register_world):
    ids = _ids(register_world, "busy", "running", "january", "march", "urgent_approved", "urgent_refused")
    listed = {use["use_id"] for use in published()["uses"]}
    assert ids["running"] not in listed
    assert ids["january"] not in listed
    assert {ids["busy"], ids["march"], ids["urgent_approved"], ids["urgent_refused"]} <= listed
    # Refused or withdrawn requests were never uses; the previous year's use is published too.
    assert len(listed) == 6
    page = Client().get("/transparency/en/").content.decode()
    assert ids["running"] not in page and ids["january"] not in page  # identifiers are never shown, but neither leak
    assert "6 ended uses" in page


@pytest.mark.django_db
def test_a_withholding_is_in_the_audit_trail_and_its_end_publishes_the_use(register_world, clock):
    withholding = register_world.withholding
    event = AuditEvent.objects.get(event_type=EventType.TRANSPARENCY_WITHHELD)
    assert event.case_ref == withholding.case.reference
    assert event.actor_label == register_world.users.judge.username
    assert event.data_dict == {"withheld_until": withholding.withheld_until.isoformat(), "reason": WITHHOLDING_REASON}
    january = _ids(register_world, "january")["january"]
    day_after = datetime.combine(withholding.withheld_until + timedelta(days=1), time(0, 1))
    clock.move_to(timezone.make_aware(day_after))
    assert january in {use["use_id"] for use in published()["uses"]}


@pytest.mark.django_db
def test_lifting_a_withholding_publishes_the_use_at_once(register_world):
    january = _ids(register_world, "january")["january"]
    assert january not in {use["use_id"] for use in published()["uses"]}
    transparency_services.withholding_lift(actor=register_world.users.judge, withholding=register_world.withholding)
    assert AuditEvent.objects.filter(event_type=EventType.TRANSPARENCY_WITHHOLDING_LIFTED).count() == 1
    assert january in {use["use_id"] for use in published()["uses"]}


@pytest.mark.django_db
def test_no_name_reference_camera_or_free_text_of_the_seeded_data_appears_anywhere(register_world):
    outputs = read_all()
    references = list(Case.objects.values_list("reference", flat=True))
    assert references
    for url, text in outputs.items():
        for secret in (*SEEDED_SECRETS, *references):
            assert secret not in text, f"{secret!r} in {url}"


@pytest.mark.django_db
def test_small_counts_are_banded_on_pages_and_in_files_alike(register_world):
    ids = _ids(register_world, "busy", "march")
    uses = {use["use_id"]: use for use in published()["uses"]}
    busy, march = uses[ids["busy"]], uses[ids["march"]]
    # Eleven alerts, five rejected, six confirmed (arrests): every count 5 or more, all exact, and the rates shown.
    assert (busy["sightings"], busy["rejected"], busy["confirmed"], busy["outcome_arrested"]) == (11, 5, 6, 6)
    assert busy["faces_processed"] == 50 * 25
    assert busy["false_alert_rate_per_alert"] == pytest.approx(5 / 11)
    assert busy["false_alert_rate_per_face"] == pytest.approx(5 / 1250)
    # Two alerts (one confirmed, one never verified): every count under five is a band, and no rate reveals one.
    assert (march["sightings"], march["confirmed"], march["awaiting_verification"]) == (BANDED, BANDED, BANDED)
    assert march["rejected"] == 0
    assert march["false_alert_rate_per_alert"] is None
    csv_text = Client().get("/transparency/deployments.csv").content.decode()
    assert f",{BANDED}," in csv_text
    page = Client().get("/transparency/en/").content.decode()
    assert "fewer than 5" in page
    assert "every count from 1 to 4 is shown as “fewer than 5”" in page
    assert "the smallest other part is not shown either" in page  # the rule, written on the page
    for value in json.loads(Client().get("/transparency/deployments.json").content)["totals"]:
        for key, _source, _label in COUNT_FIELDS:
            assert value[key] in (BANDED, 0, None) or value[key] >= 5


@pytest.mark.django_db
def test_figures_equal_the_deployment_records_of_the_same_uses(register_world):
    uses = {use["use_id"]: use for use in published()["uses"]}
    records = {use_identifier(r.case): r for r in deployment_records(now=timezone.now())}
    assert set(uses) <= set(records)
    for use_id, use in uses.items():
        record = records[use_id]
        exact = {**record.usage, **record.values}
        for key, source, _label in COUNT_FIELDS:
            value = exact[source]
            # Shown as the record has it, or banded, or (to protect a banded part of the same total) not shown.
            assert use[key] in ((BANDED if 0 < value < 5 else value), None), (use_id, key)
            assert use[key] is not None or value > 0
        assert use["start"] == timezone.localtime(record.start).isoformat(timespec="seconds")
        assert use["end"] == timezone.localtime(record.end).isoformat(timespec="seconds")
        assert use["locations"] == sorted({link.camera.location_label for link in record.camera_links})
        assert use["objective"] == record.case.objective_id
    # The yearly total adds up the published uses' exact figures (here: faces, never banded).
    year_total = next(t for t in published()["totals"] if t["period"] == str(register_world.year))
    faces = sum(
        records[u].usage["faces_processed"]
        for u, use in uses.items()
        if use["start"].startswith(str(register_world.year))
    )
    assert year_total["faces_processed"] == faces


@pytest.mark.parametrize(
    ("exact", "expected"),
    [
        # One confirmed arrest among six alerts: 6 - 5 would give it away, so the five rejections are not shown.
        (
            {"sightings": 6, "confirmed": 1, "rejected": 5, "awaiting_verification": 0, "outcome_arrested": 1},
            {"sightings": 6, "confirmed": BANDED, "rejected": None, "outcome_arrested": BANDED},
        ),
        # Two banded parts protect each other: nothing more is hidden.
        (
            {"sightings": 12, "confirmed": 2, "rejected": 3, "awaiting_verification": 7, "outcome_arrested": 2},
            {"sightings": 12, "confirmed": BANDED, "rejected": BANDED, "awaiting_verification": 7},
        ),
        # Two rejections banded: the confirmed alerts (the smallest other part) are hidden, and since the outcomes
        # would add up to them again, the only outcome is hidden too.
        (
            {"sightings": 30, "confirmed": 6, "rejected": 2, "awaiting_verification": 22, "outcome_arrested": 6},
            {
                "sightings": 30,
                "confirmed": None,
                "rejected": BANDED,
                "awaiting_verification": 22,
                "outcome_arrested": None,
            },
        ),
    ],
)
def test_a_banded_count_cannot_be_worked_out_by_subtraction(exact, expected):
    full = dict.fromkeys(COUNT_KEYS, 0) | {"faces_processed": 1000} | exact
    counts, rates = _published_figures(full)
    for key, value in expected.items():
        assert counts[key] == value, key
    assert rates["false_alert_rate_per_alert"] is None or not (
        counts["rejected"] in (None, BANDED) or counts["sightings"] in (None, BANDED)
    )


def test_a_months_total_does_not_give_away_the_banded_figure_of_one_of_its_uses():
    from datetime import UTC, datetime

    from transparency.selectors import Period, PublishedUse, _suppress_everywhere, band

    def use(identifier, sightings):
        exact = dict.fromkeys(COUNT_KEYS, 0) | {"faces_processed": 100, "sightings": sightings}
        exact["awaiting_verification"] = sightings
        at = datetime(2026, 3, 1, tzinfo=UTC)
        published = PublishedUse(identifier, at, at, 1.0, (), (), "victims", "", "judge", False, {}, {})
        published.counts.update({key: band(value) for key, value in exact.items()})
        return published, exact

    (small, small_exact), (large, large_exact) = use("a", 2), use("b", 7)
    month = Period(key="2026-03", start=datetime(2026, 3, 1, tzinfo=UTC), members=[small, large])
    month.exact = {key: small_exact[key] + large_exact[key] for key in COUNT_KEYS}
    year = Period(key="2026", start=datetime(2026, 1, 1, tzinfo=UTC), members=[month], exact=dict(month.exact))
    _suppress_everywhere([small, large], {"a": small_exact, "b": large_exact}, [year, month])
    # 9 sightings in the month, 7 in one use: the other's 2 would follow, so the 7 is not shown.
    assert month.counts["sightings"] == 9 and year.counts["sightings"] == 9
    assert small.counts["sightings"] == BANDED
    assert large.counts["sightings"] is None
    assert large.counts["awaiting_verification"] is None and small.counts["awaiting_verification"] == BANDED
