"""The alert list and the verification screen in Czech: words, plural forms, Czech dates and
decimal commas; English stays available. Service refusals read Czech under a Czech request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from recognition import services
from recognition.models import Alert
from tests.recognition.conftest import LIN, START, make_case, person_id
from tests.recognition.test_scan_storage import one_batch


@pytest.fixture
def alert(w, clock):
    case = make_case(w, people=(LIN,))
    clock.move_to(START + timedelta(seconds=5))
    scan = services.scan_start(camera_id=w.cameras[0].pk)
    services.scan_batch_commit(scan_id=scan.pk, batch=one_batch(case, person_id(case, LIN[0]), timezone.now()))
    return Alert.objects.get()


def _czech(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    return client


def test_the_alert_list_is_czech_with_czech_dates_and_plural_forms(w, alert, client_for):
    page = _czech(client_for(w.verifiers[0])).get("/alerts/")
    html = page.content.decode()
    assert page["Content-Language"] == "cs"
    for words in (
        "Každé upozornění je jedno zachycení",
        "Poprvé zachyceno",
        "Nejmenší vzdálenost",
        "jen čekající na mé ověření",
        "Nové: čeká na dvě ověření",
        "Stránka 1 z 1",
        "(1 upozornění)",
        "nejbližší shoda první",
    ):
        assert words in html, words
    local = timezone.localtime(alert.captured_at)
    assert f"{local.day}. {local.month}. {local.year} {local:%H:%M:%S}" in html  # DATETIME_FORMAT "j. n. Y H:i:s"
    assert "0,400 (limit " in html  # the decimal comma
    for english in ("First seen", "Closest distance", "awaiting two verifications", "newest first"):
        assert english not in html, english


def test_the_verification_screen_is_czech_with_its_keyboard_hints(w, alert, client_for):
    html = _czech(client_for(w.verifiers[0])).get(f"/alerts/{alert.pk}/").content.decode()
    for words in (
        f"Upozornění {alert.pk}: Lin-Manuel Miranda na kameře {alert.camera.name}",
        "Potvrdit: je to tato osoba <kbd>c</kbd>",
        "Odmítnout: není to tato osoba <kbd>r</kbd>",
        "Klávesy: <kbd>c</kbd> potvrdit, <kbd>r</kbd> odmítnout, <kbd>n</kbd> další, <kbd>p</kbd> předchozí.",
        "1 shodný snímek",
        "0 z 2 potvrzení",
        "Shoda je vodítko k ověření, nikdy důkaz.",
        "Zatím to nikdo neověřil.",
        "Zaznamenává se, až upozornění ověří dva lidé.",
        'aria-label="Upozornění čekající na vaše ověření"',
    ):
        assert words in html, words
    assert "Confirm: it is this person" not in html and "Keys:" not in html


def test_the_frames_of_a_sighting_take_the_czech_plural_forms(w, alert, client_for):
    client = _czech(client_for(w.verifiers[0]))
    for frames, words in ((2, "2 shodné snímky"), (4, "4 shodné snímky"), (5, "5 shodných snímků")):
        Alert.objects.filter(pk=alert.pk).update(frames_matched=frames)
        assert words in client.get(f"/alerts/{alert.pk}/").content.decode(), words


def test_a_refused_review_reads_czech_on_the_czech_page(w, alert, client_for):
    first = w.verifiers[0]
    services.alert_review(actor=first, alert=alert, verdict="confirm")
    client = _czech(client_for(first))
    answer = client.post(f"/alerts/{alert.pk}/review/", {"verdict": "reject"}, follow=True)
    html = answer.content.decode()
    assert "Toto upozornění jste již posoudili; musí to udělat jiná osoba." in html
    assert "(R14)" not in html  # requirement codes stay in the code
    assert f"{first.username}: Potvrzeno: je to hledaná osoba" in html


def test_service_refusals_follow_the_active_language(w, alert):
    with translation.override("cs"), pytest.raises(ValidationError) as exc:
        services.alert_record_outcome(actor=w.verifiers[0], alert=alert, outcome="arrested")
    assert exc.value.messages == ["Výsledek lze zaznamenat, až když upozornění ověří dva lidé."]
    with translation.override("cs"):
        assert str(Alert.Outcome.ENGAGED.label) == "Policisté osobu kontaktovali"
        assert date_format(timezone.localtime(alert.captured_at), "SHORT_DATE_FORMAT").count(". ") == 2


def test_english_is_still_there_for_whoever_chooses_it(w, alert, client_for):
    client = client_for(w.verifiers[0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Confirm: it is this person" in html and "1 matching frame" in html
