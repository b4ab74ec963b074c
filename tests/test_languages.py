"""Czech and English: Czech by default, a switch on every page, a complete catalogue."""

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "cs" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture
def czech_by_default(settings):
    # The deployment default (config/settings.py); the suite's own default is English (tests/conftest.py).
    settings.LANGUAGE_CODE = "cs"


def test_the_deployment_default_is_czech():
    assert django_settings.LANGUAGES == [("cs", "Čeština"), ("en", "English")]


@pytest.mark.django_db
def test_sign_in_page_is_czech_by_default_and_offers_english(czech_by_default):
    page = Client().get(reverse("login"))
    html = page.content.decode()
    assert page["Content-Language"] == "cs"
    assert '<html lang="cs">' in html
    assert "Přihlásit se" in html and "Sign in" not in html
    assert 'name="language" value="en"' in html
    # Each language is offered in its own name, not translated ("anglicky").
    assert 'lang="en" aria-pressed="false">English</button>' in html


@pytest.mark.django_db
def test_browser_language_is_followed_when_no_choice_was_made(czech_by_default):
    page = Client(headers={"accept-language": "en-GB,en;q=0.8"}).get(reverse("login"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


@pytest.mark.django_db
def test_the_switch_keeps_the_choice_and_returns_to_the_page(czech_by_default):
    client = Client()
    login = reverse("login")
    answer = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert answer.status_code == 302 and answer["Location"] == login
    assert answer.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(login)["Content-Language"] == "en"
    client.post(reverse("set_language"), {"language": "cs", "next": login})
    assert client.get(login)["Content-Language"] == "cs"


@pytest.mark.django_db
def test_the_switch_refuses_other_sites_and_unknown_languages(czech_by_default):
    client = Client()
    answer = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert answer["Location"] == "/"
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert client.get(reverse("login"))["Content-Language"] == "cs"


@pytest.mark.django_db
def test_the_switch_needs_the_csrf_token(czech_by_default):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 403


@pytest.mark.django_db
def test_signed_in_pages_carry_the_switch(client, requester):
    client.force_login(requester)
    html = client.get(reverse("home")).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="cs"' in html and 'value="en"' in html


def test_every_message_has_a_czech_translation():
    with PO.open("rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.id, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{len(untranslated)} messages without Czech: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (unchecked) translations: {fuzzy[:10]}"


def test_the_compiled_catalogue_is_current():
    """The committed .mo says what the .po says (run `manage.py compilemessages` after editing the .po)."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert compiled.get(message.id if not message.context else f"{message.context}\x04{message.id}") == (
                message.string
            ), message.id
        else:
            key = message.id[0] if not message.context else f"{message.context}\x04{message.id[0]}"
            for n, form in enumerate(message.string):
                assert compiled.get((key, n)) == form, message.id


def test_the_closed_list_of_objectives_is_in_the_catalogue():
    """The data migration's labels and descriptions are the msgids of OBJECTIVE_WORDS, word for word."""
    import importlib

    from oversight.models.cases import OBJECTIVE_WORDS

    migration = importlib.import_module("oversight.migrations.0004_legal_objectives")
    stored = {text for _code, label, description in migration.OBJECTIVES for text in (label, description)}
    assert stored == set(OBJECTIVE_WORDS)
    with PO.open("rb") as f:
        catalog = read_po(f)
    for text in stored:
        assert catalog[text] is not None and catalog[text].string, text


@pytest.mark.django_db
def test_objectives_read_in_the_readers_language():
    from django.utils import translation

    from oversight.models import Objective

    objective = Objective.objects.get(code="victims")
    with translation.override("cs"):
        assert objective.display_label.startswith("(a) Cílené pátrání")
        assert str(objective) == objective.display_label
    with translation.override("en"):
        assert objective.display_label == objective.label
    custom = Objective(code="custom", label="A label an administrator typed")
    with translation.override("cs"):
        assert custom.display_label == "A label an administrator typed"


# Attribute values that are not words to translate (a reference's format shown as an example).
NOT_WORDS = {'placeholder="FR-2026-0001"'}


def _untranslated(source: str) -> list[str]:
    """Words a template shows outside {% translate %} / {% blocktranslate %} (text and readable attributes)."""
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", " ", source, flags=re.S)
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    found = []
    for attribute in re.finditer(r'\b(?:title|aria-label|placeholder|alt)="((?:{%.*?%}|{{.*?}}|[^"])*)"', text):
        if attribute.group(0) not in NOT_WORDS and re.search(
            r"[A-Za-z]{2,}", re.sub(r"{%.*?%}|{{.*?}}", " ", attribute.group(1))
        ):
            found.append(attribute.group(0))
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>|&[a-z]+;|&#\d+;", " ", text, flags=re.S)
    return found + re.findall(r"[A-Za-z][A-Za-z'’-]+", text)


def test_no_template_shows_words_outside_the_translation_tags():
    templates = ROOT / "templates"
    assert _untranslated('<p title="Open">{% translate "Cases" %} Alerts</p>') == ['title="Open"', "Alerts"]
    leftovers = {
        str(path.relative_to(templates)): words
        for path in sorted(templates.rglob("*.html"))
        if "drf_spectacular" not in path.parts and (words := _untranslated(path.read_text()))
    }
    assert not leftovers, leftovers


def _pairs():
    with PO.open("rb") as f:
        for message in read_po(f, locale="cs"):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield " ".join(ids), " ".join(strings)


def test_one_czech_word_means_one_thing_download_is_never_withdraw():
    """The glossary: "stáhnout" is download; withdrawing a request is "vzít zpět" (zpětvzetí)."""
    withdraw = [(en, cs) for en, cs in _pairs() if re.search(r"withdr", en, re.I)]
    download = [(en, cs) for en, cs in _pairs() if re.search(r"download", en, re.I)]
    assert withdraw and download
    assert not [en for en, cs in withdraw if re.search(r"st[áa]h|stažen", cs, re.I)]
    assert all(re.search(r"zpět|zpětvzet", cs, re.I) for en, cs in withdraw), withdraw
    assert all(re.search(r"stáh|stažen", cs, re.I) for en, cs in download), download
