"""R17: a person's photo list is one consultation per answer; an image a recorded page shows is not recorded twice."""

import pytest
from django.contrib.sessions.backends.db import SessionStore

from audits.models import AuditEvent
from audits.services import consultation_token_issue
from tests.watchlists.factories import draft_case, upload
from watchlists import services

pytestmark = pytest.mark.django_db


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


def test_each_photo_list_answer_records_one_consultation_naming_the_photos(requester, client_for):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    url = f"/api/cases/{case.pk}/persons/{person.pk}/photos/"
    response = client_for(requester).get(url)
    assert [row["id"] for row in response.json()] == [photo.pk]
    [event] = events("photo_list.viewed")
    assert (event.actor_label, event.case_ref, event.target_ref) == (
        requester.username,
        case.reference,
        f"oversight.Person:{person.pk}",
    )
    assert event.data_dict == {"interface": "api", "person_id": person.pk, "ids": [photo.pk], "count": 1}


def test_a_refused_photo_list_records_nothing(requester, outsider, client_for):
    case = draft_case(requester)
    person = case.persons.get()
    assert client_for(outsider).get(f"/api/cases/{case.pk}/persons/{person.pk}/photos/").status_code == 404
    assert events("photo_list.viewed") == []


def test_a_photo_fetched_with_the_pages_token_is_not_recorded_again(requester, colleague):
    case = draft_case(requester)
    person = case.persons.get()
    photo = upload(requester, person, "people/lin_manuel_miranda_1.png")
    services.reference_photo_encode(photo_id=photo.pk)  # served once the worker has decoded it
    session = SessionStore()
    session.create()
    token = consultation_token_issue(user=requester, target=photo, session=session)

    def consult(actor, consultation_token, in_session=session):
        return services.reference_photo_consult(
            actor=actor,
            case=case,
            person=person,
            photo_pk=photo.pk,
            via="page",
            consultation_token=consultation_token,
            session=in_session,
        )

    assert consult(colleague, token).content  # someone else's token: recorded
    assert consult(requester, token, SessionStore()).content  # the same person in another session: recorded
    assert consult(requester, token).content.startswith(b"\x89PNG")  # the page's token, its session: not again
    consult(requester, None)  # fetched on its own: recorded
    consult(requester, token)  # the token served already: recorded
    assert [e.actor_label for e in events("photo.viewed")] == [
        colleague.username,
        requester.username,
        requester.username,
        requester.username,
    ]
