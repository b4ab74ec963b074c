"""The whole story in a real browser, in Czech and in English, a screenshot at each step.

A requester drafts a case through the form, names Lin-Manuel Miranda with a real photo (encoded by the real engine)
and submits it; the judge signs in with a second factor and grants a narrower scope (an earlier end, one camera
fewer) with written reasons; the scan finds him in the sample clip; two verifiers confirm the sighting with the
reference photo beside the crop; the office reviewer opens the case dossier.

Words on the pages are asserted in the run's language (`Story.words`: the catalogue's translation, which in the
Czech run must differ from the English), besides what does not depend on the translation (the page's language,
addresses, counts, names, element ids and states in class names).
"""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connections
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight import services as case_services
from oversight.models import Case, Objective, Person
from recognition import worker
from recognition.models import Alert, AlertReview, Scan
from tests.conftest import PASSWORD
from tests.oversight.factories import deployment_with_opinion
from watchlists import services as watchlist_services
from watchlists.models import ReferencePhoto
from watchlists.tasks import reference_photo_encode

from .words_left import english_left

FACES = Path(__file__).resolve().parent.parent / "fixtures" / "faces"
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
PHOTO = FACES / "people" / "lin_manuel_miranda_1.png"
PERSON = "Lin-Manuel Miranda"
# What the cast types into the forms, in the run's language (stored and shown as typed, never translated).
TYPED = {
    "en": {
        "legal_basis": "Police Act s. 42(1)",
        "evidence": "A witness saw him board a train to the city centre this morning.",
        "harm": "He is missing and needs medicine every day.",
        "rights": "Passers-by at two cameras are compared and discarded at once.",
        "person_reason": "Missing since yesterday; seen boarding a train to the centre.",
        "camera_reason": "The station he travels through.",
        "photo_source": "Family photo given by his sister",
        "photo_basis": "Police Act s. 63",
        "decision_reasons": (
            "Necessary to find a missing person in danger; two hours and the entrance camera are enough."
        ),
    },
    "cs": {
        "legal_basis": "Zákon o policii, § 42 odst. 1",
        "evidence": "Svědek ho dnes ráno viděl nastupovat do vlaku do centra města.",
        "harm": "Je pohřešovaný a každý den potřebuje léky.",
        "rights": "Kolemjdoucí u dvou kamer jsou porovnáni a ihned zahozeni.",
        "person_reason": "Pohřešovaný od včerejška; viděn při nástupu do vlaku do centra.",
        "camera_reason": "Stanice, kterou projíždí.",
        "photo_source": "Rodinná fotografie od jeho sestry",
        "photo_basis": "Zákon o policii, § 63",
        "decision_reasons": "Nezbytné k nalezení pohřešované osoby v ohrožení; stačí dvě hodiny a kamera u vstupu.",
    },
}
WAIT_MS = 20_000
PASSES = 3

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def local(value) -> str:
    """The value of a datetime-local field, in the display time zone."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class Story:
    """One language's run: opens a browser context per person and numbers the screenshots."""

    def __init__(self, browser, live_server, language: str, screenshots: Path):
        self.browser = browser
        self.base = live_server.url
        self.language = language
        self.screenshots = screenshots
        self.step = 0
        self.shots: list[Path] = []
        # Stored data the pages show as it was typed (never translated): taken out before looking for English.
        self.stored: list[str] = [PERSON]
        self.english: dict[str, set[str]] = {}
        self.decision_seconds: list[float] = []  # from a verifier's click to the next sighting's page

    def words(self, english: str, **values) -> str:
        """The page's words in this run's language; in the Czech run they must really be Czech."""
        with translation.override(self.language):
            text = gettext(english)
        if self.language != "en":
            assert text != english, f"no {self.language} translation of {english!r}"
        return text % values if values else text

    def url(self, name: str, *args) -> str:
        return self.base + reverse(name, args=args)

    def shoot(self, page, slug: str) -> None:
        self.step += 1
        path = self.screenshots / f"{self.language}-{self.step:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        if self.language == "cs":
            left = english_left(page.locator("body").inner_text(), stored=tuple(self.stored))
            if left:
                self.english[slug] = left

    def assert_language(self, page) -> None:
        assert page.locator("html").get_attribute("lang") == self.language, page.url

    def submit(self, page, form_selector: str = "main form[method=post]") -> None:
        """Press the form's submit button (never the header's language or sign-out buttons) and wait for the page."""
        with page.expect_navigation():
            page.locator(form_selector).locator("button[type=submit], button:not([type])").first.click()
        self.assert_language(page)

    def sign_in(self, user, slug: str, *, second_factor: bool, browser_asks_other_language: bool = False):
        """A fresh browser (no cookies), the password typed, and for a privileged role the current code of a confirmed
        authenticator typed on the second page.

        The page follows the browser's language (Accept-Language), as for a person whose browser speaks it; with
        `browser_asks_other_language` the browser asks for the other language and the person picks this one with the
        header's switch on the login page (kept in a cookie, it must win over Accept-Language)."""
        other = "en-GB" if self.language == "cs" else "cs-CZ"
        own = "cs-CZ" if self.language == "cs" else "en-GB"
        locale = other if browser_asks_other_language else own
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        device = TOTPDevice.objects.get(user=user, confirmed=True) if second_factor else None
        page.goto(self.url("login"))
        if browser_asks_other_language:
            assert page.locator("html").get_attribute("lang") != self.language
            with page.expect_navigation():
                page.locator(f'form.language-switch button[name="language"][value="{self.language}"]').click()
        self.assert_language(page)
        assert page.locator(f'form.language-switch button[value="{self.language}"]').get_attribute("aria-pressed") == (
            "true"
        )
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        self.shoot(page, f"{slug}-sign-in")
        self.submit(page)
        if second_factor:
            assert page.url.split("?")[0] == self.url("accounts:second_factor"), page.url
            token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            page.locator("input[name=code]").fill(f"{token:0{device.digits}d}")
            self.shoot(page, f"{slug}-second-factor")
            self.submit(page)
            assert "/accounts/second-factor/" not in page.url, page.url
        # Signed in: the header names the user on the sign-out button, and the home page shows the work waiting.
        assert user.username in page.locator("header").inner_text()
        assert page.url == self.url("home"), page.url
        self.assert_language(page)
        self.shoot(page, f"{slug}-home")
        return context, page


