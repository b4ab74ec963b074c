"""A year of realistic activity built through the services, and the counts the tests expect, kept apart.

The face engine is not run: these tests are about the reports, not recognition. Scans and alerts are written
through the recognition services (scan_start, scan_batch_commit, scan_stop, alert_review, alert_record_outcome)
with the batches a worker would commit; readiness of reference faces is stubbed as in tests/oversight.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from oversight import registry, services
from oversight.models import Case, Objective
from recognition import services as recognition
from recognition.models import Alert
from recognition.sightings import SightingBuilder, TrackHit
from tests.oversight.factories import deployment_with_opinion, draft_case

YEAR = 2026
REPORTED_AT = datetime(YEAR + 1, 1, 15, 9, 0, tzinfo=UTC)


@dataclass
class Expected:
    """What happened to one case, counted by the test as it built it (never read back from the reports)."""

    case: Case
    objective: str
    cameras: list
    start: datetime | None = None
    end: datetime | None = None
    scans: list = field(default_factory=list)  # (camera name, frames_read, faces, matches)
    alerts: Counter = field(default_factory=Counter)  # verified / false / pending
    outcomes: Counter = field(default_factory=Counter)

    @property
    def faces(self) -> int:
        return sum(s[2] for s in self.scans)

    @property
    def frames(self) -> int:
        return sum(s[1] for s in self.scans)

    @property
    def alert_count(self) -> int:
        return sum(self.alerts.values())


@pytest.fixture(autouse=True)
def _reference_faces_ready(monkeypatch):
    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", lambda case: {})


@pytest.fixture
def clock():
    with time_machine.travel(datetime(YEAR - 1, 12, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def _scan(clock, expected: Expected, camera, *, at, faces_per_frame, frames, alerts=()):
    """One scan of `camera` at `at`: `frames` analysed frames of 3 read each, and one match per entry in
    `alerts` (its verdicts and outcome applied afterwards by the caller)."""
    clock.move_to(at)
    scan = recognition.scan_start(camera_id=camera.pk)
    case = Case.objects.get(pk=expected.case.pk)
    person_ids = list(case.persons.filter(in_scope=True).values_list("pk", flat=True))
    # Frames 5 s apart (more than the sighting gap): each matching frame is a sighting of its own, one alert each.
    builder = SightingBuilder(camera.pk)
    events = []
    for i in range(frames):
        captured = at + timedelta(seconds=5 * i)
        hits = [TrackHit(i, case.pk, person_ids[0], 0.4, crop_jpeg=b"\xff\xd8fake-jpeg")] if i < len(alerts) else []
        events += builder.add_frame(3 * i, captured, hits)
    clock.move_to(at + timedelta(seconds=5 * frames))
    batch = recognition.ScanBatch(
        frames_read=3 * frames,
        frames_analysed=frames,
        events=events,
        faces_seen=faces_per_frame * frames,
        matches=len(alerts),
        watchlist_versions={case.pk: "v1"},
        thresholds={case.pk: case.effective_threshold},
        case_references={case.pk: case.reference},
        first_frame_at=at,
        last_frame_at=at + timedelta(seconds=5 * (frames - 1)),
    )
    recognition.scan_batch_commit(scan_id=scan.pk, batch=batch)
    recognition.scan_stop(scan_id=scan.pk, reason="segment_end")
    expected.scans.append((camera.name, 3 * frames, faces_per_frame * frames, len(alerts)))
    created = list(Alert.objects.filter(scan=scan).order_by("captured_at"))
    assert len(created) == len(alerts)
    return created


def _verify(w, expected: Expected, alerts, plans):
    """plans: ("verified", outcome or None) | ("false", None) | ("pending", None), one per alert."""
    first, second = w.verifiers
    for alert, (verdict, outcome) in zip(alerts, plans, strict=True):
        if verdict == "verified":
            recognition.alert_review(actor=first, alert=alert, verdict="confirm")
            recognition.alert_review(actor=second, alert=alert, verdict="confirm")
            if outcome:
                note = "Referred to social services." if outcome == "other" else ""
                recognition.alert_record_outcome(actor=first, alert=alert, outcome=outcome, note=note)
            expected.outcomes[outcome or "not_recorded"] += 1
        elif verdict == "false":
            recognition.alert_review(actor=second, alert=alert, verdict="reject", note="Not the person.")
        expected.alerts[verdict] += 1


def _approved(w, clock, *, at, objective, cameras, hours=10, **fields):
    clock.move_to(at)
    case = draft_case(
        w.requester,
        cameras,
        judge=w.judge,
        objective=objective,
        start=at + timedelta(hours=1),
        end=at + timedelta(hours=1 + hours),
        camera_count=len(cameras),
        **fields,
    )
    case = services.case_submit(actor=w.requester, case=case)
    case = services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary and proportionate.")
    return Expected(case=case, objective=objective, cameras=cameras, start=case.approved_start, end=case.approved_end)


SUSPECT = {"offence": "Armed robbery", "offence_max_sentence_years": 12}


@pytest.fixture
def year(clock, objectives, world_users, platform_admin, dpo):
    """Deployments, cases, scans, alerts, verifications, outcomes, refusals and urgent uses across a year."""
    w = world_users
    cams = {
        name: services.camera_create(actor=platform_admin, name=name, location_label=place, source="rtsp://h/s")
        for name, place in [
            ("Square north", "Old town square"),
            ("Square south", "Old town square"),
            ("Main station hall", "Main station"),
            ("Airport arrivals", "Airport"),
            ("Airport departures", "Airport"),
            ("Stadium gate", "Stadium"),
        ]
    }
    deployment_with_opinion(
        platform_admin, dpo, [cams["Square north"], cams["Square south"], cams["Main station hall"]], name="City centre"
    )
    deployment_with_opinion(
        platform_admin,
        dpo,
        [cams["Airport arrivals"], cams["Airport departures"]],
        opinion="conditional",
        name="Airport",
    )
    deployment_with_opinion(platform_admin, dpo, [cams["Stadium gate"]], opinion="unfavourable", name="Stadium")
    cases = {}

    # The year before: one use that must not count in YEAR.
    c0 = _approved(
        w, clock, at=datetime(YEAR - 1, 12, 20, 10, tzinfo=UTC), objective="victims", cameras=[cams["Square north"]]
    )
    _scan(clock, c0, cams["Square north"], at=c0.start + timedelta(hours=1), faces_per_frame=9, frames=10, alerts=[1])
    services.case_expire_due(now=c0.end + timedelta(minutes=1))
    cases["previous_year"] = c0

    # January: a missing child; two cameras; three alerts (arrested, engaged, one false).
    c1 = _approved(
        w,
        clock,
        at=datetime(YEAR, 1, 10, 8, tzinfo=UTC),
        objective="victims",
        cameras=[cams["Square north"], cams["Square south"]],
    )
    alerts = _scan(
        clock,
        c1,
        cams["Square north"],
        at=c1.start + timedelta(hours=1),
        faces_per_frame=40,
        frames=25,
        alerts=[1, 2, 3],
    )
    _verify(w, c1, alerts, [("verified", "arrested"), ("verified", "engaged"), ("false", None)])
    _scan(clock, c1, cams["Square south"], at=c1.start + timedelta(hours=2), faces_per_frame=20, frames=25)
    services.case_expire_due(now=c1.end + timedelta(minutes=1))
    cases["january"] = c1

    # March: a suspect at the airport (conditional opinion); revoked early; one alert verified, one pending.
    c2 = _approved(
        w,
        clock,
        at=datetime(YEAR, 3, 5, 9, tzinfo=UTC),
        objective="suspect",
        cameras=[cams["Airport arrivals"]],
        **SUSPECT,
    )
    alerts = _scan(
        clock,
        c2,
        cams["Airport arrivals"],
        at=c2.start + timedelta(minutes=30),
        faces_per_frame=80,
        frames=25,
        alerts=[1, 2],
    )
    _verify(w, c2, alerts, [("verified", "no_action"), ("pending", None)])
    clock.move_to(c2.start + timedelta(hours=2))
    services.case_revoke(actor=w.judge, case=c2.case, reason="The suspect was arrested elsewhere.")
    c2.end = Case.objects.get(pk=c2.case.pk).revoked_at
    cases["march"] = c2

    # March: a request refused by the judge.
    clock.move_to(datetime(YEAR, 3, 20, 9, tzinfo=UTC))
    refused = services.case_submit(
        actor=w.requester,
        case=draft_case(
            w.requester,
            [cams["Main station hall"]],
            judge=w.judge,
            objective="threat",
            camera_count=1,
            start=datetime(YEAR, 3, 20, 10, tzinfo=UTC),
            end=datetime(YEAR, 3, 20, 20, tzinfo=UTC),
        ),
    )
    services.case_decide(actor=w.judge, case=refused, granted=False, reasons="Not specific enough.")
    cases["refused"] = Expected(case=refused, objective="threat", cameras=[cams["Main station hall"]])

    # June: an urgent start, then filed and authorised; one verified alert with an "other" outcome.
    at = datetime(YEAR, 6, 1, 14, tzinfo=UTC)
    clock.move_to(at)
    urgent = draft_case(
        w.requester,
        [cams["Main station hall"]],
        judge=w.judge,
        objective="victims",
        camera_count=1,
        start=at,
        end=at + timedelta(hours=12),
    )
    urgent = services.case_start_urgent(actor=w.requester, case=urgent, urgency_reason="A child was taken an hour ago.")
    c4 = Expected(case=urgent, objective="victims", cameras=[cams["Main station hall"]], start=at)
    alerts = _scan(
        clock, c4, cams["Main station hall"], at=at + timedelta(minutes=20), faces_per_frame=12, frames=25, alerts=[1]
    )
    _verify(w, c4, alerts, [("verified", "other")])
    clock.move_to(at + timedelta(hours=2))
    services.case_submit(actor=w.requester, case=urgent)
    clock.move_to(at + timedelta(hours=3))
    urgent = services.case_decide(actor=w.judge, case=urgent, granted=True, reasons="Justified.")
    c4.end = urgent.approved_end
    services.case_expire_due(now=c4.end + timedelta(minutes=1))
    cases["urgent_approved"] = c4

    # July: an urgent start refused afterwards; its one alert was false; its data is due for deletion.
    at = datetime(YEAR, 7, 7, 18, tzinfo=UTC)
    clock.move_to(at)
    lapsed = draft_case(
        w.requester,
        [cams["Square south"]],
        judge=w.judge,
        objective="threat",
        camera_count=1,
        start=at,
        end=at + timedelta(hours=12),
    )
    lapsed = services.case_start_urgent(actor=w.requester, case=lapsed, urgency_reason="A bomb threat.")
    c8 = Expected(case=lapsed, objective="threat", cameras=[cams["Square south"]], start=at)
    alerts = _scan(
        clock, c8, cams["Square south"], at=at + timedelta(minutes=10), faces_per_frame=30, frames=25, alerts=[1]
    )
    _verify(w, c8, alerts, [("false", None)])
    clock.move_to(at + timedelta(hours=1))
    services.case_submit(actor=w.requester, case=lapsed)
    clock.move_to(at + timedelta(hours=2))
    services.case_decide(actor=w.judge, case=lapsed, granted=False, reasons="No specific threat.")
    c8.end = at + timedelta(hours=2)
    cases["urgent_refused"] = c8

    # September: the commission authorises a suspect search at the airport; nobody matched.
    at = datetime(YEAR, 9, 12, 7, tzinfo=UTC)
    clock.move_to(at)
    commission = draft_case(
        w.requester,
        [cams["Airport departures"]],
        authority="commission",
        objective="suspect",
        camera_count=1,
        start=at + timedelta(hours=1),
        end=at + timedelta(hours=7),
        **SUSPECT,
    )
    commission = services.case_submit(actor=w.requester, case=commission)
    for member in w.commission[:3]:
        commission = services.case_vote(actor=member, case=commission, granted=True, reasons="Proportionate.")
    c5 = Expected(
        case=commission,
        objective="suspect",
        cameras=[cams["Airport departures"]],
        start=commission.approved_start,
        end=commission.approved_end,
    )
    _scan(clock, c5, cams["Airport departures"], at=c5.start + timedelta(hours=1), faces_per_frame=15, frames=25)
    services.case_expire_due(now=c5.end + timedelta(minutes=1))
    cases["commission"] = c5

    # November: a request withdrawn before any decision.
    clock.move_to(datetime(YEAR, 11, 3, 9, tzinfo=UTC))
    withdrawn = services.case_submit(
        actor=w.requester,
        case=draft_case(
            w.requester,
            [cams["Square north"]],
            judge=w.judge,
            objective="threat",
            camera_count=1,
            start=datetime(YEAR, 11, 3, 10, tzinfo=UTC),
            end=datetime(YEAR, 11, 3, 20, tzinfo=UTC),
        ),
    )
    services.case_withdraw(actor=w.requester, case=withdrawn, reason="No longer needed.")
    cases["withdrawn"] = Expected(case=withdrawn, objective="threat", cameras=[cams["Square north"]])

    clock.move_to(REPORTED_AT)
    return SimpleNamespace(cases=cases, cameras=cams, users=w)


@pytest.fixture
def objectives(db):
    for code, label in [("victims", "(a) Victims"), ("threat", "(b) Threat"), ("suspect", "(c) Suspect")]:
        Objective.objects.get_or_create(code=code, defaults={"label": label})
    return {o.code: o for o in Objective.objects.all()}


@pytest.fixture
def world_users(requester, judge, commission, verifiers, dpo, platform_admin, outsider):
    return SimpleNamespace(
        requester=requester,
        judge=judge,
        commission=commission,
        verifiers=verifiers,
        dpo=dpo,
        platform_admin=platform_admin,
        outsider=outsider,
    )


def used_in_year(year) -> list[Expected]:
    return [e for key, e in year.cases.items() if e.start is not None and key != "previous_year"]
