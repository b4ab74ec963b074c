"""Pages each role works in: a home page of what waits for them (and nothing of other people's cases), the case
list's filters and pages, errors in plain words, confirmation before irreversible actions, 403 and 404 pages that
say why, and no requirement codes in what people read."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from office import services as office_services
from oversight import services
from oversight.forms import PersonForm, apply_service_errors
from oversight.models import Case
from oversight.views import _messages_of
from recognition.models import Alert, AlertReview
from tests.oversight.factories import NOW, START, approved_case, commission_case, draft_case, submitted_case

pytestmark = pytest.mark.django_db

REQUIREMENT_CODE = re.compile(r"\bR\d{1,2}\b")


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def text_of(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- home pages


def test_the_requesters_home_counts_only_their_own_cases(world, client_for, clock):
    draft = draft_case(world.requester, world.cameras, judge=world.judge)
    waiting = submitted_case(world)
    running = approved_case(world)
    strangers = draft_case(world.other_unit_requester, world.cameras, judge=world.judge)
    clock.move_to(START + timedelta(hours=1))

    response = page(client_for(world.requester), reverse("home"))
    work = response.context["requester"]
    assert (work.drafts, work.submitted) == (1, 1)
    assert [c.pk for c in work.active] == [running.pk]
    html = text_of(response)
    assert draft.reference in html and running.reference in html
    assert "23\xa0hours left" in html or "23 hours left" in html  # the window ends 23 hours from now
    assert strangers.reference not in html
    assert waiting.reference not in html  # counted, not listed: nothing to do on it
    assert response.context["photos_pending"] == 0
    assert "to_decide" not in response.context and "cameras" not in response.context


def test_a_judge_sees_the_requests_awaiting_their_decision_urgent_first(world, client_for):
    ordinary = submitted_case(world)
    urgent = services.case_start_urgent(
        actor=world.requester,
        case=draft_case(world.requester, world.cameras, judge=world.judge, start=NOW),
        urgency_reason="A child is missing.",
    )
    urgent = services.case_submit(actor=world.requester, case=urgent)
    someone_elses = draft_case(world.requester, world.cameras, judge=world.second_judge)
    services.case_submit(actor=world.requester, case=someone_elses)
    decided = approved_case(world)

    response = page(client_for(world.judge), reverse("home"))
    assert [c.pk for c in response.context["to_decide"]] == [urgent.pk, ordinary.pk]
    html = text_of(response)
    assert someone_elses.reference not in html and decided.reference not in html
    assert reverse("oversight:case_decide", args=[urgent.pk]) in html

    other = page(client_for(world.second_judge), reverse("home"))
    assert [c.pk for c in other.context["to_decide"]] == [someone_elses.pk]


def test_a_commission_member_sees_the_requests_awaiting_their_vote_until_they_vote(world, client_for):
    case = commission_case(world)
    member = world.commission[0]
    assert [c.pk for c in page(client_for(member), reverse("home")).context["to_vote"]] == [case.pk]
    services.case_vote(actor=member, case=case, granted=False, reasons="Not proportionate.")
    assert page(client_for(member), reverse("home")).context["to_vote"] == []
    assert [c.pk for c in page(client_for(world.commission[1]), reverse("home")).context["to_vote"]] == [case.pk]


def _alert(case, camera, *, offset: int) -> Alert:
    return Alert.objects.create(
        case=case,
        person=case.persons.order_by("id").first(),
        camera=camera,
        captured_at=timezone.now() - timedelta(minutes=offset),
        frame_key=offset,
        distance=0.4,
        threshold=0.5,
        watchlist_version="v1",
    )


def test_a_verifier_counts_the_new_alerts_they_have_not_reviewed(world, client_for):
    case = approved_case(world)
    first, second = _alert(case, world.cameras[0], offset=1), _alert(case, world.cameras[0], offset=2)
    _alert(case, world.cameras[0], offset=3).__class__.objects.filter(frame_key=3).update(status="rejected")
    AlertReview.objects.create(alert=first, reviewer=world.verifiers[0], verdict="confirm")

    mine = page(client_for(world.verifiers[0]), reverse("home"))
    assert mine.context["alerts_awaiting"] == 1
    assert [r.alert_id for r in mine.context["my_reviews"]] == [first.pk]
    assert page(client_for(world.verifiers[1]), reverse("home")).context["alerts_awaiting"] == 2
    assert second.pk  # the one both still await
    # A requester is no verifier: no alert count on their page.
    assert "alerts_awaiting" not in page(client_for(world.requester), reverse("home")).context


def test_the_office_reviewer_sees_unread_notifications_requests_and_the_trail(world, client_for):
    approved_case(world)  # an approval notifies the office
    office_services.subject_request_record(actor=world.dpo, kind="access", subject_name="Jana Novakova")
    response = page(client_for(world.dpo), reverse("home"))
    office = response.context["office"]
    assert office["unread_notifications"] >= 1
    assert office["open_subject_requests"] == 1
    assert office["trail"].head_seq > 0 and office["exports"] == []
    assert "Verify the whole trail now" in text_of(response)


def test_the_administrator_sees_cameras_with_errors_and_cameras_without_frames(world, client_for, clock):
    approved_case(world)
    broken = world.cameras[2]
    broken.last_error = "Could not open the stream: connection refused"
    broken.last_error_at = timezone.now()
    broken.save(update_fields=["last_error", "last_error_at"])
    clock.move_to(START + timedelta(minutes=5))
    fresh = world.cameras[1]
    fresh.last_frame_at = timezone.now() - timedelta(seconds=5)
    fresh.save(update_fields=["last_frame_at"])

    response = page(client_for(world.platform_admin), reverse("home"))
    health = response.context["cameras"]
    assert [c.pk for c in health.with_errors] == [broken.pk]
    # The case covers cameras 0 and 1: camera 0 never sent a frame, camera 1 did a moment ago.
    assert [c.pk for c in health.without_recent_frame] == [world.cameras[0].pk]
    assert "connection refused" in text_of(response)


def test_someone_without_a_role_sees_no_work_and_no_one_elses_cases(world, client_for):
    case = submitted_case(world)
    response = page(client_for(world.outsider), reverse("home"))
    assert "You hold no role yet" in text_of(response) and case.reference not in text_of(response)


# ---------------------------------------------------------------- the case list


def test_the_case_list_filters_by_status_objective_and_what_awaits_me(world, client_for):
    draft = draft_case(world.requester, world.cameras, judge=world.judge)
    suspect = draft_case(
        world.requester,
        world.cameras,
        judge=world.judge,
        objective="suspect",
        offence="Robbery",
        offence_max_sentence_years=8,
    )
    waiting = submitted_case(world)
    url = reverse("oversight:case_list")
    officer = client_for(world.requester)

    def listed(client, **query):
        return {c.pk for c in page(client, url + "?" + "&".join(f"{k}={v}" for k, v in query.items())).context["cases"]}

    assert listed(officer, status="submitted") == {waiting.pk}
    assert listed(officer, objective="suspect") == {suspect.pk}
    assert listed(officer, awaiting_me="on") == {draft.pk, suspect.pk}  # drafts to finish
    assert listed(client_for(world.judge), awaiting_me="on") == {waiting.pk}
    assert listed(client_for(world.second_judge), awaiting_me="on") == set()
    # A malformed filter is ignored on its own; the others still apply.
    response = page(officer, url + "?status=nonsense&objective=suspect")
    assert {c.pk for c in response.context["cases"]} == {suspect.pk}
    assert "This filter was ignored" in text_of(response)


def test_the_case_list_is_paginated_and_sorted(world, client_for, monkeypatch):
    from oversight import views

    monkeypatch.setattr(views, "CASE_LIST_PAGE_SIZE", 2)
    cases = [draft_case(world.requester, world.cameras, judge=world.judge) for _ in range(3)]
    officer = client_for(world.requester)
    url = reverse("oversight:case_list")
    first = page(officer, url + "?order=oldest")
    assert [c.pk for c in first.context["cases"]] == [cases[0].pk, cases[1].pk]
    assert "Page 1 of 2" in text_of(first) and "order=oldest&amp;page=2" in text_of(first)
    second = page(officer, url + "?order=oldest&page=2")
    assert [c.pk for c in second.context["cases"]] == [cases[2].pk]
    newest = page(officer, url)
    assert [c.pk for c in newest.context["cases"]] == [cases[2].pk, cases[1].pk]
    # Outsiders page through nothing.
    assert list(page(client_for(world.outsider), url).context["cases"]) == []


def test_the_case_page_counts_its_alerts_by_status(world, client_for):
    case = approved_case(world)
    _alert(case, world.cameras[0], offset=1)
    _alert(case, world.cameras[0], offset=2)
    Alert.objects.filter(frame_key=2).update(status="rejected")
    response = page(client_for(world.requester), reverse("oversight:case_detail", args=[case.pk]))
    assert response.context["alert_counts"] == {"total": 2, "pending": 1, "verified": 0, "rejected": 1}
    assert "2 alerts: 1 awaiting verification, 0 verified, 1 rejected." in text_of(response)
    assert "Times are in Europe/Prague." in text_of(response)
    assert f"/alerts/?case={case.reference}" in text_of(response)


# ---------------------------------------------------------------- forms in plain words


def test_errors_name_the_person_and_the_camera_instead_of_field_keys(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    error = ValidationError(
        {
            "persons[1].full_name": ["This person is already listed on the case."],
            "cameras[0].camera_id": ["This camera is listed twice."],
            "status": ["A case that is draft cannot become approved."],
        }
    )
    messages = _messages_of(error, case)
    assert 'Person "Petr Svoboda", name: This person is already listed on the case.' in messages
    assert f'Camera "{world.cameras[0].name}": This camera is listed twice.' in messages
    assert "A case that is draft cannot become approved." in messages
    assert not any("[" in m or "camera_id" in m or "status:" in m for m in messages)

    form = PersonForm({"full_name": "x", "category": "suspect", "reason": "y"})
    form.is_valid()
    apply_service_errors(
        form,
        ValidationError({"full_name": ["Give the full name of one specific person (R3)."], "persons[0].x": ["Bad."]}),
        person_names=["Jana Novakova"],
    )
    assert form.errors["full_name"] == ["Give the full name of one specific person."]
    assert form.non_field_errors() == ['Person "Jana Novakova", x: Bad.']


def test_the_submit_error_names_the_persons_without_a_ready_face(world, client_for, monkeypatch):
    from oversight import registry
    from watchlists.selectors import case_reference_face_errors

    monkeypatch.setitem(registry._readiness_checks, "watchlists.reference_faces", case_reference_face_errors)
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    response = client_for(world.requester).post(reverse("oversight:case_submit", args=[case.pk]))
    assert response.status_code == 400
    html = text_of(response)
    assert "Jana Novakova, Petr Svoboda" in html and "persons:" not in html and "person ids" not in html


def test_date_time_fields_name_their_time_zone_and_a_past_start_is_warned(world, client_for, clock):
    officer = client_for(world.requester)
    form = text_of(page(officer, reverse("oversight:case_create")))
    assert form.count("Time in Europe/Prague") == 4  # requested start and end; footage recorded from and until (R24)
    assert 'type="datetime-local"' in form
    local = lambda value: timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    response = officer.post(
        reverse("oversight:case_create"),
        {
            "objective": "victims",
            "authority": "judge",
            "assigned_judge": world.judge.pk,
            "requested_start": local(NOW - timedelta(hours=2)),
            "requested_end": local(NOW + timedelta(hours=4)),
            "match_threshold": "0.5",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "is in the past: the window would begin before now" in text_of(response)
    assert "Europe/Prague time" in text_of(response)


# ---------------------------------------------------------------- confirmation, decisions, 403 and 404


def test_withdraw_close_and_revoke_ask_for_confirmation_on_a_page_of_their_own(world, client_for):
    case = approved_case(world)
    officer, judge = client_for(world.requester), client_for(world.judge)
    detail = text_of(page(officer, reverse("oversight:case_detail", args=[case.pk])))
    withdraw_url = reverse("oversight:case_withdraw", args=[case.pk])
    assert f'href="{withdraw_url}"' in detail and f'action="{withdraw_url}"' not in detail

    confirm = page(officer, withdraw_url)
    assert "Yes, withdraw the request" in text_of(confirm) and "No, go back to the case" in text_of(confirm)
    assert Case.objects.get(pk=case.pk).status == Case.Status.APPROVED  # looking changes nothing

    revoke = page(judge, reverse("oversight:case_revoke", args=[case.pk]))
    assert "Yes, revoke the authorisation" in text_of(revoke)
    refused = judge.post(reverse("oversight:case_revoke", args=[case.pk]), {"revoke-reason": ""})
    assert refused.status_code == 400 and "Yes, revoke the authorisation" in text_of(refused)
    assert judge.post(reverse("oversight:case_revoke", args=[case.pk]), {"revoke-reason": "Found."}).status_code == 302

    close = page(officer, reverse("oversight:case_close", args=[case.pk]))
    assert "Yes, close the case" in text_of(close)
    assert officer.post(reverse("oversight:case_close", args=[case.pk])).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    # Once closed, the confirmation page is not offered again.
    again = officer.get(reverse("oversight:case_close", args=[case.pk]))
    assert again.status_code == 302


def test_confirmation_pages_refuse_people_who_may_not_act(world, client_for):
    case = approved_case(world)
    assert client_for(world.outsider).get(reverse("oversight:case_withdraw", args=[case.pk])).status_code == 404
    assert client_for(world.dpo).get(reverse("oversight:case_withdraw", args=[case.pk])).status_code == 403


def test_the_decision_form_is_offered_only_while_a_decision_is_possible(world, client_for):
    case = submitted_case(world)
    judge = client_for(world.judge)
    form = text_of(page(judge, reverse("oversight:case_decide", args=[case.pk])))
    assert "Record the decision" in form and "Record decide" not in form
    assert form.count("Time in Europe/Prague") == 2
    services.case_decide(actor=world.judge, case=case, granted=True, reasons="Necessary.")
    response = judge.get(reverse("oversight:case_decide", args=[case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("oversight:case_detail", args=[case.pk])
    assert "the decision is taken" in text_of(response)
    assert reverse("oversight:case_decide", args=[case.pk]) not in text_of(response)


def test_the_403_page_says_why_in_plain_words(world, client_for):
    case = submitted_case(world)
    response = client_for(world.requester).get(reverse("oversight:case_decide", args=[case.pk]))
    assert response.status_code == 403
    html = text_of(response)
    assert "You may not do this" in html and "You requested this case: you cannot decide or vote on it." in html
    assert not REQUIREMENT_CODE.search(html)


def test_the_404_page_explains_in_plain_words(world, client_for):
    case = submitted_case(world)
    response = client_for(world.outsider).get(reverse("oversight:case_detail", args=[case.pk]))
    assert response.status_code == 404
    assert "There is nothing at this address that you may see" in text_of(response)


# ---------------------------------------------------------------- no requirement codes in what people read


def test_no_requirement_codes_on_the_main_pages(world, client_for):
    draft = draft_case(world.requester, world.cameras, judge=world.judge)
    submitted = submitted_case(world)
    approved = approved_case(world)
    urgent = services.case_start_urgent(
        actor=world.requester,
        case=draft_case(world.requester, world.cameras, judge=world.judge, start=NOW),
        urgency_reason="A child is missing.",
    )
    person = draft.persons.order_by("id").first()
    visits = {
        world.requester: [
            reverse("home"),
            reverse("oversight:case_list"),
            reverse("oversight:case_create"),
            reverse("oversight:case_detail", args=[draft.pk]),
            reverse("oversight:case_detail", args=[urgent.pk]),
            reverse("oversight:case_detail", args=[approved.pk]),
            reverse("oversight:case_edit", args=[draft.pk]),
            reverse("oversight:case_start_urgent", args=[draft.pk]),
            reverse("oversight:case_withdraw", args=[approved.pk]),
            reverse("oversight:case_close", args=[draft.pk]),
            reverse("watchlists:photo_upload", args=[draft.pk, person.pk]),
        ],
        world.judge: [
            reverse("home"),
            reverse("oversight:case_list"),
            reverse("oversight:case_decide", args=[submitted.pk]),
            reverse("oversight:case_revoke", args=[approved.pk]),
            reverse("oversight:case_detail", args=[approved.pk]),
        ],
        world.commission[0]: [reverse("home")],
        world.verifiers[0]: [reverse("home")],
        world.dpo: [
            reverse("home"),
            reverse("oversight:case_list"),
            reverse("oversight:case_detail", args=[urgent.pk]),
            reverse("office:notification_list"),
            reverse("office:subject_request_list"),
            reverse("office:deployment_list"),
            reverse("audits:event_list"),
            reverse("audits:verify"),
        ],
        world.platform_admin: [
            reverse("home"),
            reverse("oversight:camera_list"),
            reverse("oversight:camera_create"),
            reverse("oversight:objective_list"),
        ],
    }
    found = {}
    for user, urls in visits.items():
        client = client_for(user)
        for url in urls:
            html = text_of(page(client, url))
            codes = REQUIREMENT_CODE.findall(re.sub(r"<!--.*?-->", "", html, flags=re.S))
            if codes:
                found[(user.username, url)] = codes
    assert found == {}


def test_a_case_form_that_fails_says_to_choose_the_document_again(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(world.requester).post(
        reverse("oversight:case_create"),
        {
            "objective": "victims",
            "authority": "judge",
            "requested_start": "not a date",
            "match_threshold": "0.5",
            "impact_assessment": SimpleUploadedFile("dpia.txt", b"Assessment: proportionate.\n"),
        },
    )
    assert response.status_code == 400
    assert "choose the file again" in text_of(response)
    assert Case.objects.count() == 0