@pytest.fixture
def cast(live_server, roles, requester, judge, verifiers, dpo, platform_admin, settings, monkeypatch):
    """Two cameras playing the sample clip in a deployment the office approved, the objectives, and the encoding
    queue replaced by a list: the test then runs the real task itself, so the page's waiting state is seen too."""
    settings.RECOGNITION_GATE_CACHE_SECONDS = 0.0
    cache.clear()
    worker._TEMPLATE_CACHE.clear()
    Objective.objects.get_or_create(
        code="victims", defaults={"label": "(a) Targeted search for specific victims or missing persons"}
    )
    cameras = [
        case_services.camera_create(actor=platform_admin, name=name, location_label="Main station", source=str(CLIP))
        for name in ("Metro Mustek entrance", "Main station hall")
    ]
    deployment = deployment_with_opinion(platform_admin, dpo, cameras)
    # The privileged cast enrolled their phones beforehand (the story types each phone's current code).
    for user in (judge, *verifiers, dpo):
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    queued: list[int] = []
    monkeypatch.setattr(watchlist_services, "_queue_encoding", queued.append)
    objective = Objective.objects.get(code="victims")
    stored = [deployment.name, deployment.locations, objective.label]
    yield {"cameras": cameras, "queued": queued, "stored": stored}
    cache.clear()
    worker._TEMPLATE_CACHE.clear()


@pytest.mark.parametrize("language", ["cs", "en"])
def test_the_whole_story_in_a_browser(
    language, browser, live_server, cast, requester, judge, verifiers, dpo, screenshots
):
    try:
        the_story(language, browser, live_server, cast, requester, judge, verifiers, dpo, screenshots)
    finally:
        # Between Playwright's calls the test's ORM work runs in a context of its own (Django keeps a connection per
        # context): closed here, from that context, so no session is left to block dropping the test database.
        connections.close_all()


