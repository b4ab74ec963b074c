"""Fixtures for the case tests: a frozen clock, cameras, and cases built through the services."""

from types import SimpleNamespace

import pytest
import time_machine

from oversight import registry, services
from oversight.models import Objective
from tests.oversight.factories import NOW, deployment_with_opinion

OBJECTIVES = [
    ("victims", "(a) Targeted search for specific victims or missing persons"),
    ("threat", "(b) Prevention of a specific, substantial and imminent threat"),
    ("suspect", "(c) Locating a suspect of a serious criminal offence"),
]


@pytest.fixture(autouse=True)
def clock():
    """Time stands still at NOW; tests move it with clock.move_to / clock.shift (never sleep)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _reference_faces_ready(monkeypatch):
    """These tests are about cases, not photos: every person counts as having a ready reference face.

    Reference photos and their readiness are tested in tests/watchlists; the
    wiring of the check into case_submit / case_start_urgent is tested in
    test_reference_face_hook.py, which replaces this stand-in with its own.
    """
    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", lambda case: {})


@pytest.fixture
def objectives(db):
    # Rows come from a data migration; recreate them should a transactional test have flushed them.
    for code, label in OBJECTIVES:
        Objective.objects.get_or_create(code=code, defaults={"label": label})
    return {o.code: o for o in Objective.objects.all()}


@pytest.fixture
def cameras(platform_admin, dpo):
    """Six cameras of one deployment on which the office has given a favourable opinion."""
    cameras = [
        services.camera_create(
            actor=platform_admin,
            name=f"Camera {i}",
            location_label=f"Main station, exit {i}",
            source=f"rtsp://10.0.0.{i}:554/stream",
        )
        for i in range(1, 7)
    ]
    deployment_with_opinion(platform_admin, dpo, cameras)
    return cameras


@pytest.fixture
def world(
    objectives,
    cameras,
    requester,
    colleague,
    other_unit_requester,
    judge,
    second_judge,
    commission,
    verifiers,
    dpo,
    platform_admin,
    outsider,
):
    """The whole cast in one object, for tests that need many of them."""
    return SimpleNamespace(
        objectives=objectives,
        cameras=cameras,
        requester=requester,
        colleague=colleague,
        other_unit_requester=other_unit_requester,
        judge=judge,
        second_judge=second_judge,
        commission=commission,
        verifiers=verifiers,
        dpo=dpo,
        platform_admin=platform_admin,
        outsider=outsider,
    )
