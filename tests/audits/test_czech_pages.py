"""The audit trail in Czech: the browser (filters, event type labels, Czech dates), the verification page with its
plural forms and the export page; event type codes stay as they are."""

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from audits.models import AuditEvent
from tests.audits.helpers import fill_log

pytestmark = pytest.mark.django_db


def _czech(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "cs"
    return client


def test_the_audit_list_is_czech_with_czech_dates(client_for, dpo):
    fill_log(3)
    page = _czech(client_for(dpo)).get(reverse("audits:event_list"))
    html = page.content.decode()
    assert page["Content-Language"] == "cs"
    for words in (
        "<h1>Auditní záznam</h1>",
        "Ověřit řetězec",
        "Exportovat tyto události (zaznamená se jako zpřístupnění)",
        ">Typ události:</label>",
        ">Číslo případu:</label>",
        ">Filtrovat</button>",
        "např. 2026-11-29",
        '<td title="case.viewed">Nahlédnutí do případu</td>',  # the label in words; the code as its title
        "Dávky skenování",
    ):
        assert words in html, words
    event = AuditEvent.objects.filter(event_type="case.viewed").latest("seq")
    local = timezone.localtime(event.occurred_at)
    assert f"{local.day}. {local.month}. {local.year} {local:%H:%M:%S}" in html  # "j. n. Y H:i:s"
    assert "Audit trail" not in html and "Verify the chain" not in html


def test_a_bad_date_is_refused_in_czech(client_for, dpo):
    html = (
        _czech(client_for(dpo))
        .get(reverse("audits:event_list"), {"since": "2026-11-28 10:00", "until": "2026-11-27 10:00"})
        .content.decode()
    )
    assert "„Do“ musí být později než „Od“." in html
    html = _czech(client_for(dpo)).get(reverse("audits:event_list"), {"since": "yesterday"}).content.decode()
    assert "„yesterday“ není datum, které umíme přečíst" in html


@pytest.mark.parametrize("filled", [1, 10])  # with the sign-in's own events: a few (2–4), then five or more
def test_the_verification_page_uses_the_czech_plural_forms(client_for, dpo, filled):
    fill_log(filled)
    html = _czech(client_for(dpo)).get(reverse("audits:verify")).content.decode()
    count = AuditEvent.objects.count()
    form = "událost" if count == 1 else "události" if 2 <= count <= 4 else "událostí"
    assert f"Neporušeno: {count} {form}," in html
    assert "kopie Úřadu není nastavena" in html
    assert "Poslední kontrolní body" in html and "Intact" not in html


def test_the_export_page_is_czech(client_for, dpo):
    html = _czech(client_for(dpo)).get(reverse("audits:export")).content.decode()
    for words in ("Export auditních záznamů", "Export je zpřístupnění", "Odůvodnění", "Příjemci", "Ověřitelný (otisky"):
        assert words in html, words
    refused = _czech(client_for(dpo)).post(
        reverse("audits:export"), {"justification": " ", "recipients": "Úřad", "format": "verifiable"}
    )
    assert refused.status_code == 400 and "Toto pole je vyžadováno." in refused.content.decode()


def test_the_export_command_answers_operators_in_english_whatever_the_language(settings, tmp_path):
    settings.LANGUAGE_CODE = "cs"  # the deployment's default
    fill_log(2)
    with translation.override("cs"), pytest.raises(CommandError, match="is not a date we can read"):
        call_command(
            "audits_export",
            "--since",
            "last tuesday",
            "--out",
            str(tmp_path / "out"),
            "--justification",
            "audit",
            "--recipient",
            "office",
        )
