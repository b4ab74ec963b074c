"""Who sees which case in lists: no foreign case in any list; list queries pinned."""

import pytest
from django.urls import reverse

from oversight import services
from oversight.selectors import case_list_for_user
from tests.oversight.factories import draft_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    """Five cases: drafts, judge cases and a commission case, of two units."""
    mine_draft = draft_case(world.requester, world.cameras, judge=world.judge)
    mine_submitted = draft_case(world.requester, world.cameras, judge=world.judge)
    services.case_submit(actor=world.requester, case=mine_submitted)
    colleague_submitted = draft_case(world.colleague, world.cameras, judge=world.second_judge)
    services.case_submit(actor=world.colleague, case=colleague_submitted)
    other_unit = draft_case(world.other_unit_requester, world.cameras, judge=world.judge)
    services.case_submit(actor=world.other_unit_requester, case=other_unit)
    commission = draft_case(world.other_unit_requester, world.cameras, authority="commission")
    services.case_submit(actor=world.other_unit_requester, case=commission)
    return {
        "mine_draft": mine_draft,
        "mine_submitted": mine_submitted,
        "colleague_submitted": colleague_submitted,
        "other_unit": other_unit,
        "commission": commission,
    }


def refs(cases, *names):
    return {cases[n].reference for n in names}


def expected_lists(world, cases, unit_visibility=False):
    requester_unit = ("mine_draft", "mine_submitted", "colleague_submitted") if unit_visibility else ()
    return {
        world.requester: refs(cases, "mine_draft", "mine_submitted", *requester_unit),
        world.colleague: refs(cases, "colleague_submitted", *requester_unit),
        world.other_unit_requester: refs(cases, "other_unit", "commission"),
        # A judge sees what is submitted to them, never a draft.
        world.judge: refs(cases, "mine_submitted", "other_unit"),
        world.second_judge: refs(cases, "colleague_submitted"),
        world.commission[0]: refs(cases, "commission"),
        world.verifiers[0]: set(),
        world.dpo: refs(cases, *cases),
        world.platform_admin: set(),
        world.outsider: set(),
    }


def test_each_user_lists_exactly_the_cases_they_may_see(world, cases):
    for user, expected in expected_lists(world, cases).items():
        assert {c.reference for c in case_list_for_user(user=user)} == expected, user.username


def test_with_unit_visibility_requesters_see_their_units_cases(world, cases, settings):
    settings.CASE_UNIT_VISIBILITY = True
    for user, expected in expected_lists(world, cases, unit_visibility=True).items():
        assert {c.reference for c in case_list_for_user(user=user)} == expected, user.username


def test_the_api_and_page_lists_show_the_same(world, cases, client_for):
    for user, expected in expected_lists(world, cases).items():
        client = client_for(user)
        api = client.get(reverse("api-cases-list"))
        assert api.status_code == 200
        assert {row["reference"] for row in api.json()["results"]} == expected, user.username
        page = client.get(reverse("oversight:case_list"))
        assert page.status_code == 200
        assert {c.reference for c in page.context["cases"]} == expected, user.username
        for case in cases.values():
            assert (case.reference in page.content.decode()) == (case.reference in expected)


@pytest.mark.parametrize("who", ["requester", "judge", "dpo", "outsider"])
def test_the_list_query_count_is_fixed(world, cases, django_assert_num_queries, django_user_model, who):
    user = django_user_model.objects.get(pk=getattr(world, who).pk)  # fresh: no cached permissions
    # user permissions + group permissions (cached for the request) + the list itself
    with django_assert_num_queries(3):
        list(case_list_for_user(user=user))
    more = draft_case(world.requester, world.cameras, judge=world.judge)
    services.case_submit(actor=world.requester, case=more)
    user = django_user_model.objects.get(pk=user.pk)
    with django_assert_num_queries(3):
        rows = list(case_list_for_user(user=user))
        [(c.objective.code, c.requester.username) for c in rows]  # related rows come with the list


def test_the_api_list_query_count_does_not_grow_with_cases(world, cases, client_for, django_assert_max_num_queries):
    client = client_for(world.dpo)
    client.get(reverse("api-cases-list"))  # warm the session
    # 7, and one more that records the consultation (R17): a fixed cost, whatever the page holds.
    with django_assert_max_num_queries(8) as first:
        client.get(reverse("api-cases-list"))
    for _ in range(3):
        draft_case(world.requester, world.cameras, judge=world.judge)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("api-cases-list"))
    assert response.json()["count"] == 8
