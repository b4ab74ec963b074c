"""Reference photos in Czech: the upload page, a failure reason stored in English by the encoding task and shown in
the reader's language (page and polling answer), the words the polling script uses, and upload refusals."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.watchlists.factories import draft_case, face_bytes, upload
from watchlists import services
from watchlists.models import ReferencePhoto
from watchlists.wording import failure_reason_text

pytestmark = pytest.mark.django_db

GIF = b"GIF89a" + b"\x00" * 64


def _czech(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "cs"
    return client


def test_a_failure_reason_is_stored_in_english_and_shown_in_czech(requester, client, settings):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    settings.FACE_MIN_SIZE_PX = 4000  # no face is large enough: the encoding fails with a reason
    with translation.override("cs"):  # a worker runs in the deployment's default language
        photo = services.reference_photo_encode(photo_id=photo.pk)
    assert photo.status == ReferencePhoto.Status.FAILED
    assert photo.failure_reason.startswith("The face is only ")  # stored data stays English
    client.force_login(requester)
    _czech(client)
    html = client.get(reverse("watchlists:photo_upload", args=[case.pk, person.pk])).content.decode()
    assert "Referenční fotografie: Lin-Manuel Miranda" in html
    assert '<span class="status status-failed">selhalo</span>' in html
    assert "Obličej je široký jen " in html and "pro spolehlivou šablonu je potřeba alespoň 4000 px" in html
    assert "The face is only" not in html
    for words in ("Přidat fotografii", "Nahrát fotografii", "Datum pořízení", "Právní základ", "zahozena"):
        assert words in html, words
    answer = client.get(reverse("oversight:case_photo_status", args=[case.pk])).json()
    assert answer["photos"][0]["failure_reason"].startswith("Obličej je široký jen ")


def test_the_polling_script_gets_its_words_from_the_page(requester, client):
    case = draft_case(requester)
    person = case.persons.get()
    upload(requester, person, "people/lin_manuel_miranda_1.png")
    client.force_login(requester)
    html = _czech(client).get(reverse("watchlists:photo_upload", args=[case.pk, person.pk])).content.decode()
    assert '<span class="status status-pending">obličej se zpracovává…</span>' in html
    assert 'data-word-pending="obličej se zpracovává…"' in html
    assert 'data-word-ready="obličej připraven"' in html
    assert 'data-word-all-done="Každý referenční obličej je připraven, nebo jeho zpracování selhalo."' in html
    script = (django_settings.BASE_DIR / "static" / "js" / "photo-status.js").read_text()
    assert 'word("still-pending"' in script and 'word("all-done"' in script


def test_an_upload_refusal_reads_czech(requester, client):
    case = draft_case(requester)
    person = case.persons.get()
    client.force_login(requester)
    response = _czech(client).post(
        reverse("watchlists:photo_upload", args=[case.pk, person.pk]),
        {
            "photo": SimpleUploadedFile("face.gif", GIF),
            "source": "Policejní evidence",
            "legal_basis": "§ 63 zákona o policii",
            "captured_at": "2026-01-05",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Obrázky GIF nepřijímáme; nahrajte JPEG nebo PNG." in html
    assert "not accepted" not in html


def test_the_date_field_and_the_kept_file_notice_read_czech(requester, client):
    case = draft_case(requester)
    person = case.persons.get()
    client.force_login(requester)
    response = _czech(client).post(
        reverse("watchlists:photo_upload", args=[case.pk, person.pk]),
        {
            "photo": SimpleUploadedFile("face.png", face_bytes("people/lin_manuel_miranda_1.png")),
            "source": "Policejní evidence",
            "legal_basis": "§ 63 zákona o policii",
            "captured_at": "",
        },
    )
    html = response.content.decode()
    assert "Vybraná fotografie nebyla uchována" in html and "vyberte soubor znovu" in html


def test_several_faces_take_the_czech_plural_forms():
    def english(count):
        return (
            f"The image shows {count} faces; a reference image must show exactly one person. "
            "Crop the photo to the person concerned."
        )

    with translation.override("cs"):
        assert failure_reason_text(english(2)).startswith("Na snímku jsou 2 obličeje;")
        assert failure_reason_text(english(5)).startswith("Na snímku je 5 obličejů;")
        assert failure_reason_text("Unreadable image: the file is empty.") == "Nečitelný obrázek: soubor je prázdný."
        assert failure_reason_text("Something new the engine says.") == "Something new the engine says."
    with translation.override("en"):
        assert failure_reason_text(english(3)) == english(3)
