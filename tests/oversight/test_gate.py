"""THE GATE: case_scopes_for_camera(camera, at) at the exact boundaries (R5, R9, R10)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oversight import services
from oversight.models import Case
from oversight.selectors import CaseScope, case_scopes_for_camera
from tests.oversight.factories import END, NOW, START, approved_case, draft_case, submitted_case, urgent_case

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)  # the database's resolution


def scopes(camera, at):
    return case_scopes_for_camera(camera=camera, at=at)


@pytest.fixture
def approved(world):
    return approved_case(world)


@pytest.mark.parametrize(
    ("at", "active"),
    [
        (START - TICK, False),  # an instant before start
        (START, True),  # at start
        (END - TICK, True),  # an instant before end
        (END, False),  # at end
    ],
    ids=["before-start", "at-start", "just-before-end", "at-end"],
)
def test_approved_window_boundaries(world, approved, at, active):
    result = scopes(world.cameras[0], at)
    if active:
        assert result == [
            CaseScope(
                case_id=approved.pk,
                reference=approved.reference,
                threshold=approved.approved_threshold,
                person_ids=tuple(approved.persons.order_by("id").values_list("id", flat=True)),
                camera_id=world.cameras[0].pk,
            )
        ]
    else:
        assert result == []


def test_a_narrowed_window_is_the_one_that_counts(world):
    case = submitted_case(world)
    start, end = START + timedelta(hours=2), START + timedelta(hours=4)
    services.case_decide(
        actor=world.judge,
        case=case,
        granted=True,
        reasons="Necessary and proportionate for this search.",
        start=start,
        end=end,
    )
    assert scopes(world.cameras[0], START + timedelta(hours=1)) == []
    assert scopes(world.cameras[0], start) != []
    assert scopes(world.cameras[0], end - TICK) != []
    assert scopes(world.cameras[0], end) == []


def test_revoked_case_is_inactive_from_that_moment(world, approved, clock):
    clock.move_to(START + timedelta(hours=2))
    assert scopes(world.cameras[0], timezone.now()) != []
    services.case_revoke(actor=world.judge, case=approved, reason="The person was found.")
    assert scopes(world.cameras[0], timezone.now()) == []
    assert scopes(world.cameras[0], START + timedelta(hours=3)) == []


def test_camera_outside_the_scope_is_inactive(world, approved):
    # cameras[0] and [1] are in the case; [2] never was.
    assert scopes(world.cameras[2], START) == []


def test_camera_taken_out_by_the_decision_is_inactive(world):
    case = submitted_case(world)
    services.case_decide(
        actor=world.judge,
        case=case,
        granted=True,
        reasons="Necessary and proportionate for this search.",
        camera_ids=[world.cameras[0].pk],
    )
    assert scopes(world.cameras[0], START) != []
    assert scopes(world.cameras[1], START) == []


def test_persons_taken_out_by_the_decision_are_not_searched(world):
    case = submitted_case(world)
    keep = case.persons.order_by("id").first()
    services.case_decide(
        actor=world.judge,
        case=case,
        granted=True,
        reasons="Necessary and proportionate for this search.",
        person_ids=[keep.pk],
        threshold=0.4,
    )
    [scope] = scopes(world.cameras[0], START)
    assert scope.person_ids == (keep.pk,)
    assert scope.threshold == 0.4


def test_denied_case_is_inactive(world):
    case = submitted_case(world)
    services.case_decide(actor=world.judge, case=case, granted=False, reasons="Not proportionate.")
    for at in (START, START + timedelta(hours=1), END - TICK):
        assert scopes(world.cameras[0], at) == []


def test_two_cases_on_one_camera_give_two_scopes(world, requester, colleague, judge):
    first = approved_case(world)
    second_draft = draft_case(
        colleague,
        world.cameras[:1],
        judge=judge,
        camera_count=1,
        persons=(("Karel Dvorak", "suspect"),),
        objective="threat",
        match_threshold=0.5,
        start=START + timedelta(hours=2),
    )
    services.case_submit(actor=colleague, case=second_draft)
    second = services.case_decide(
        actor=judge,
        case=second_draft,
        granted=True,
        reasons="Necessary and proportionate for this search.",
        threshold=0.45,
    )

    assert [s.case_id for s in scopes(world.cameras[0], START)] == [first.pk]
    both = scopes(world.cameras[0], START + timedelta(hours=2))
    assert [s.case_id for s in both] == [first.pk, second.pk]
    assert [s.threshold for s in both] == [first.approved_threshold, 0.45]
    assert set(both[0].person_ids).isdisjoint(both[1].person_ids)
    assert [s.case_id for s in scopes(world.cameras[1], START + timedelta(hours=2))] == [first.pk]


def test_draft_and_submitted_cases_are_inactive(world):
    draft_case(world.requester, world.cameras, judge=world.judge)
    submitted_case(world)
    for at in (START, START + timedelta(hours=5), END - TICK):
        assert scopes(world.cameras[0], at) == []


def test_disabled_camera_is_inactive_at_once(world, approved):
    assert scopes(world.cameras[0], START) != []
    services.camera_update(actor=world.platform_admin, camera=world.cameras[0], enabled=False)
    assert scopes(world.cameras[0], START) == []


def test_past_its_end_a_case_is_inactive_even_if_no_job_marked_it_expired(world, approved, clock):
    clock.move_to(END + timedelta(hours=1))
    assert Case.objects.get(pk=approved.pk).status == Case.Status.APPROVED  # no periodic job has run
    assert scopes(world.cameras[0], timezone.now()) == []


def test_expired_and_closed_cases_are_inactive(world, approved, clock):
    clock.move_to(END)
    services.case_expire_due(now=timezone.now())
    assert scopes(world.cameras[0], END - TICK) == []
    services.case_close(actor=world.requester, case=approved)
    assert scopes(world.cameras[0], END - TICK) == []


def test_urgent_case_uses_the_requested_threshold_and_scope(world):
    case = urgent_case(world, match_threshold=0.5)
    [scope] = scopes(world.cameras[0], NOW)
    assert scope.case_id == case.pk and scope.threshold == 0.5


def test_urgent_case_stops_at_its_requested_end_if_that_comes_first(world):
    urgent_case(world, end=NOW + timedelta(hours=3))
    assert scopes(world.cameras[0], NOW + timedelta(hours=3) - TICK) != []
    assert scopes(world.cameras[0], NOW + timedelta(hours=3)) == []


def test_the_gate_costs_at_most_two_queries(world, approved, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert scopes(world.cameras[0], START)
    with django_assert_max_num_queries(1):
        assert scopes(world.cameras[2], START) == []


def test_the_gate_accepts_a_camera_id(world, approved):
    assert scopes(world.cameras[0].pk, START) == scopes(world.cameras[0], START)
