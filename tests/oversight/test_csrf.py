"""Session-authenticated writes need the CSRF token, in the API (DRF) and on the pages."""

import pytest
from django.test import Client
from django.urls import reverse

from oversight.models import Case
from tests.oversight.factories import draft_case

pytestmark = pytest.mark.django_db


def test_a_post_without_token_is_refused(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.requester)
    api = client.post(reverse("api-cases-submit", args=[case.pk]))
    assert api.status_code == 403 and "CSRF" in api.json()["detail"]
    page = client.post(reverse("oversight:case_submit", args=[case.pk]))
    assert page.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_the_same_post_with_the_token_goes_through(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.requester)
    client.get(reverse("oversight:case_detail", args=[case.pk]))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("api-cases-submit", args=[case.pk]), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
