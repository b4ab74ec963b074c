"""A year of uses (tests/office/reports: built through the services), plus what the register must treat apart: a use
with counts large enough to show exactly, a use still running, and the January use withheld by its judge."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from audits.signing import generate_key_file
from oversight import services
from oversight.models import Case
from tests.office.reports.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    REPORTED_AT,
    SUSPECT,
    YEAR,
    _approved,
    _reference_faces_ready,
    _scan,
    _verify,
    clock,
    objectives,
    world_users,
    year,
)
from transparency import services as transparency_services

WITHHOLDING_REASON = "Operation Nightjar continues in the region; publishing would warn the suspects."

# Every string the seeded data holds that must never reach the public: names of persons sought, words written in
# cases, decisions, reviews and withholdings, camera names and sources, users and units.
SEEDED_SECRETS = (
    "Jana Novakova",
    "Petr Svoboda",
    "Seen near the station",
    "The person travels through here daily",
    "Police Act s. 42(1)",
    "Witness statements and phone records.",
    "Risk to the life of a missing child.",
    "Passers-by are scanned",
    "Armed robbery",
    "Necessary and proportionate.",
    "The suspect was arrested elsewhere.",
    "A child was taken an hour ago.",
    "A bomb threat.",
    "No specific threat.",
    "Not the person.",
    "Referred to social services.",
    "Prior consultation on live facial recognition",
    "Signs at every entrance",
    "Square north",
    "Square south",
    "Main station hall",
    "Airport arrivals",
    "Airport departures",
    "Stadium gate",
    "rtsp://",
    "officer_novak",
    "judge_kral",
    "commissioner_",
    "verifier_1",
    "dpo_reviewer",
    "admin_ops",
    "Serious Crime Unit",
    "Municipal Court",
    "Control Room",
    WITHHOLDING_REASON,
    "Operation Nightjar",
)


@pytest.fixture(autouse=True)
def _platform_key(settings):
    """The platform's audit signing key, which also signs the register's files."""
    generate_key_file(Path(settings.AUDIT_SIGNING_KEY_FILE))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def register_world(year, clock):  # noqa: F811  (the fixtures imported above)
    """`year`, then (at REPORTED_AT and after): a use with eleven alerts (five false), a running use, a withholding."""
    w, cams = year.users, year.cameras
    busy = _approved(w, clock, at=REPORTED_AT, objective="suspect", cameras=[cams["Main station hall"]], **SUSPECT)
    alerts = _scan(
        clock,
        busy,
        cams["Main station hall"],
        at=busy.start + timedelta(minutes=30),
        faces_per_frame=50,
        frames=25,
        alerts=list(range(11)),
    )
    _verify(w, busy, alerts, [("false", None)] * 5 + [("verified", "arrested")] * 6)
    services.case_expire_due(now=busy.end + timedelta(minutes=1))

    clock.move_to(busy.end + timedelta(hours=1))
    running = _approved(w, clock, at=busy.end + timedelta(hours=1), objective="victims", cameras=[cams["Square north"]])
    _scan(clock, running, cams["Square north"], at=running.start + timedelta(minutes=10), faces_per_frame=7, frames=5)
    clock.move_to(running.start + timedelta(hours=2))  # inside its window: running

    january = year.cases["january"]
    withholding = transparency_services.use_withhold(
        actor=w.judge,
        case=Case.objects.get(pk=january.case.pk),
        reason=WITHHOLDING_REASON,
        withheld_until=(running.start + timedelta(days=30)).date(),
    )
    cases = dict(year.cases, busy=busy, running=running)
    return SimpleNamespace(cases=cases, cameras=cams, users=w, withholding=withholding, year=YEAR)
