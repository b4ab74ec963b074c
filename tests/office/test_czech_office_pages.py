"""The office's pages in Czech (the deployment's default) and in English: the notifications worded from their
kind and snapshot in the reader's language (the snapshot itself stays English), deployments, data-subject
requests and service errors."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from oversight import services
from oversight.models import DataSubjectRequest, OfficeNotification
from tests.oversight.factories import END, approved_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_czech(client_for):
    def _make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
        return client

    return _make


def test_the_notification_list_reads_czech_from_the_english_snapshot(world, clock, in_czech, client_for):
    with translation.override("cs"):  # a transition in a Celery task runs in Czech: the snapshot stays English
        case = approved_case(world)
    notification = OfficeNotification.objects.get()
    assert notification.content["authority"] == "A judge" and notification.content["authority_code"] == "judge"

    page = in_czech(world.dpo).get(reverse("office:notification_list")).content.decode()
    assert "Oznámení Úřadu pro ochranu osobních údajů" in page
    assert "Použití povoleno" in page and "Use authorised" not in page
    assert f"Použití v případu {case.reference} útvaru {case.unit} bylo povoleno soudcem." in page
    assert "Označit jako přečtené" in page
    # the window in the Czech date format (j. n. Y H:i), local time
    start = timezone.localtime(case.approved_start)
    assert re.search(rf"\b{start.day}\. {start.month}\. {start.year} \d{{2}}:\d{{2}}", page)

    english = client_for(world.dpo).get(reverse("office:notification_list")).content.decode()
    assert "Notifications to the data protection office" in english and "Use authorised" in english
    assert f"Case {case.reference} of {case.unit} was authorised by a judge." in english
    assert "Oznámení" not in english


def test_an_ended_use_says_how_it_ended_in_czech(world, clock, in_czech):
    case = approved_case(world)
    with translation.override("cs"):
        services.case_expire_due(now=END + timedelta(minutes=1))
    ended = OfficeNotification.objects.get(case_reference=case.reference, kind="ended")
    assert ended.content["how_it_ended"] == "Expired"  # stored data, in English
    page = in_czech(world.dpo).get(reverse("office:notification_list")).content.decode()
    assert "Použití skončilo" in page
    assert f"v případu {case.reference} skončilo: časové okno vypršelo." in page


def test_old_snapshots_without_the_authority_code_still_read_czech(world, clock, in_czech):
    approved_case(world)
    notification = OfficeNotification.objects.get()
    content = dict(notification.content)
    del content["authority_code"]
    OfficeNotification.objects.filter(pk=notification.pk).update(content=content)
    page = in_czech(world.dpo).get(reverse("office:notification_list")).content.decode()
    assert "bylo povoleno soudcem" in page and "<td>soudce" in page


def test_the_deployment_pages_and_their_errors_are_czech(world, clock, in_czech):
    page = in_czech(world.platform_admin).get(reverse("office:deployment_list")).content.decode()
    assert "Případ smí používat pouze kamery nasazení" in page and "Zaregistrovat nasazení" in page
    form = in_czech(world.platform_admin).get(reverse("office:deployment_create")).content.decode()
    assert "Žádost Úřadu" in form and "Datum žádosti" in form
    with translation.override("cs"), pytest.raises(ValidationError) as refused:
        services.deployment_create(
            actor=world.platform_admin,
            name="",
            locations="",
            consultation_request="",
            consultation_requested_on=None,
            camera_ids=[],
        )
    messages = [m for ms in refused.value.message_dict.values() for m in ms]
    assert "Zadejte název nasazení." in messages and "Uveďte místa, která nasazení pokrývá." in messages


def test_data_subject_requests_in_czech(world, clock, in_czech):
    approved_case(world)
    office = in_czech(world.dpo)
    listing = office.get("/subject-requests/").content.decode()
    assert "Žádosti subjektů údajů" in listing and "Zaznamenat a vyhledat" in listing
    refused = office.post("/subject-requests/", {"kind": "erasure", "subject_name": "Jana"})
    assert refused.status_code == 400 and "Zadejte celé jméno osoby (jméno a příjmení)." in refused.content.decode()
    office.post("/subject-requests/", {"kind": "access", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    detail = office.get(f"/subject-requests/{record.pk}/").content.decode()
    assert "Nálezy" in detail and "Záznam osoby Jana Novakova jako hledané osoby, případ FR-" in detail
    assert "Provést všechna rozhodnutí a vyřídit žádost" in detail
    confirm = office.get(f"/subject-requests/{record.pk}/carry-out/").content.decode()
    undecided = record.items.count()
    assert undecided >= 2
    form = "položky ještě nejsou rozhodnuty" if undecided < 5 else "položek ještě není rozhodnuto"
    assert f"{undecided} {form}" in confirm and "Zrušit a vrátit se k žádosti" in confirm
    assert "Potvrdit a provést" not in confirm  # nothing to confirm while items are undecided
