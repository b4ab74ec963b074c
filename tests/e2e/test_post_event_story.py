"""A post-event search in a real browser (R24): the requester uploads the sample clip as a recording in chunks with a
progress bar, the judge grants the search with a narrower capture-time range, the worker analyses the recording,
and two verifiers confirm the sighting, which names the recording and its capture time in place of a live camera.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight import services as case_services
from oversight.models import Case, Person
from recognition.models import Alert, AlertReview, Recording, Scan
from recognition.recording_worker import recording_analyse_run, recording_check_run
from tests.e2e.test_whole_story import CLIP, PERSON, PHOTO, Story, cast, local  # noqa: F401 - the cast fixture
from tests.oversight.factories import draft_case
from watchlists.models import ReferencePhoto
from watchlists.services import reference_photo_upload
from watchlists.tasks import reference_photo_encode

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# What each language's pages say at the steps the story checks.
WORDS = {
    "en": {
        "received": "Received",
        "declared": "the requester's declaration",
        "footage": "Recorded footage: recording",
        "analysed": "100 % of its footage analysed",
    },
    "cs": {
        "received": "Přijato",
        "declared": "prohlášení žadatele",
        "footage": "Pořízené záběry: videozáznam",
        "analysed": "analyzováno 100 % jeho záběrů",
    },
}


@pytest.mark.parametrize("language", ["cs", "en"])
def test_a_post_event_search_in_a_browser(
    language,
    browser,
    live_server,
    cast,  # noqa: F811 - the fixture imported above
    requester,
    judge,
    verifiers,
    dpo,
    screenshots,
    settings,  # noqa: F811 - fixture
):
    settings.RECORDING_CHUNK_BYTES = 128 * 1024  # the clip goes in five chunks: the progress bar moves
    story = Story(browser, live_server, language, screenshots)
    words = WORDS[language]
    story.stored += cast["stored"]
    # What people typed, shown as typed in any language: the users' names and units, the cameras, the case's texts
    # (tests/oversight/factories.draft_case) and the recording's file name.
    people = [requester, judge, dpo, *verifiers]
    story.stored += [u.username for u in people] + [u.unit for u in people if u.unit]
    story.stored += [c.name for c in cast["cameras"]] + [c.location_label for c in cast["cameras"]]
    story.stored += [
        "Police Act s. 42(1)",
        "Witness statements and phone records.",
        "Risk to the life of a missing child.",
        "Passers-by are scanned; non-matches are discarded at once.",
        "Seen near the station",
        "The person travels through here daily",
        CLIP.name,
    ]
    camera = cast["cameras"][0]
    now = timezone.now().replace(second=0, microsecond=0)  # the forms' datetime fields hold whole minutes
    clip_started = now - timedelta(hours=2)
    case = draft_case(
        requester,
        [camera],
        judge=judge,
        start=now - timedelta(minutes=1),
        end=now + timedelta(hours=6),
        persons=[(PERSON, "suspect")],
        camera_count=1,
        objective="victims",
        kind="post_event",
        capture_start=clip_started - timedelta(minutes=30),
        capture_end=clip_started + timedelta(minutes=30),
    )
    person = Person.objects.get(case=case)
    photo = reference_photo_upload(
        actor=requester,
        person=person,
        data=PHOTO.read_bytes(),
        source="Press photo",
        legal_basis="Police Act s. 63",
        captured_at=now.date(),
    )
    reference_photo_encode(photo.pk)
    assert ReferencePhoto.objects.get(pk=photo.pk).status == ReferencePhoto.Status.READY

    # 1. The requester uploads the recording from the case's recordings page: chunks, progress, then the check.
    context, page = story.sign_in(requester, "requester", second_factor=False)
    page.goto(story.url("oversight:case_detail", case.pk))
    recordings_url = reverse("recognition:case_recordings", args=[case.pk])
    with page.expect_navigation():
        page.locator(f'main a[href="{recordings_url}"]').click()
    page.locator("#recording-file").set_input_files(str(CLIP))
    page.locator("#recording-start").fill(local(clip_started))
    evidence = "The metro recorder's export log; clock checked against the time server."
    story.stored += [evidence, "Press photo", "Police Act s. 63"]
    page.locator("#recording-evidence").fill(evidence)
    story.shoot(page, "requester-recording-form")
    page.locator("#recording-upload button[type=submit]").click()
    page.wait_for_function("() => document.getElementById('recording-progress').value === 100")
    page.wait_for_function(
        "word => document.getElementById('recording-status').textContent.includes(word)", arg=words["received"]
    )
    story.shoot(page, "requester-recording-uploaded")
    recording = Recording.objects.get(case=case)
    assert recording.status == Recording.Status.CHECKING and recording.chunks_received == 5
    assert recording_check_run(recording_id=recording.pk) == Recording.Status.READY
    recording.refresh_from_db()
    page.goto(story.url("recognition:case_recordings", case.pk))
    row = page.locator(f'tr[data-recording-id="{recording.pk}"]').inner_text()
    assert recording.sha256 in row and words["declared"] in row and "h264" in row
    story.shoot(page, "requester-recording-checked")
    context.close()
    case = case_services.case_submit(actor=requester, case=case)

    # 2. The judge grants the search for ten minutes of footage around the clip.
    context, page = story.sign_in(judge, "judge", second_factor=True)
    page.goto(story.url("oversight:case_decide", case.pk))
    allowed_start, allowed_end = clip_started - timedelta(minutes=5), clip_started + timedelta(minutes=5)
    page.locator('input[name=granted][value="yes"]').check()
    reasons = "Necessary: the suspect passed this metro camera that afternoon."
    story.stored.append(reasons)
    page.locator("#id_reasons").fill(reasons)
    assert page.locator("#id_capture_start").input_value() == local(case.capture_start)
    page.locator("#id_capture_start").fill(local(allowed_start))
    page.locator("#id_capture_end").fill(local(allowed_end))
    story.shoot(page, "judge-post-event-decision")
    story.submit(page)
    case = Case.objects.get(pk=case.pk)
    assert case.status == Case.Status.APPROVED
    assert (case.approved_capture_start, case.approved_capture_end) == (allowed_start, allowed_end)
    context.close()

    # 3. The worker analyses the recording as fast as it can, behind the gate.
    outcome = recording_analyse_run(recording_id=recording.pk)
    assert outcome.stop_reason == Scan.StopReason.SOURCE_ENDED
    alerts = list(Alert.objects.filter(case=case))
    assert alerts and {a.recording_id for a in alerts} == {recording.pk}
    sighting = min(alerts, key=lambda a: a.distance)

    # 4. Two verifiers confirm the sighting, which names the recording and its capture time.
    for number, verifier in enumerate(verifiers, start=1):
        context, page = story.sign_in(verifier, f"verifier{number}", second_factor=True)
        page.goto(story.url("recognition:alert_detail", sighting.pk))
        facts = page.locator("dl.facts").inner_text()
        assert words["footage"] in facts and recording.file_name in facts
        assert timezone.localtime(sighting.captured_at).strftime("%H:%M") in facts
        story.shoot(page, f"verifier{number}-recorded-sighting")
        with page.expect_navigation():
            page.locator("#confirm-alert").click()
        context.close()
    sighting.refresh_from_db()
    assert sighting.status == Alert.Status.VERIFIED
    assert AlertReview.objects.filter(alert=sighting).count() == 2

    # 5. The case page shows the footage analysed in full; the office's dossier lists the recording with its hash.
    context, page = story.sign_in(dpo, "office", second_factor=True)
    page.goto(story.url("oversight:case_detail", case.pk))
    assert words["analysed"] in page.locator("#footage-progress").inner_text()
    page.goto(story.url("office:case_dossier", case.pk))
    assert recording.sha256 in page.locator("main").inner_text().replace(" ", "")  # shown in groups of 16
    story.shoot(page, "office-post-event-dossier")
    context.close()
    # Czech pages carry no English but what people typed (tests/e2e/words_left.py).
    for slug, left in story.english.items():
        print(f"English on the Czech page {slug}: {sorted(left)}")
    assert not story.english, "English words left on Czech pages (see above)"
