"""The API answers what its schema says: schemathesis against the live /api/schema/, role by role.

Every operation is called with generated input, both what the schema allows and what it does not (schemathesis'
positive and negative modes), as every role (each session has confirmed its second factor) and as someone with no
role, and every answer goes through all of schemathesis' checks but the response-time limit: no server error, a
documented status code, content type, headers and body, schema-violating input refused, schema-valid input accepted
or refused only by a rule the schema cannot state (400 naming the field). The session is the harness's, so the
security scheme is left out of the loaded schema. Bounded for CI: a few examples per operation, a fixed seed, no
deadline.

Destructive operations (revoke, close, camera updates, objectives disabled) act only on the rows
made here, inside the test's transaction, and tasks queued on commit never run.
"""

import string
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks, max_response_time
from schemathesis.config._checks import PositiveDataAcceptanceConfig
from schemathesis.generation import GenerationMode

from config.wsgi import application
from oversight import registry
from tests.oversight.conftest import OBJECTIVES
from tests.oversight.factories import deployment_with_opinion, draft_case, submitted_case

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12
load_all_checks()
# Every check schemathesis has, except the response-time limit (timings belong to benchmarks/, never to tests).
ALL_CHECKS = [check for check in CHECKS.get_all() if check is not max_response_time]
MISSING = 999_999  # an id no row has: the 404 branch is exercised too
CSRF_SECRET = string.ascii_letters[:32]


@contextmanager
def _connection_kept():
    """Keep the test's database connection (and transaction) across in-process WSGI requests.

    Django's handler closes "old" connections around each request; the test client switches that
    off for its own requests (and back on after each), and so must the schemathesis WSGI client.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def data(roles, requester, judge, dpo, platform_admin, monkeypatch):
    """A few real rows, so generated requests reach real objects and not only 404s."""
    from oversight import services
    from oversight.models import Objective

    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", lambda case: {})
    for code, label in OBJECTIVES:
        Objective.objects.get_or_create(code=code, defaults={"label": label})
    cameras = [
        services.camera_create(
            actor=platform_admin, name=f"Camera {i}", location_label=f"Exit {i}", source=f"rtsp://10.0.0.{i}/s"
        )
        for i in (1, 2)
    ]
    deployment_with_opinion(platform_admin, dpo, cameras)
    world = type("World", (), {"requester": requester, "judge": judge, "cameras": cameras})
    window = {"start": timezone.now() + timedelta(hours=1), "end": timezone.now() + timedelta(hours=25)}
    draft = draft_case(requester, cameras, judge=judge, **window)
    submitted = submitted_case(world, **window)
    # R24: a post-event draft with a recording being uploaded, so chunks and completions reach a real upload.
    from recognition.services.recordings import recording_create

    post_event = draft_case(
        requester,
        cameras,
        judge=judge,
        kind="post_event",
        capture_start=timezone.now() - timedelta(hours=3),
        capture_end=timezone.now() - timedelta(hours=1),
        **window,
    )
    recording = recording_create(
        actor=requester, case=post_event, camera_id=cameras[0].pk, file_name="export.mp4", size=1_000_000
    )
    return {
        "case": [draft.pk, submitted.pk],
        "person": [p.pk for case in (draft, submitted) for p in case.persons.all()],
        "camera": [c.pk for c in cameras],
        "alert": [],
        "code": [code for code, _ in OBJECTIVES],
        "recording": [recording.pk],
        "offset": [0, 65536],
    }


def _kind(path: str, name: str) -> str:
    if name in ("case_pk", "case_id") or (name == "id" and path.startswith("/api/cases/")):
        return "case"
    if name in ("person_id", "person_pk"):
        return "person"
    if name == "camera_id" or (name == "id" and path.startswith("/api/cameras/")):
        return "camera"
    if name == "id" and path.startswith("/api/alerts/"):
        return "alert"
    if name == "id" and path.startswith("/api/recordings/"):
        return "recording"
    return name


def _aim_path_parameters(raw: dict, data: dict) -> dict:
    """Path ids drawn from the rows made here plus one missing id, instead of any integer."""
    for path, item in raw["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                kind = _kind(path, parameter["name"])
                missing = "unknown" if kind == "code" else MISSING
                parameter["schema"] = {**parameter["schema"], "enum": [*data[kind], missing]}
    return raw


def _session(user) -> dict:
    client = Client()
    client.force_login(user)  # tests/conftest.py: both steps, the second factor confirmed
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET},
        "headers": {"X-CSRFToken": CSRF_SECRET},
    }


def _live_schema(user, data) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    raw = response.json()
    # The harness signs each request in with a real session (both steps): schemathesis must not generate or
    # mutate the session cookie itself (tests/accounts/test_second_factor.py walks every endpoint without one).
    raw.get("components", {}).pop("securitySchemes", None)
    raw.pop("security", None)
    for item in raw["paths"].values():
        for operation in item.values():
            operation.pop("security", None)
    return _aim_path_parameters(raw, data)


def _run(user, data) -> tuple[dict, list[str]]:
    schema = schemathesis.openapi.from_dict(_live_schema(user, data))
    schema.app = application
    # A request of the schema's shape may still break a rule the schema cannot state (a closed case, a camera not on
    # the case, an end before the start): it is answered 400 with the field named, which counts as handled.
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=["2xx", "400", "401", "403", "404", "409"]
    )
    session = _session(user)
    figures = {"operations": 0, "calls": 0, "statuses": Counter()}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1

        @given(case=operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            figures["calls"] += 1
            response = case.call(headers=session["headers"], cookies=session["cookies"])
            figures["statuses"][response.status_code] += 1
            case.validate_response(response, checks=ALL_CHECKS)

        try:
            with _connection_kept():
                check()
        # Collect every operation's failures (schemathesis raises a group of them), then report all.
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001
            failures.append(f"{user.username} {operation.label}: {error}")
    return figures, failures


# Every role of oversight.roles.Role, and someone with none.
ROLES = {
    "requester": lambda request: request.getfixturevalue("requester"),
    "judge": lambda request: request.getfixturevalue("judge"),
    "commission_member": lambda request: request.getfixturevalue("commission")[0],
    "alert_verifier": lambda request: request.getfixturevalue("verifiers")[0],
    "dpo_reviewer": lambda request: request.getfixturevalue("dpo"),
    "platform_admin": lambda request: request.getfixturevalue("platform_admin"),
    "no_role": lambda request: request.getfixturevalue("outsider"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_answer_matches_the_schema_for_each_role(role, data, request):
    user = ROLES[role](request)
    started = time.monotonic()
    figures, failures = _run(user, data)
    statuses = dict(sorted(figures["statuses"].items()))
    print(
        f"\n{role}: {figures['operations']} operations, {figures['calls']} calls, answers {statuses}, "
        f"{time.monotonic() - started:.1f}s"
    )
    assert failures == [], "\n\n".join(failures)
    assert figures["operations"] >= 25
    # Not only refusals: generated requests reach real rows and succeed too (someone with no role sees empty lists).
    assert sum(n for code, n in statuses.items() if 200 <= code < 300) >= (5 if role == "no_role" else 20)
