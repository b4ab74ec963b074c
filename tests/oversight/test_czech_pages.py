"""The case workflow in Czech: pages, form errors and service errors read Czech, with Czech plural forms and
dates; English stays available. Also: removing a person or a camera asks first, the case list's query count is
fixed, and configuration APIs refuse non-administrators before reading the body."""

import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from oversight import services
from tests.oversight.factories import END, START, draft_case, submitted_case


def czech_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "cs"
    return client


def text_of(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(("count", "words"), [(1, "1 případ."), (3, "3 případy."), (5, "5 případů.")])
def test_the_case_list_reads_czech_with_the_right_plural(world, count, words):
    for _ in range(count):
        draft_case(world.requester, world.cameras, judge=world.judge)
    response = czech_client(world.requester).get(reverse("oversight:case_list"))
    html = text_of(response)
    assert response["Content-Language"] == "cs"
    assert words in html
    assert "Číslo případu" in html and "Požadované časové okno" in html and "Připravit nový případ" in html
    assert "Koncept" in html  # the status label
    assert "Reference" not in html and "Requested window" not in html


def test_the_filtered_case_list_says_how_many_match_in_czech(world):
    for _ in range(2):
        draft_case(world.requester, world.cameras, judge=world.judge)
    response = czech_client(world.requester).get(reverse("oversight:case_list"), {"status": "draft"})
    html = text_of(response)
    assert "Filtrům odpovídají 2 případy." in html and "Zrušit filtry" in html


def test_the_case_page_reads_czech_with_czech_dates(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    html = text_of(czech_client(world.requester).get(reverse("oversight:case_detail", args=[case.pk])))
    assert "Hledané osoby" in html and "Pohřešovaná osoba" in html and "Podezřelá osoba" in html
    assert "Právní základ" in html and "Požadovaný začátek" in html and "Zákonný účel" in html
    assert "Případ vidíte jako: <em>žadatel</em>" in html
    assert "Upravit koncept" in html and "Podat k povolení" in html and "Zatím bez rozhodnutí." in html
    # START is 2 March 2026 09:00 UTC, 10:00 in Prague: the Czech short format.
    assert "2. 3. 2026 10:00" in html
    assert "Persons sought" not in html


def test_the_case_page_stays_english_when_asked(world, client_for):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    client = client_for(world.requester)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = text_of(client.get(reverse("oversight:case_detail", args=[case.pk])))
    assert "Persons sought" in html and "Hledané osoby" not in html


def test_the_case_form_and_its_errors_read_czech(world):
    response = czech_client(world.requester).post(
        reverse("oversight:case_create"),
        {
            "objective": "victims",
            "authority": "judge",
            "assigned_judge": world.judge.pk,
            "requested_start": "2026-03-02T12:00",
            "requested_end": "2026-03-02T11:00",
            "match_threshold": "0.5",
        },
    )
    html = text_of(response)
    assert response.status_code == 400
    assert "Konec musí následovat až po začátku." in html
    assert "Požadovaný konec" in html and "Uložit koncept" in html and "Čas v pásmu Europe/Prague" in html
    # The limits added to the help texts use Czech plural forms (72 hours: "hodin").
    assert "Nejvýše 72 hodin po začátku." in html


def test_the_home_page_reads_czech_with_plural_forms(world):
    for _ in range(2):
        draft_case(world.requester, world.cameras, judge=world.judge)
    html = text_of(czech_client(world.requester).get(reverse("home")))
    assert "Co na vás čeká" in html and "Vaše žádosti" in html
    assert '<span class="count">2</span> koncepty k dokončení' in html
    assert '<span class="count">0</span> referenčních fotografií se ještě zpracovává' in html
    assert "Role: Žadatel (policie)." in html


def test_a_judges_home_page_lists_requests_in_czech(world):
    submitted_case(world)
    html = text_of(czech_client(world.judge).get(reverse("home")))
    assert "Žádosti čekající na vaše rozhodnutí:" in html and "podáno 2. 3. 2026 09:00" in html


# ---------------------------------------------------------------- service errors


def test_a_refused_transition_reads_czech_under_czech(world):
    case = submitted_case(world)
    with translation.override("cs"), pytest.raises(ValidationError) as refused:
        services.case_close(actor=world.requester, case=case)
    assert refused.value.message_dict["status"] == [
        "Případ ve stavu „podáno“ nemůže přejít do stavu „uzavřeno“. Místo toho vezměte žádost zpět."
    ]
    # The same refusal in English keeps its words (and the status codes).
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.case_close(actor=world.requester, case=case)
    assert refused.value.message_dict["status"] == [
        "A case that is submitted cannot become closed. Withdraw it instead."
    ]


@pytest.mark.parametrize(("hours", "words"), [(1, "1 hodinu"), (3, "3 hodiny"), (12, "12 hodin")])
def test_the_window_limit_uses_czech_plural_forms(world, settings, hours, words):
    settings.CASE_MAX_DURATION_HOURS = hours
    with translation.override("cs"), pytest.raises(ValidationError) as refused:
        draft_case(world.requester, world.cameras, judge=world.judge, start=START, end=END)
    assert refused.value.message_dict["requested_end"] == [f"Časové okno smí trvat nejvýše {words} (R5)."]


def test_a_person_error_on_the_case_page_names_the_field_in_czech(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    response = czech_client(world.requester).post(
        reverse("oversight:case_person_add", args=[case.pk]),
        {"full_name": "Known hooligans", "category": "suspect", "reason": "Seen at the match."},
    )
    html = text_of(response)
    assert response.status_code == 400
    # The requirement code is not shown: "(R3)" nowhere (a random CSRF token may contain the letters "R3").
    assert "není jmenovitě určená konkrétní osoba" in html and not re.search(r"\bR3\b", html)


# ---------------------------------------------------------------- removing a person or a camera asks first


def test_removing_a_person_asks_first_and_only_the_post_removes(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    person = case.persons.order_by("id").first()
    url = reverse("oversight:case_person_remove", args=[case.pk, person.pk])
    client = Client()
    client.force_login(world.requester)
    page = client.get(reverse("oversight:case_detail", args=[case.pk]))
    assert f'href="{url}"' in text_of(page)  # a link to the confirmation, not a one-click form
    confirm = client.get(url)
    assert confirm.status_code == 200
    html = text_of(confirm)
    assert f"Remove {person.full_name} from {case.reference}?" in html
    assert "Yes, remove the person" in html and f'action="{url}"' in html
    assert case.persons.filter(pk=person.pk).exists()
    assert client.post(url).status_code == 302
    assert not case.persons.filter(pk=person.pk).exists()


def test_removing_a_camera_asks_first_in_czech_and_only_the_post_removes(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    camera = world.cameras[0]
    url = reverse("oversight:case_camera_remove", args=[case.pk, camera.pk])
    client = czech_client(world.requester)
    html = text_of(client.get(url))
    assert f"Odebrat kameru {camera.name} z případu {case.reference}?" in html and "Ano, odebrat kameru" in html
    assert case.case_cameras.filter(camera=camera).exists()
    assert client.post(url).status_code == 302
    assert not case.case_cameras.filter(camera=camera).exists()


def test_the_removal_pages_are_the_requesters_and_only_for_drafts(world, client_for):
    draft = draft_case(world.requester, world.cameras, judge=world.judge)
    person = draft.persons.order_by("id").first()
    url = reverse("oversight:case_person_remove", args=[draft.pk, person.pk])
    assert client_for(world.outsider).get(url).status_code == 404  # does not see the case
    assert client_for(world.dpo).get(url).status_code == 403  # sees it, may not change it
    # A person or camera not on the case: 404.
    assert (
        client_for(world.requester)
        .get(reverse("oversight:case_camera_remove", args=[draft.pk, world.cameras[5].pk]))
        .status_code
        == 404
    )
    submitted = submitted_case(world)
    person = submitted.persons.order_by("id").first()
    answer = client_for(world.requester).get(reverse("oversight:case_person_remove", args=[submitted.pk, person.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("oversight:case_detail", args=[submitted.pk])


# ---------------------------------------------------------------- the case list's query count


def _case_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("oversight:case_list")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["requester", "dpo"])
def test_the_case_list_page_query_count_does_not_grow_with_the_cases(world, client_for, who):
    for _ in range(3):
        submitted_case(world)
    client = client_for(getattr(world, who))
    few = _case_list_queries(client)
    for _ in range(27):
        submitted_case(world)
    assert _case_list_queries(client) == few
    # Pinned: one more query here is a regression to explain (session and user, filters, count, page). The R17 record
    # is not among them: it is sent with the request's COMMIT (audits.backends.postgresql), which a test never sends.
    assert few == 8


# ---------------------------------------------------------------- configuration APIs: 403 before 400


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "X", "location_label": "Y", "source": "ftp://bad"}])
def test_camera_and_objective_writes_answer_403_to_non_administrators_whatever_the_body(world, client_for, body):
    camera = world.cameras[0]
    for user in (world.requester, world.judge, world.dpo):
        client = client_for(user)
        for url in (
            reverse("api-cameras-create"),
            reverse("api-cameras-update", args=[camera.pk]),
            reverse("api-objectives-enable", args=["victims"]),
            reverse("api-objectives-disable", args=["no-such-objective"]),
        ):
            assert client.post(url, body, content_type="application/json").status_code == 403, (user, url)
    # An administrator's bad body is still a 400 naming the field.
    answer = client_for(world.platform_admin).post(reverse("api-cameras-create"), {}, content_type="application/json")
    assert answer.status_code == 400 and "name" in answer.json()
