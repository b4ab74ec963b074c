"""The case page's small forms offer only what makes sense: cameras not yet on the case, no category chosen for the
officer (a forgotten choice is an error, not "Suspect")."""

import re

import pytest
from django.urls import reverse

from oversight.models import Camera
from tests.oversight.factories import draft_case

pytestmark = pytest.mark.django_db


def _camera_options(html: str) -> list[str]:
    select = re.search(r'<select name="camera"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d*)"', select)


def test_the_camera_form_offers_only_cameras_not_yet_on_the_case(world, client_for):
    case = draft_case(world.requester, world.cameras, camera_count=1, judge=world.judge)
    client = client_for(world.requester)
    html = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    offered = _camera_options(html)
    assert offered[0] == ""  # "Choose…" first
    assert str(world.cameras[0].pk) not in offered and str(world.cameras[1].pk) in offered


def test_when_every_camera_is_on_the_case_the_page_says_so(world, client_for):
    # A case covers at most five cameras: the sixth is out of service, so none is left to offer.
    Camera.objects.filter(pk=world.cameras[5].pk).update(enabled=False)
    case = draft_case(world.requester, world.cameras, camera_count=5, judge=world.judge)
    html = client_for(world.requester).get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    assert "Every camera in service is already on this case." in html
    assert 'name="camera"' not in html


def test_the_person_form_chooses_no_category_for_the_officer(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    client = client_for(world.requester)
    html = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.search(r'<option value="" selected>', select)
    persons = case.persons.count()
    answer = client.post(
        reverse("oversight:case_person_add", args=[case.pk]),
        {"full_name": "Karel Dvorak", "category": "", "reason": "Seen at the station"},
    )
    assert answer.status_code == 400
    assert case.persons.count() == persons
