"""The browser story of a data-subject request at real size (R21): the office records an erasure request for a
person found in a running case with her entry, a reference photo and forty sightings; the findings come grouped by
kind and case in words; one click decides all of them in place (no page load: the page's script sends it with the
CSRF header); two overrides keep the case's record and her entry; the request is carried out. In Czech and English,
each step's screenshot kept (and the Czech pages checked for English words left)."""

import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from oversight import services as case_services
from oversight.models import DataSubjectRequest
from recognition.models import Alert
from tests.office.retention_helpers import alert_for, photo_for
from tests.oversight.factories import draft_case
from watchlists.models import ReferencePhoto

from .test_whole_story import Story, cast  # noqa: F401  (the cast fixture: cameras, deployment, second factors)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SIGHTINGS = 40


@pytest.mark.parametrize("language", ["cs", "en"])
def test_a_data_subject_request_decided_in_bulk(
    language,
    browser,
    live_server,
    cast,  # noqa: F811  (the fixture imported above)
    requester,
    judge,
    dpo,
    screenshots,
):
    try:
        _story(language, browser, live_server, cast, requester, judge, dpo, screenshots)
    finally:
        connections.close_all()


def _story(language, browser, live_server, cast, requester, judge, dpo, screenshots):  # noqa: F811
    story = Story(browser, live_server, language, screenshots)
    start = timezone.now() - timedelta(minutes=5)
    case = draft_case(requester, cast["cameras"], judge=judge, start=start, end=start + timedelta(hours=20))
    for person in case.persons.all():
        photo_for(person, uploaded_by=requester)  # a ready reference face each (encoded elsewhere in the story)
    case = case_services.case_submit(actor=requester, case=case)
    case = case_services.case_decide(actor=judge, case=case, granted=True, reasons="Necessary and proportionate.")
    jana = case.persons.get(full_name="Jana Novakova")
    for n in range(SIGHTINGS):
        alert_for(case, person=jana, n=n)
    story.stored += [*cast["stored"], "Jana Novakova", case.reference, dpo.username, dpo.unit or dpo.username]
    story.stored += [c.name for c in cast["cameras"]] + [c.location_label for c in cast["cameras"]]

    context, page = story.sign_in(dpo, "office", second_factor=True)
    page.goto(story.url("office:subject_request_list"))
    page.locator("#id_kind").select_option("erasure")
    page.locator("#id_subject_name").fill("Jana Novakova")
    page.locator("#id_details").fill("Dopis ze dne 2. března" if language == "cs" else "Letter of 2 March")
    page.locator("#id_language").select_option(language)
    story.shoot(page, "subject-request-form")
    story.submit(page)
    record = DataSubjectRequest.objects.get()
    findings = record.items.count()
    assert findings == SIGHTINGS + 3  # the case's record, her entry, the photo, the sightings
    body = page.locator("main").inner_text()
    assert (
        story.words(
            "%(kind)s, case %(reference)s",
            kind=story.words("Sightings (alerts with their image)"),
            reference=case.reference,
        )
        in body
    )
    assert "recognition." not in body and "ReferencePhoto" not in body
    story.shoot(page, "subject-request-findings")

    # One decision for every finding, sent in place: the page is not loaded again (a marker set now survives).
    page.evaluate("window.__stayed = true")
    all_form = page.locator("form.decide-all")
    all_form.locator("select[name=decision]").select_option("erase")
    started = time.monotonic()
    all_form.locator("button").click()
    expect(page.locator("#undecided-line")).to_have_text(story.words("Every finding is decided."))
    story.decision_seconds.append(time.monotonic() - started)
    assert page.evaluate("window.__stayed === true")
    assert record.items.filter(decision="erase").count() == findings
    assert story.words("Every finding is decided.") in page.locator("#undecided-line").inner_text()
    story.shoot(page, "subject-request-all-decided")

    # Overrides inside their groups: the case's record (the case is running) and her entry stay.
    for label in ("oversight.Case", "oversight.Person"):
        item = record.items.get(target_label=label)
        row = page.locator(f"#item-{item.pk}")
        row.locator("select[name=decision]").select_option("no_action")
        row.locator("input[name=reasons]").fill("Případ probíhá" if language == "cs" else "The case is running")
        row.locator("button").click()
        expect(row.locator(".decision-text")).to_contain_text(story.words("own decision"))
    assert page.evaluate("window.__stayed === true")
    story.shoot(page, "subject-request-overrides")

    with page.expect_navigation():
        page.locator(
            f"a[href='{story.url('office:subject_request_carry_out', record.pk).replace(story.base, '')}']"
        ).click()
    story.shoot(page, "subject-request-confirm")
    story.submit(page, "main form[method=post]")
    record.refresh_from_db()
    assert record.status == "completed"
    assert not Alert.objects.filter(case=case).exists() and not ReferencePhoto.objects.filter(person=jana).exists()
    assert case.persons.filter(pk=jana.pk).exists()
    story.shoot(page, "subject-request-completed")
    context.close()
    print(f"\n{language}: {findings} findings decided in one click, {story.decision_seconds[0]:.2f} s to the update")
    assert not story.english, story.english