def the_story(language, browser, live_server, cast, requester, judge, verifiers, dpo, screenshots):
    story = Story(browser, live_server, language, screenshots)
    cameras = cast["cameras"]
    typed = TYPED[language]  # what people type is in their language, and shown as typed
    people = (requester, judge, *verifiers, dpo)
    story.stored += [u.username for u in people] + [u.unit for u in people if u.unit]
    story.stored += [c.name for c in cameras] + [c.location_label for c in cameras] + cast["stored"]
    started = time.monotonic()

    # 1. The requester drafts the case through the form.
    context, page = story.sign_in(requester, "requester", second_factor=False, browser_asks_other_language=True)
    page.goto(story.url("oversight:case_create"))
    story.assert_language(page)
    requested_start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    requested_end = requested_start + timedelta(hours=4)
    page.locator("#id_objective").select_option("victims")
    authority = page.locator('input[name=authority][value="judge"]')
    if authority.count():
        authority.check()
    else:
        page.locator("#id_authority").select_option("judge")
    page.locator("#id_assigned_judge").select_option(str(judge.pk))
    page.locator("#id_requested_start").fill(local(requested_start))
    page.locator("#id_requested_end").fill(local(requested_end))
    page.locator("#id_match_threshold").fill("0.5")
    page.locator("#id_legal_basis").fill(typed["legal_basis"])
    page.locator("#id_evidence").fill(typed["evidence"])
    page.locator("#id_harm_assessment").fill(typed["harm"])
    page.locator("#id_rights_impact").fill(typed["rights"])
    page.locator("#id_impact_assessment").set_input_files(
        files=[{"name": "dpia.txt", "mimeType": "text/plain", "buffer": b"Assessment: proportionate.\n"}]
    )
    story.shoot(page, "requester-draft-form")
    story.submit(page)
    case = Case.objects.get(requester=requester)
    assert page.url == story.url("oversight:case_detail", case.pk)
    assert case.status == Case.Status.DRAFT and case.reference in page.locator("h1").inner_text()
    assert page.locator("h1 .status.status-draft").count() == 1

    # The person sought and the two cameras, on the case page.
    page.locator("#person_full_name").fill(PERSON)
    page.locator("#person_category").select_option("missing_person")
    page.locator("#person_reason").fill(typed["person_reason"])
    story.submit(page, f'main form[action="{reverse("oversight:case_person_add", args=[case.pk])}"]')
    person = Person.objects.get(case=case)
    for camera in cameras:
        page.locator("#camera_camera").select_option(str(camera.pk))
        page.locator("#camera_reason").fill(typed["camera_reason"])
        story.submit(page, f'main form[action="{reverse("oversight:case_camera_add", args=[case.pk])}"]')
    assert case.case_cameras.count() == 2
    story.shoot(page, "requester-draft-with-person-and-cameras")

    # The real photo: uploaded through the person's photo page, then encoded by the real engine.
    upload_url = reverse("watchlists:photo_upload", args=[case.pk, person.pk])
    with page.expect_navigation():
        page.locator(f'main a[href="{upload_url}"]').click()
    page.locator("#id_photo").set_input_files(str(PHOTO))
    page.locator("#id_source").fill(typed["photo_source"])
    page.locator("#id_legal_basis").fill(typed["photo_basis"])
    page.locator("#id_captured_at").fill(timezone.localdate().replace(day=1).isoformat())
    story.shoot(page, "requester-photo-form")
    story.submit(page, "main form[enctype='multipart/form-data']")
    photo = ReferencePhoto.objects.get(person=person)
    assert cast["queued"] == [photo.pk] and photo.status == ReferencePhoto.Status.PENDING
    assert page.locator(f'[data-photo-id="{photo.pk}"] .status-pending').count() == 1
    assert story.words("face being computed…") in page.locator(f'[data-photo-id="{photo.pk}"]').inner_text()
    # Back on the case page the photo is still being computed; the page waits for it by itself.
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("oversight:case_detail", args=[case.pk])}"]').first.click()
    assert page.locator("#photo-pending-notice").count() == 1
    story.shoot(page, "requester-photo-being-computed")
    reference_photo_encode.apply(args=[photo.pk], throw=True)  # what a worker does with the queued task
    photo.refresh_from_db()
    assert photo.status == ReferencePhoto.Status.READY, photo.failure_reason
    page.locator(f'[data-photo-id="{photo.pk}"] .status-ready').wait_for()  # the page's own status refresh
    state = page.locator(f'[data-photo-id="{photo.pk}"]').inner_text()
    assert story.words("Photo %(n)s:", n=1) in state and story.words("face ready") in state
    notice = story.words("Every reference face is ready or has failed.")
    page.locator("#photo-pending-notice", has_text=notice).wait_for()
    # The submit button waited for the face: the page offers it now, without a reload.
    page.locator("#submit-case:enabled").wait_for()
    story.shoot(page, "requester-photo-ready")

    submit_form = f'main form[action="{reverse("oversight:case_submit", args=[case.pk])}"]'
    story.submit(page, submit_form)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert page.locator("h1 .status.status-submitted").count() == 1
    assert story.words("Submitted for authorisation") in page.locator("h1").inner_text()
    story.shoot(page, "requester-submitted")
    context.close()

    # 2. The judge opens the case from the case list and grants it with a narrower scope.
    context, page = story.sign_in(judge, "judge", second_factor=True)
    page.goto(story.url("oversight:case_list"))
    assert page.locator(f'main a[href="{reverse("oversight:case_detail", args=[case.pk])}"]').count() >= 1
    story.shoot(page, "judge-case-list")
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("oversight:case_detail", args=[case.pk])}"]').first.click()
    assert page.locator(f'main a[href="{upload_url}"]').count() == 1  # the judge may look at the photos
    story.shoot(page, "judge-case")
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("oversight:case_decide", args=[case.pk])}"]').click()
    granted_end = requested_start + timedelta(hours=2)
    page.locator('input[name=granted][value="yes"]').check()
    page.locator("#id_reasons").fill(typed["decision_reasons"])
    assert page.locator("#id_start").input_value() == local(requested_start)
    page.locator("#id_end").fill(local(granted_end))
    page.locator(f'input[name=cameras][value="{cameras[1].pk}"]').uncheck()
    assert page.locator(f'input[name=persons][value="{person.pk}"]').is_checked()
    story.shoot(page, "judge-decision-form")
    story.submit(page)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert (case.approved_start, case.approved_end) == (requested_start, granted_end)
    assert [link.camera_id for link in case.case_cameras.filter(in_scope=True)] == [cameras[0].pk]
    assert page.url == story.url("oversight:case_detail", case.pk)
    assert page.locator("h1 .status.status-approved").count() == 1
    window = page.locator("main").inner_text()
    assert timezone.localtime(granted_end).strftime("%H:%M") in window
    assert story.words("Approved") in page.locator("h1").inner_text() and story.words("Granted") in window
    story.shoot(page, "judge-granted")
    context.close()

    # 3. The scan, in-process, while the granted window is open: the entrance camera plays the sample clip three
    # times, one pass after the other (he passes the camera three times: three sightings to verify).
    # Each pass starts two minutes after the one before (the clock moved, as a street's passes are apart).
    for n in range(PASSES):
        with time_machine.travel(timezone.now() + timedelta(minutes=2 * n), tick=True):
            outcome = worker.scan_run(camera_id=cameras[0].pk, realtime=False, loop=False)
        assert outcome.stop_reason == Scan.StopReason.SOURCE_ENDED
    assert worker.scan_run(camera_id=cameras[1].pk, realtime=False, loop=False).stop_reason == (
        Scan.StopReason.NO_SCOPE
    )  # the camera the judge left out is not even opened
    alerts = list(Alert.objects.filter(case=case).order_by("-distance"))
    assert len(alerts) >= PASSES and {a.person_id for a in alerts} == {person.pk}
    assert {a.camera_id for a in alerts} == {cameras[0].pk}
    sighting = min(alerts, key=lambda a: a.distance)  # the clearest sighting is the one the verifiers check
    sighting_url = reverse("recognition:alert_detail", args=[sighting.pk])

    # 4. Two verifiers confirm the sighting, the reference photo beside the crop.
    for number, verifier in enumerate(verifiers, start=1):
        context, page = story.sign_in(verifier, f"verifier{number}", second_factor=True)
        with page.expect_navigation():
            page.locator(f'header nav a[href="{reverse("recognition:alert_list")}"]').click()
        rows = page.locator("main table tbody tr")
        assert rows.count() == len(alerts)
        assert PERSON in rows.first.inner_text() and case.reference in rows.first.inner_text()
        with translation.override(language):
            count = ngettext("%(total)s alert", "%(total)s alerts", len(alerts)) % {"total": len(alerts)}
        assert count in page.locator(".pager").inner_text()
        story.shoot(page, f"verifier{number}-alert-list")
        with page.expect_navigation():
            page.locator(f'main a[href="{sighting_url}"]').click()
        crop, reference_image = page.locator(".compare img.crop"), page.locator(".compare img.reference")
        assert reference_image.count() == 1
        for image in (crop, reference_image):
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        # Beside each other: the reference photo on the same row, to the right of the crop.
        crop_box, reference_box = crop.bounding_box(), reference_image.bounding_box()
        assert reference_box["x"] >= crop_box["x"] + crop_box["width"] and abs(reference_box["y"] - crop_box["y"]) < 5
        assert PERSON in page.locator("h1").inner_text()
        facts = page.locator("dl.facts").inner_text()
        assert re.search(rf"\b{number - 1}\D+2\b", facts), facts
        assert story.words("%(done)s of %(required)s confirmations", done=number - 1, required=2) in facts
        story.shoot(page, f"verifier{number}-sighting")
        with page.expect_navigation():
            page.locator("#confirm-alert").click()
        story.assert_language(page)
        sighting.refresh_from_db()
        assert AlertReview.objects.filter(alert=sighting).count() == number
        # One step per decision: the message names what was recorded, and the page is already the next sighting
        # waiting for this verifier.
        feedback = page.locator(".messages").inner_text()
        names = {"number": sighting.pk, "person": PERSON, "camera": cameras[0].name}
        recorded = (
            "Alert %(number)s (%(person)s on %(camera)s): your confirmation is recorded; a second verifier must "
            "confirm it before anyone acts."
            if number == 1
            else "Alert %(number)s (%(person)s on %(camera)s): your confirmation is recorded; two people have now "
            "verified it."
        )
        assert story.words(recorded, **names) in feedback
        assert (sighting.status == Alert.Status.VERIFIED) == (number == 2)
        assert not page.url.endswith(sighting_url)
        story.shoot(page, f"verifier{number}-next")
        # The rest of the queue: one click and one page load per sighting, each landing on the next one.
        reviewed = 1
        while page.locator("#confirm-alert").count():
            before = page.url
            clicked = time.monotonic()
            with page.expect_navigation():
                page.locator("#confirm-alert").click()
            story.decision_seconds.append(time.monotonic() - clicked)
            assert page.url != before
            reviewed += 1
        assert reviewed == len(alerts) == AlertReview.objects.filter(reviewer=verifier).count()
        assert story.words("No other alert is waiting for you.") in page.locator(".messages").inner_text()
        story.shoot(page, f"verifier{number}-queue-cleared")
        if number == 2:
            assert Alert.objects.filter(case=case, status=Alert.Status.VERIFIED).count() == len(alerts)
            page.goto(story.base + sighting_url)
            assert story.words("Verified by two people") in page.locator("h1").inner_text()
            facts = page.locator("dl.facts").inner_text()
            assert story.words("%(done)s of %(required)s confirmations", done=2, required=2) in facts
            story.shoot(page, "verifier2-verified")
        context.close()

    # 5. The office reviewer opens the case and its dossier.
    context, page = story.sign_in(dpo, "office", second_factor=True)
    page.goto(story.url("oversight:case_list"))
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("oversight:case_detail", args=[case.pk])}"]').first.click()
    story.shoot(page, "office-case")
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("office:case_dossier", args=[case.pk])}"]').click()
    story.assert_language(page)
    assert case.reference in page.locator("h1").inner_text()
    dossier = page.locator("main").inner_text()
    assert PERSON not in dossier  # persons appear by number and category only
    assert page.locator(f'main a[href="{reverse("office:case_dossier_pdf", args=[case.pk])}"]').count() == 1
    assert story.words("Dossier of %(reference)s", reference=case.reference) in page.locator("h1").inner_text()
    assert story.words("Verified alerts") in dossier
    story.shoot(page, "office-dossier")
    context.close()

    print(f"{language}: {len(story.shots)} screenshots in {screenshots}, story {time.monotonic() - started:.1f} s")
    if story.decision_seconds:
        mean = sum(story.decision_seconds) / len(story.decision_seconds)
        print(f"{language}: {len(story.decision_seconds)} decisions, {mean:.2f} s each from click to the next sighting")
    assert all(path.stat().st_size > 10_000 for path in story.shots)
    for slug, left in story.english.items():
        print(f"English on the Czech page {slug}: {sorted(left)}")
    assert not story.english, "English words left on Czech pages (see above)"
