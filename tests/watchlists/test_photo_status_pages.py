"""The case page shows each reference photo's state (being computed, ready, failed with its reason) and updates it
by itself through a small JSON answer; a failed upload says plainly that the chosen file must be chosen again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.watchlists.factories import draft_case, face_bytes, upload
from watchlists import services
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_each_photos_state_and_polls_while_one_is_pending(requester, client, settings):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    client.force_login(requester)
    html = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    assert "Photo 1: face being computed" in html
    assert 'src="/static/js/photo-status.js"' in html
    assert f'data-photo-status-url="{reverse("oversight:case_photo_status", args=[case.pk])}"' in html

    answer = client.get(reverse("oversight:case_photo_status", args=[case.pk])).json()
    assert answer == {
        "photos": [{"id": photo.pk, "person_id": person.pk, "status": "pending", "failure_reason": ""}],
        "pending": True,
        "every_person_ready": False,
    }
    # Submission waits for the face: the button is there but disabled, and the script may enable it.
    assert (
        '<button type="submit" id="submit-case" disabled aria-describedby="submit-case-why" data-wait-for-faces>'
        in (html)
    )
    assert "Possible once the faces being computed are ready." in html

    settings.FACE_MIN_SIZE_PX = 4000  # no face in the photo is large enough: the encoding fails with a reason
    photo = services.reference_photo_encode(photo_id=photo.pk)
    assert photo.status == ReferencePhoto.Status.FAILED
    answer = client.get(reverse("oversight:case_photo_status", args=[case.pk])).json()
    assert answer["pending"] is False and answer["photos"][0]["status"] == "failed"
    assert answer["photos"][0]["failure_reason"]
    html = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    assert "Photo 1: failed" in html and photo.failure_reason.split("(")[0].strip()[:20] in html
    assert "photo-status.js" not in html  # nothing left to wait for
    # A failed face: submission stays closed and the page names the person who needs another photo.
    assert 'id="submit-case" disabled aria-describedby="submit-case-why">' in html
    assert f"Possible once each person has a ready reference face: {person.full_name}." in html


def test_submission_opens_once_every_person_has_a_ready_face(requester, client):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    services.reference_photo_encode(photo_id=photo.pk)
    client.force_login(requester)
    answer = client.get(reverse("oversight:case_photo_status", args=[case.pk])).json()
    assert answer["pending"] is False and answer["every_person_ready"] is True
    html = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    assert '<button type="submit" id="submit-case">' in html and "submit-case-why" not in html


def test_the_photo_states_are_no_business_of_outsiders(requester, outsider, client):
    case = draft_case(requester)
    upload(requester, case.persons.get(), "people/lin_manuel_miranda_1.png")
    client.force_login(outsider)
    assert client.get(reverse("oversight:case_photo_status", args=[case.pk])).status_code == 404


def test_a_failed_upload_says_to_choose_the_file_again(requester, client):
    case = draft_case(requester)
    person = case.persons.get()
    client.force_login(requester)
    url = reverse("watchlists:photo_upload", args=[case.pk, person.pk])
    form = client.get(url).content.decode()
    assert 'type="date"' in form and 'accept="image/jpeg,image/png"' in form
    response = client.post(
        url,
        {
            "photo": SimpleUploadedFile("face.png", face_bytes("people/lin_manuel_miranda_1.png")),
            "source": "Police records",
            "legal_basis": "Police Act s. 63",
            "captured_at": "not a date",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "choose the file again" in html
    # Nothing of the photo was kept on the server while the form waits for a correction.
    assert ReferencePhoto.objects.count() == 0


def test_removing_a_photo_asks_first_on_a_page_of_its_own(requester, colleague, client):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    url = reverse("watchlists:photo_remove", args=[case.pk, person.pk, photo.pk])
    client.force_login(requester)
    page = client.get(url)
    assert page.status_code == 200 and "Yes, destroy the photo" in page.content.decode()
    assert ReferencePhoto.objects.filter(pk=photo.pk).exists()  # asking destroys nothing
    client.force_login(colleague)
    assert client.get(url).status_code in (403, 404)
    client.force_login(requester)
    assert client.post(url).status_code == 302
    assert not ReferencePhoto.objects.filter(pk=photo.pk).exists()
