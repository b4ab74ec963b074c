"""Every role, an outsider and a requester of another unit, against every case endpoint and page,
on their own case and on someone else's.

Expected: 404 for a case the user may not see; 403 for a visible case where the
action is not theirs; success only for the one who may act. A refused request
changes nothing (no row, no event).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case, CaseCamera, Decision, Person, Vote
from tests.oversight.factories import END, START, draft_case

pytestmark = pytest.mark.django_db

CAST = [
    "requester",
    "colleague",
    "other_unit_requester",
    "judge",
    "second_judge",
    "commissioner",
    "verifier",
    "dpo",
    "platform_admin",
    "outsider",
]
SIDES = {
    # side: (who requested the case, who judges it)
    "own": ("requester", "judge"),
    "foreign": ("other_unit_requester", "second_judge"),
}


@pytest.fixture
def cast(world):
    return {
        "requester": world.requester,
        "colleague": world.colleague,
        "other_unit_requester": world.other_unit_requester,
        "judge": world.judge,
        "second_judge": world.second_judge,
        "commissioner": world.commission[0],
        "verifier": world.verifiers[0],
        "dpo": world.dpo,
        "platform_admin": world.platform_admin,
        "outsider": world.outsider,
    }


def build(world, cast, side, state) -> Case:
    owner, judge = (cast[name] for name in SIDES[side])
    if state == "commission":
        case = draft_case(owner, world.cameras, authority="commission")
        return services.case_submit(actor=owner, case=case)
    case = draft_case(owner, world.cameras, judge=judge)
    if state in ("submitted", "approved"):
        services.case_submit(actor=owner, case=case)
    if state == "approved":
        services.case_decide(
            actor=judge, case=case, granted=True, reasons="Necessary and proportionate for this search."
        )
    return Case.objects.get(pk=case.pk)


def visible_to(side, state) -> set[str]:
    owner, judge = SIDES[side]
    names = {owner, "dpo"}
    if state in ("submitted", "approved"):
        names.add(judge)
    if state == "commission":
        names.add("commissioner")
    return names


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Endpoint:
    name: str
    state: str  # draft | submitted | approved | commission
    method: str
    url: Callable
    allowed: str  # owner | visible | judge | commissioner
    data: Callable = lambda case, w: {}
    api: bool = True


def person(case):
    return case.persons.order_by("id").first().pk


def scope_form(case, w):
    return {
        "granted": "yes",
        "reasons": "Necessary and proportionate for this search.",
        "start": local(START),
        "end": local(END),
        "threshold": "0.5",
        "persons": list(case.persons.values_list("id", flat=True)),
        "cameras": list(case.case_cameras.values_list("camera_id", flat=True)),
    }


def draft_form(case, w):
    return {
        "objective": case.objective_id,
        "authority": case.authority,
        "assigned_judge": case.assigned_judge_id,
        "requested_start": local(case.requested_start),
        "requested_end": local(case.requested_end),
        "match_threshold": "0.5",
        "legal_basis": "Police Act s. 43",
    }


API = [
    Endpoint("detail", "submitted", "get", lambda c, w: reverse("api-cases-detail", args=[c.pk]), "visible"),
    Endpoint(
        "update",
        "draft",
        "post",
        lambda c, w: reverse("api-cases-update", args=[c.pk]),
        "owner",
        lambda c, w: {"legal_basis": "Police Act s. 43"},
    ),
    Endpoint("submit", "draft", "post", lambda c, w: reverse("api-cases-submit", args=[c.pk]), "owner"),
    Endpoint(
        "start-urgent",
        "draft",
        "post",
        lambda c, w: reverse("api-cases-start-urgent", args=[c.pk]),
        "owner",
        lambda c, w: {"urgency_reason": "A child is missing."},
    ),
    Endpoint(
        "decide",
        "submitted",
        "post",
        lambda c, w: reverse("api-cases-decide", args=[c.pk]),
        "judge",
        lambda c, w: {"granted": True, "reasons": "Necessary and proportionate for this search."},
    ),
    Endpoint(
        "vote",
        "commission",
        "post",
        lambda c, w: reverse("api-cases-vote", args=[c.pk]),
        "commissioner",
        lambda c, w: {"granted": True, "reasons": "Necessary and proportionate for this search."},
    ),
    Endpoint(
        "revoke",
        "approved",
        "post",
        lambda c, w: reverse("api-cases-revoke", args=[c.pk]),
        "judge",
        lambda c, w: {"reason": "Found."},
    ),
    Endpoint("withdraw", "approved", "post", lambda c, w: reverse("api-cases-withdraw", args=[c.pk]), "owner"),
    Endpoint("close", "draft", "post", lambda c, w: reverse("api-cases-close", args=[c.pk]), "owner"),
    Endpoint(
        "persons-add",
        "draft",
        "post",
        lambda c, w: reverse("api-cases-persons-add", args=[c.pk]),
        "owner",
        lambda c, w: {"full_name": "Marie Kralova", "category": "witness", "reason": "Saw the abduction."},
    ),
    Endpoint(
        "persons-remove",
        "draft",
        "post",
        lambda c, w: reverse("api-cases-persons-remove", args=[c.pk, person(c)]),
        "owner",
    ),
    Endpoint(
        "cameras-add",
        "draft",
        "post",
        lambda c, w: reverse("api-cases-cameras-add", args=[c.pk]),
        "owner",
        lambda c, w: {"camera_id": w.cameras[3].pk, "reason": "The bus stop she uses."},
    ),
    Endpoint(
        "cameras-remove",
        "draft",
        "post",
        lambda c, w: reverse("api-cases-cameras-remove", args=[c.pk, w.cameras[0].pk]),
        "owner",
    ),
]

PAGES = [
    Endpoint("detail", "submitted", "get", lambda c, w: reverse("oversight:case_detail", args=[c.pk]), "visible"),
    Endpoint(
        "impact-assessment",
        "submitted",
        "get",
        lambda c, w: reverse("oversight:case_impact_assessment", args=[c.pk]),
        "visible",
    ),
    Endpoint("edit-form", "draft", "get", lambda c, w: reverse("oversight:case_edit", args=[c.pk]), "owner"),
    Endpoint("edit", "draft", "post", lambda c, w: reverse("oversight:case_edit", args=[c.pk]), "owner", draft_form),
    Endpoint(
        "persons-add",
        "draft",
        "post",
        lambda c, w: reverse("oversight:case_person_add", args=[c.pk]),
        "owner",
        lambda c, w: {"full_name": "Marie Kralova", "category": "witness", "reason": "Saw the abduction."},
    ),
    Endpoint(
        "persons-remove",
        "draft",
        "post",
        lambda c, w: reverse("oversight:case_person_remove", args=[c.pk, person(c)]),
        "owner",
    ),
    Endpoint(
        "cameras-add",
        "draft",
        "post",
        lambda c, w: reverse("oversight:case_camera_add", args=[c.pk]),
        "owner",
        lambda c, w: {"camera": w.cameras[3].pk, "reason": "The bus stop she uses."},
    ),
    Endpoint(
        "cameras-remove",
        "draft",
        "post",
        lambda c, w: reverse("oversight:case_camera_remove", args=[c.pk, w.cameras[0].pk]),
        "owner",
    ),
    Endpoint("submit", "draft", "post", lambda c, w: reverse("oversight:case_submit", args=[c.pk]), "owner"),
    Endpoint("urgent-form", "draft", "get", lambda c, w: reverse("oversight:case_start_urgent", args=[c.pk]), "owner"),
    Endpoint(
        "urgent",
        "draft",
        "post",
        lambda c, w: reverse("oversight:case_start_urgent", args=[c.pk]),
        "owner",
        lambda c, w: {"urgency_reason": "A child is missing."},
    ),
    Endpoint("decide-form", "submitted", "get", lambda c, w: reverse("oversight:case_decide", args=[c.pk]), "judge"),
    Endpoint(
        "decide", "submitted", "post", lambda c, w: reverse("oversight:case_decide", args=[c.pk]), "judge", scope_form
    ),
    Endpoint(
        "vote-form", "commission", "get", lambda c, w: reverse("oversight:case_vote", args=[c.pk]), "commissioner"
    ),
    Endpoint(
        "vote",
        "commission",
        "post",
        lambda c, w: reverse("oversight:case_vote", args=[c.pk]),
        "commissioner",
        scope_form,
    ),
    Endpoint(
        "revoke",
        "approved",
        "post",
        lambda c, w: reverse("oversight:case_revoke", args=[c.pk]),
        "judge",
        lambda c, w: {"revoke-reason": "Found."},
    ),
    Endpoint(
        "withdraw",
        "approved",
        "post",
        lambda c, w: reverse("oversight:case_withdraw", args=[c.pk]),
        "owner",
        lambda c, w: {"withdraw-reason": "Found."},
    ),
    Endpoint("close", "draft", "post", lambda c, w: reverse("oversight:case_close", args=[c.pk]), "owner"),
]
for endpoint in PAGES:
    endpoint.api = False


def allowed_names(endpoint, side) -> set[str]:
    owner, judge = SIDES[side]
    return {
        "owner": {owner},
        "visible": visible_to(side, endpoint.state),
        "judge": {judge},
        "commissioner": {"commissioner"},
    }[endpoint.allowed]


def request(client, endpoint, case, world):
    url = endpoint.url(case, world)
    data = endpoint.data(case, world)
    if endpoint.method == "get":
        return client.get(url)
    if endpoint.api:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def state_of(case):
    return (
        model_to_dict(Case.objects.get(pk=case.pk)),
        Person.objects.filter(case=case).count(),
        CaseCamera.objects.filter(case=case).count(),
        Decision.objects.filter(case=case).count(),
        Vote.objects.filter(case=case).count(),
        case_events(),
    )


def case_events() -> int:
    # Signing the test clients in records auth.login events; everything else counts.
    return AuditEvent.objects.exclude(event_type__startswith="auth.").count()


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("endpoint", API + PAGES, ids=lambda e: f"{'api' if e.api else 'page'}-{e.name}")
def test_matrix(world, cast, client_for, endpoint, side):
    case = build(world, cast, side, endpoint.state)
    allowed = allowed_names(endpoint, side)
    visible = visible_to(side, endpoint.state)
    before = state_of(case)
    for name in CAST:
        if name in allowed:
            continue
        response = request(client_for(cast[name]), endpoint, case, world)
        expected = 403 if name in visible else 404
        assert response.status_code == expected, f"{name}: {response.status_code}, expected {expected}"
    assert state_of(case) == before, "a refused request changed something"

    for name in sorted(allowed):
        response = request(client_for(cast[name]), endpoint, case, world)
        assert response.status_code in (200, 201, 204, 302), f"{name}: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        if endpoint.method == "post":
            break  # the action is done; doing it again would test idempotency, not permission


@pytest.mark.parametrize("endpoint", API + PAGES, ids=lambda e: f"{'api' if e.api else 'page'}-{e.name}")
def test_anonymous_gets_nothing(world, cast, client, endpoint):
    case = build(world, cast, "own", endpoint.state)
    before = state_of(case)
    response = request(client, endpoint, case, world)
    if endpoint.api:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert state_of(case) == before


def test_with_unit_visibility_a_colleague_reads_but_cannot_act(world, cast, client_for, settings):
    settings.CASE_UNIT_VISIBILITY = True
    case = build(world, cast, "own", "draft")
    colleague = client_for(cast["colleague"])
    assert colleague.get(reverse("api-cases-detail", args=[case.pk])).status_code == 200
    assert colleague.get(reverse("oversight:case_detail", args=[case.pk])).status_code == 200
    assert colleague.post(reverse("api-cases-submit", args=[case.pk])).status_code == 403
    assert colleague.post(reverse("oversight:case_close", args=[case.pk])).status_code == 403
    # Another unit still sees nothing.
    other = client_for(cast["other_unit_requester"])
    assert other.get(reverse("api-cases-detail", args=[case.pk])).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_a_missing_case_is_a_404_like_a_forbidden_one(cast, client_for, world):
    for name in ("requester", "dpo", "outsider"):
        client = client_for(cast[name])
        assert client.get(reverse("api-cases-detail", args=[999999])).status_code == 404
        assert client.get(reverse("oversight:case_detail", args=[999999])).status_code == 404


# ---------------------------------------------------------------- endpoints without a case

CONFIG = [
    # (name, method, url, data, api, allowed role names)
    (
        "api-case-create",
        "post",
        lambda w: reverse("api-cases-create"),
        lambda w: {
            "objective": "victims",
            "requested_start": START.isoformat(),
            "requested_end": END.isoformat(),
        },
        True,
        {"requester", "colleague", "other_unit_requester"},
    ),
    (
        "page-case-create-form",
        "get",
        lambda w: reverse("oversight:case_create"),
        None,
        False,
        {"requester", "colleague", "other_unit_requester"},
    ),
    (
        "api-cameras-list",
        "get",
        lambda w: reverse("api-cameras-list"),
        None,
        True,
        {
            "requester",
            "colleague",
            "other_unit_requester",
            "judge",
            "second_judge",
            "commissioner",
            "dpo",
            "platform_admin",
        },
    ),
    (
        "page-cameras-list",
        "get",
        lambda w: reverse("oversight:camera_list"),
        None,
        False,
        {
            "requester",
            "colleague",
            "other_unit_requester",
            "judge",
            "second_judge",
            "commissioner",
            "dpo",
            "platform_admin",
        },
    ),
    (
        "api-cameras-create",
        "post",
        lambda w: reverse("api-cameras-create"),
        lambda w: {"name": "New camera", "location_label": "Square", "source": "rtsp://10.1.1.1/s"},
        True,
        {"platform_admin"},
    ),
    (
        "page-cameras-create",
        "post",
        lambda w: reverse("oversight:camera_create"),
        lambda w: {"name": "New camera", "location_label": "Square", "source": "rtsp://10.1.1.1/s", "enabled": "on"},
        False,
        {"platform_admin"},
    ),
    (
        "api-cameras-update",
        "post",
        lambda w: reverse("api-cameras-update", args=[w.cameras[5].pk]),
        lambda w: {"enabled": False},
        True,
        {"platform_admin"},
    ),
    (
        "page-cameras-edit-form",
        "get",
        lambda w: reverse("oversight:camera_edit", args=[w.cameras[5].pk]),
        None,
        False,
        {"platform_admin"},
    ),
    (
        "api-objectives-list",
        "get",
        lambda w: reverse("api-objectives-list"),
        None,
        True,
        {
            "requester",
            "colleague",
            "other_unit_requester",
            "judge",
            "second_judge",
            "commissioner",
            "dpo",
            "platform_admin",
        },
    ),
    (
        "page-objectives",
        "get",
        lambda w: reverse("oversight:objective_list"),
        None,
        False,
        {
            "requester",
            "colleague",
            "other_unit_requester",
            "judge",
            "second_judge",
            "commissioner",
            "dpo",
            "platform_admin",
        },
    ),
    (
        "api-objectives-disable",
        "post",
        lambda w: reverse("api-objectives-disable", args=["threat"]),
        None,
        True,
        {"platform_admin"},
    ),
    (
        "page-objectives-toggle",
        "post",
        lambda w: reverse("oversight:objective_toggle", args=["threat"]),
        lambda w: {"enabled": "0"},
        False,
        {"platform_admin"},
    ),
]


@pytest.mark.parametrize(("name", "method", "url", "data", "api", "allowed"), CONFIG, ids=[c[0] for c in CONFIG])
def test_configuration_and_creation_endpoints(world, cast, client_for, name, method, url, data, api, allowed):
    events = case_events()
    cases = Case.objects.count()
    for user_name in CAST:
        if user_name in allowed:
            continue
        client = client_for(cast[user_name])
        payload = data(world) if data else {}
        if method == "get":
            response = client.get(url(world))
        elif api:
            response = client.post(url(world), payload, content_type="application/json")
        else:
            response = client.post(url(world), payload)
        assert response.status_code == 403, f"{user_name}: {response.status_code}"
    assert case_events() == events and Case.objects.count() == cases
    user_name = sorted(allowed)[0]
    client = client_for(cast[user_name])
    payload = data(world) if data else {}
    if method == "get":
        response = client.get(url(world))
    elif api:
        response = client.post(url(world), payload, content_type="application/json")
    else:
        response = client.post(url(world), payload)
    assert response.status_code in (200, 201, 302), f"{user_name}: {response.status_code} {response.content[:300]}"
