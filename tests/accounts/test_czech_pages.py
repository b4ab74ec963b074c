"""Sign-in security in Czech: the second-factor pages, their forms and refusals, the API's refusal before the second
factor, and the messages that say why a session ended."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.views import EXPIRED_MESSAGES
from tests.accounts.helpers import prove_enrolment_code
from tests.conftest import force_login_without_second_factor

pytestmark = pytest.mark.django_db


def _czech_client():
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "cs"
    return client


def test_the_enrolment_page_is_czech(judge):
    client = _czech_client()
    force_login_without_second_factor(client, judge)
    prove_enrolment_code(client, judge)
    page = client.get(reverse("accounts:second_factor_setup"))
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "cs"
    for words in (
        "<title>Nastavte si ověřovací aplikaci",
        "Vaše role vyžaduje při přihlášení druhý krok.",
        "Naskenujte tento kód:",
        'alt="QR kód pro přidání tohoto účtu do ověřovací aplikace"',
        "Kód z aplikace",
        "Po přidání účtu zadejte šestimístný kód, který aplikace ukazuje.",
        ">Zapnout</button>",
    ):
        assert words in html, words
    assert "Set up your authenticator app" not in html
    wrong = client.post(reverse("accounts:second_factor_setup"), {"code": "000000"}).content.decode()
    assert "Tento kód není správný. Zkontrolujte, že aplikace ukazuje tento účet" in wrong


def test_the_confirmation_page_and_a_wrong_code_are_czech(judge):
    TOTPDevice.objects.create(user=judge, name="Authenticator app", confirmed=True)
    client = _czech_client()
    force_login_without_second_factor(client, judge)
    html = client.get(reverse("accounts:second_factor")).content.decode()
    for words in ("Potvrďte, že jste to vy", "Ztratili jste telefon?", "Každé potvrzení i každý nesprávný kód"):
        assert words in html, words
    wrong = client.post(reverse("accounts:second_factor"), {"code": "000000"}).content.decode()
    assert "Tento kód není správný. Kódy se mění každých 30 sekund" in wrong


def test_the_api_refusal_before_the_second_factor_follows_the_language(judge):
    client = Client(headers={"accept-language": "cs"})
    force_login_without_second_factor(client, judge)
    answer = client.get("/api/cases/")
    assert answer.status_code == 403
    assert answer.json() == {
        "detail": "Před použitím API potvrďte své přihlášení kódem z ověřovací aplikace (na webu)."
    }


def test_the_security_page_is_czech(client, requester):
    client.force_login(requester)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "cs"
    html = client.get(reverse("accounts:security")).content.decode()
    assert "Druhý krok při přihlášení" in html and "Vypnuto. Vaše role jej nevyžaduje" in html
    assert "Zapnout druhý krok s ověřovací aplikací" in html


def test_why_a_session_ended_reads_czech():
    with translation.override("cs"):
        assert (
            str(EXPIRED_MESSAGES["idle"]) == "Byli jste odhlášeni po určité době nečinnosti. Přihlaste se prosím znovu."
        )
        assert str(EXPIRED_MESSAGES["absolute"]).startswith("Byli jste odhlášeni, protože vaše relace")
