"""Fixtures for the recognition tests: a ticking clock, clip cameras, and cases with real reference faces."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache

from oversight import services as case_services
from oversight.models import Objective, Person
from recognition import worker
from tests.oversight.factories import NOW, deployment_with_opinion, draft_case
from watchlists.services import reference_photo_encode, reference_photo_upload

FACES = Path(__file__).resolve().parent.parent / "fixtures" / "faces"
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
CLIP_CSV = FACES / "video" / "short_hamilton_clip.reference.csv"
START = NOW + timedelta(hours=1)
END = NOW + timedelta(hours=5)

LIN = ("Lin-Manuel Miranda", "lin_manuel_miranda_1.png")
ALEX = ("Alex Lacamoire", "alex_lacamoire_1.png")
OBAMA = ("Barack Obama", "obama_1.jpg")


@pytest.fixture(autouse=True)
def clock():
    """Starts at NOW and ticks (frames need distinct capture instants); tests jump with move_to."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    # Every test asks the gate afresh and starts with no dispatch keys or cached templates.
    settings.RECOGNITION_GATE_CACHE_SECONDS = 0.0
    cache.clear()
    worker._TEMPLATE_CACHE.clear()
    yield
    cache.clear()


@pytest.fixture
def objectives(db):
    for code, label in [("victims", "(a) Victims"), ("threat", "(b) Threat"), ("suspect", "(c) Suspect")]:
        Objective.objects.get_or_create(code=code, defaults={"label": label})
    return {o.code: o for o in Objective.objects.all()}


@pytest.fixture
def cameras(platform_admin, dpo):
    """Two cameras playing the clip, one more that no case covers; all in a deployment the office approved."""
    cameras = [
        case_services.camera_create(actor=platform_admin, name=name, location_label="Main station", source=str(CLIP))
        for name in ("Metro Mustek entrance", "Main station hall", "Airport arrivals")
    ]
    deployment_with_opinion(platform_admin, dpo, cameras)
    return cameras


@pytest.fixture
def w(objectives, cameras, requester, other_unit_requester, judge, verifiers, dpo, platform_admin, outsider):
    return SimpleNamespace(
        objectives=objectives,
        cameras=cameras,
        requester=requester,
        other_unit_requester=other_unit_requester,
        judge=judge,
        verifiers=verifiers,
        dpo=dpo,
        platform_admin=platform_admin,
        outsider=outsider,
    )


def make_case(w, *, people=(LIN, ALEX, OBAMA), cameras=None, state="approved", start=START, end=END, **fields):
    """A case built through the services, its reference photos uploaded and encoded by the real engine."""
    cameras = cameras if cameras is not None else w.cameras[:2]
    case = draft_case(
        w.requester,
        cameras,
        judge=w.judge,
        start=start,
        end=end,
        persons=[(name, "missing_person") for name, _ in people],
        camera_count=len(cameras),
        **fields,
    )
    for (name, photo), person in zip(people, Person.objects.filter(case=case).order_by("pk"), strict=True):
        assert person.full_name == name
        uploaded = reference_photo_upload(
            actor=w.requester,
            person=person,
            data=(FACES / "people" / photo).read_bytes(),
            source="Press photo",
            legal_basis="Police Act s. 42",
            captured_at=NOW.date(),
        )
        reference_photo_encode(photo_id=uploaded.pk)
    if state == "draft":
        return case
    case = case_services.case_submit(actor=w.requester, case=case)
    if state == "submitted":
        return case
    if state == "denied":
        return case_services.case_decide(actor=w.judge, case=case, granted=False, reasons="Not necessary.")
    case = case_services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary and proportionate.")
    if state == "revoked":
        return case_services.case_revoke(actor=w.judge, case=case, reason="The person was found.")
    return case


def person_id(case, name: str) -> int:
    return Person.objects.get(case=case, full_name=name).pk
