"""Uses at the edges (R16, R22, R23): not begun, backdated, revoked mid-way, urgent and refused, across midnight and
across New Year, in the display time zone.

Every expected figure is counted here from the instants the test itself chose (local wall-clock times in Prague,
converted with zoneinfo), never read back from the reports: a use starts at the urgent start or at the later of the
granted start and the grant, ends at the revocation, refusal or window's end, and belongs to the local year and
month of its start. A case authorised for a window that has not begun is planned: no use, no hour, no record.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from office.reports.annual import CASE_FIGURES, annual_report
from office.reports.records import RECORD_COLUMNS, deployment_records
from office.services.notifications import notification_text
from oversight import registry, services
from oversight.models import Case, OfficeNotification
from tests.oversight.factories import deployment_with_opinion, draft_case

pytestmark = pytest.mark.django_db

PRAGUE = ZoneInfo("Europe/Prague")
YEAR = 2026


def local(*args) -> datetime:
    """A wall-clock time in Prague, as people there typed it."""
    return datetime(*args, tzinfo=PRAGUE)


@dataclass
class Use:
    """What the test expects of one case, from its own instants."""

    case: Case
    start: datetime | None  # None: not a use (planned, refused before any start)
    end: datetime | None
    urgent: bool = False

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@pytest.fixture(autouse=True)
def _prague(settings, monkeypatch):
    settings.TIME_ZONE = "Europe/Prague"  # the display zone every figure is counted in
    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", lambda case: {})


@pytest.fixture
def clock():
    with time_machine.travel(local(YEAR, 1, 5, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def edges(clock, objectives, world_users, platform_admin, dpo):
    w = world_users
    cams = [
        services.camera_create(actor=platform_admin, name=name, location_label=place, source="rtsp://h/s")
        for name, place in [("Square north", "Old town square"), ("Station hall", "Main station")]
    ]
    deployment_with_opinion(platform_admin, dpo, cams, name="City centre")
    uses = {}

    def granted(*, drafted, decided, start, end, **decide):
        clock.move_to(drafted)
        case = draft_case(w.requester, cams, judge=w.judge, start=start, end=end, camera_count=1)
        case = services.case_submit(actor=w.requester, case=case)
        clock.move_to(decided)
        return services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary.", **decide)

    # Backdated: asked from 19:00, granted at 19:37 for the window asked; the use runs 19:37 to 23:00.
    case = granted(
        drafted=local(YEAR, 2, 3, 18, 30),
        decided=local(YEAR, 2, 3, 19, 37),
        start=local(YEAR, 2, 3, 19, 0),
        end=local(YEAR, 2, 3, 23, 0),
    )
    uses["backdated"] = Use(case, local(YEAR, 2, 3, 19, 37), local(YEAR, 2, 3, 23, 0))

    # Revoked mid-way: granted 10:00 to 20:00, revoked at 14:15.
    case = granted(
        drafted=local(YEAR, 3, 10, 8, 0),
        decided=local(YEAR, 3, 10, 9, 0),
        start=local(YEAR, 3, 10, 10, 0),
        end=local(YEAR, 3, 10, 20, 0),
    )
    clock.move_to(local(YEAR, 3, 10, 14, 15))
    services.case_revoke(actor=w.judge, case=case, reason="Found.")
    uses["revoked"] = Use(case, local(YEAR, 3, 10, 10, 0), local(YEAR, 3, 10, 14, 15))

    # Revoked before its window began: it was planned and never a use.
    case = granted(
        drafted=local(YEAR, 3, 20, 8, 0),
        decided=local(YEAR, 3, 20, 9, 0),
        start=local(YEAR, 3, 21, 10, 0),
        end=local(YEAR, 3, 21, 20, 0),
    )
    clock.move_to(local(YEAR, 3, 20, 18, 0))
    services.case_revoke(actor=w.judge, case=case, reason="No longer needed.")
    uses["cancelled"] = Use(case, None, None)

    # Urgent and refused: started 09:00, filed, refused at 11:30.
    clock.move_to(local(YEAR, 4, 7, 9, 0))
    case = draft_case(
        w.requester,
        cams,
        judge=w.judge,
        start=local(YEAR, 4, 7, 9, 0),
        end=local(YEAR, 4, 7, 21, 0),
        camera_count=1,
        objective="threat",
    )
    case = services.case_start_urgent(actor=w.requester, case=case, urgency_reason="A bomb threat.")
    clock.move_to(local(YEAR, 4, 7, 10, 0))
    case = services.case_submit(actor=w.requester, case=case)
    clock.move_to(local(YEAR, 4, 7, 11, 30))
    services.case_decide(actor=w.judge, case=case, granted=False, reasons="No specific threat.")
    uses["urgent_refused"] = Use(case, local(YEAR, 4, 7, 9, 0), local(YEAR, 4, 7, 11, 30), urgent=True)

    # Across midnight, in summer time: 22:00 on 30 June to 02:00 on 1 July (20:00 to 00:00 UTC).
    case = granted(
        drafted=local(YEAR, 6, 30, 12, 0),
        decided=local(YEAR, 6, 30, 13, 0),
        start=local(YEAR, 6, 30, 22, 0),
        end=local(YEAR, 7, 1, 2, 0),
    )
    uses["midnight"] = Use(case, local(YEAR, 6, 30, 22, 0), local(YEAR, 7, 1, 2, 0))

    # Into the new year: 23:00 on 31 December to 03:00 on 1 January: a use of YEAR.
    case = granted(
        drafted=local(YEAR, 12, 31, 12, 0),
        decided=local(YEAR, 12, 31, 13, 0),
        start=local(YEAR, 12, 31, 23, 0),
        end=local(YEAR + 1, 1, 1, 3, 0),
    )
    uses["new_year_eve"] = Use(case, local(YEAR, 12, 31, 23, 0), local(YEAR + 1, 1, 1, 3, 0))

    # Starting at 00:30 on 1 January in Prague: still 31 December in UTC, but a use of YEAR + 1 here.
    case = granted(
        drafted=local(YEAR, 12, 31, 14, 0),
        decided=local(YEAR, 12, 31, 15, 0),
        start=local(YEAR + 1, 1, 1, 0, 30),
        end=local(YEAR + 1, 1, 1, 4, 30),
    )
    uses["new_year_morning"] = Use(case, local(YEAR + 1, 1, 1, 0, 30), local(YEAR + 1, 1, 1, 4, 30))

    # Not begun: granted at 15:30 on 1 January for 20:30 to 23:30; the reports are read at 19:31.
    case = granted(
        drafted=local(YEAR + 1, 1, 1, 15, 0),
        decided=local(YEAR + 1, 1, 1, 15, 30),
        start=local(YEAR + 1, 1, 1, 20, 30),
        end=local(YEAR + 1, 1, 1, 23, 30),
    )
    uses["planned"] = Use(case, None, None)

    clock.move_to(local(YEAR + 1, 1, 1, 19, 31))
    return uses


def _in_year(uses: dict[str, Use], year: int) -> list[Use]:
    return [u for u in uses.values() if u.start is not None and u.start.astimezone(PRAGUE).year == year]


def test_deployment_records_count_each_use_from_when_processing_could_begin(edges):
    for year in (YEAR, YEAR + 1):
        expected = sorted(_in_year(edges, year), key=lambda u: u.start)
        records = deployment_records(year=year)
        assert [r.case.pk for r in records] == [u.case.pk for u in expected], year
        for record, use in zip(records, expected, strict=True):
            assert (record.start, record.end) == (use.start, use.end), use.case.reference
            values = record.values
            assert set(values) == {key for key, _label in RECORD_COLUMNS}
            assert values["duration_hours"] == round(use.hours, 2)
            assert values["date"] == use.start.astimezone(PRAGUE).strftime("%Y-%m-%d")
            assert values["start"] == use.start.astimezone(PRAGUE).strftime("%Y-%m-%d %H:%M")
            assert values["end"] == use.end.astimezone(PRAGUE).strftime("%Y-%m-%d %H:%M")
            assert values["urgent"] == ("yes" if use.urgent else "no")
    assert edges["planned"].case.pk not in {r.case.pk for r in deployment_records()}
    assert edges["cancelled"].case.pk not in {r.case.pk for r in deployment_records()}


def test_a_backdated_grant_is_shown_as_such(edges):
    record = next(r for r in deployment_records(year=YEAR) if r.case.pk == edges["backdated"].case.pk)
    assert record.values["start"] == f"{YEAR}-02-03 19:37"
    assert record.values["window"] == (
        f"{YEAR}-02-03 19:00 to {YEAR}-02-03 23:00 (granted at {YEAR}-02-03 19:37: backdated, the use began then)"
    )
    assert record.values["duration_hours"] == round(3 + 23 / 60, 2)
    approved = OfficeNotification.objects.get(case=edges["backdated"].case, kind="approved")
    assert (
        f"Window asked from {YEAR}-02-03 19:00, granted at {YEAR}-02-03 19:37: use from {YEAR}-02-03 19:37."
        in notification_text(approved)["summary"]
    )


def test_the_annual_report_counts_the_uses_of_its_own_year_in_the_display_zone(edges):
    for year in (YEAR, YEAR + 1):
        mine = _in_year(edges, year)
        cases = [Case.objects.get(pk=u.case.pk) for u in edges.values()]  # the stored instants, as decided
        expected = {
            "requests": sum(1 for c in cases if c.submitted_at and c.submitted_at.astimezone(PRAGUE).year == year),
            "approvals": sum(1 for c in cases if c.approved_start and c.decided_at.astimezone(PRAGUE).year == year),
            "refusals": sum(
                1
                for c in cases
                if c.decided_at and not c.approved_start and c.decided_at.astimezone(PRAGUE).year == year
            ),
            "urgent_uses": sum(1 for u in mine if u.urgent),
            "uses": len(mine),
            "hours_of_use": round(sum(u.hours for u in mine), 2),
            # Searches of recorded footage count apart (R24); none of these edge cases is one.
            "post_event_requests": sum(
                1
                for c in cases
                if c.is_post_event and c.submitted_at and c.submitted_at.astimezone(PRAGUE).year == year
            ),
            "post_event_approvals": sum(
                1
                for c in cases
                if c.is_post_event and c.approved_start and c.decided_at.astimezone(PRAGUE).year == year
            ),
            "post_event_uses": sum(1 for u in mine if u.case.is_post_event),
        }
        report = annual_report(year=year)
        assert {key: report.totals[key] for key, _label in CASE_FIGURES} == expected, year
        assert report.durations["uses"] == len(mine)
        assert report.durations["running"] == 0
        for month in range(1, 13):
            in_month = [u for u in mine if u.start.astimezone(PRAGUE).month == month]
            assert report.by_month[month]["uses"] == len(in_month), (year, month)
            assert report.by_month[month]["hours_of_use"] == round(sum(u.hours for u in in_month), 2)
    # Written out, so the rules above cannot hide a mistake: five uses in YEAR, one in the next, none planned.
    assert annual_report(year=YEAR).totals["uses"] == 5  # backdated, revoked, urgent, midnight, new year's eve
    assert annual_report(year=YEAR + 1).totals["uses"] == 1  # the morning of 1 January, not the planned one
    assert annual_report(year=YEAR).by_month[6]["uses"] == 1 and annual_report(year=YEAR).by_month[7]["uses"] == 0


def test_a_planned_case_is_planned_on_the_pages_and_in_the_notification(edges, client_for, dpo):
    planned = edges["planned"].case
    approved = OfficeNotification.objects.get(case=planned, kind="approved")
    text = notification_text(approved)
    assert text["title"] == "Use authorised, planned"
    assert f"A planned use: it begins {YEAR + 1}-01-01 20:30." in text["summary"]
    cancelled = OfficeNotification.objects.get(case=edges["cancelled"].case, kind="ended")
    assert notification_text(cancelled)["title"] == "Planned use cancelled"

    page = client_for(dpo).get(reverse("office:deployment_records") + f"?year={YEAR + 1}").content.decode()
    assert "Planned: authorised, not begun" in page and planned.reference in page
    rows = page.split("Planned: authorised, not begun")[0]
    assert planned.reference not in rows  # not among the uses
    case_page = client_for(dpo).get(reverse("oversight:case_detail", args=[planned.pk])).content.decode()
    assert f"planned from {YEAR + 1}-01-01 20:30, not begun" in case_page
    backdated = client_for(dpo).get(reverse("oversight:case_detail", args=[edges["backdated"].case.pk]))
    assert f"window granted from {YEAR}-02-03 19:00 at {YEAR}-02-03 19:37: use from {YEAR}-02-03 19:37" in (
        backdated.content.decode()
    )


def test_a_use_in_czech_reads_in_czech_local_time(edges):
    with translation.override("cs"):
        record = next(r for r in deployment_records(year=YEAR) if r.case.pk == edges["midnight"].case.pk)
    assert record.values["start"] == f"30. 6. {YEAR} 22:00" and record.values["end"] == f"1. 7. {YEAR} 02:00"
