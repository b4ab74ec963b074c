"""The public transparency register in a browser (R23): someone who never signs in opens it in Czech and in English,
on a desktop and on a phone, reads the uses, the charts, the rules and the open data, and downloads a file.

Screenshots of every page (desktop and phone) go to $E2E_SCREENSHOTS when set. The data is the office's year of
uses (tests/transparency/conftest.py): the running and the withheld use must not show.
"""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from oversight.models import Case
from tests.transparency.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    SEEDED_SECRETS,
    _empty_cache,
    _platform_key,
    _reference_faces_ready,
    clock,
    objectives,
    register_world,
    world_users,
    year,
)
from transparency.opendata import COLUMNS
from transparency.views import FILE_NAMES

from .words_left import english_left

pytestmark = [pytest.mark.e2e]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _words(language: str, english: str) -> str:
    with translation.override(language):
        return gettext(english)


@pytest.mark.parametrize("language", ["cs", "en"])
def test_the_public_reads_the_register_without_signing_in(
    browser,
    live_server,
    register_world,  # noqa: F811
    screenshots,
    language,
):
    references = list(Case.objects.values_list("reference", flat=True))
    # Stored names (locations, deployments) and the files' column names and command are never translated.
    stored = ("Old town square", "Main station", "Airport", "City centre", "Stadium", *COLUMNS, *FILE_NAMES.values())
    stored += (f"python {FILE_NAMES['verifier']} --file {FILE_NAMES['csv']} --public-key {FILE_NAMES['key']}",)
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=size, locale=language)
        page = context.new_page()
        page.goto(live_server.url + "/transparency/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").inner_text() == _words(language, "Live facial recognition: every use, after it ends")
        # Tables carry captions, charts a title for screen readers.
        assert page.locator("table caption").count() >= 3
        assert page.locator("svg.chart title").count() == 3
        for slug, link in (
            ("register", None),
            ("rules", _words(language, "Rules")),
            ("open-data", _words(language, "Open data")),
        ):
            if link:
                page.get_by_role("navigation").get_by_role("link", name=link).click()
                page.wait_for_load_state()
            page.screenshot(path=str(screenshots / f"register-{language}-{size_name}-{slug}.png"), full_page=True)
            body = page.locator("body").inner_text()
            for secret in (*SEEDED_SECRETS, *references):
                assert secret not in body, (secret, page.url)
            if language == "cs":
                assert not english_left(body, stored=stored), (page.url, english_left(body, stored=stored))
            if size_name == "phone":
                # Nothing wider than the screen but the tables' own scrolling regions.
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, (page.url, overflow)
        assert context.cookies() == []
        context.close()


def test_the_other_language_is_one_link_away_and_sets_no_cookie(
    browser,
    live_server,
    register_world,  # noqa: F811
    screenshots,
):
    context = browser.new_context(viewport=DESKTOP, locale="cs")
    page = context.new_page()
    page.goto(live_server.url + "/transparency/cs/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url.endswith("/transparency/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_download() as download:
        page.goto(live_server.url + "/transparency/en/data/")
        page.get_by_role("link", name="verify_export.py").click()
    assert download.value.suggested_filename == "verify_export.py"
    assert context.cookies() == []
    context.close()
