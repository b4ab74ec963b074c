"""A walk through the pages in Czech, as each role, over a year of data: no English word is left on a Czech page
(a word list from the catalogue: tests/e2e/words_left.py), once the stored data the page shows is taken out
(names, units, camera names and typed reasons are shown as typed, never translated)."""

import re
from html import unescape

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from audits.models import AuditEvent
from oversight.models import Case, Deployment
from recognition.models import Alert
from tests.e2e.words_left import english_left

pytestmark = pytest.mark.django_db(transaction=False)
APPS = ("accounts", "oversight", "watchlists", "recognition", "audits", "office")


def stored_strings() -> tuple[str, ...]:
    """Every text value stored in the project's tables: it is data, shown as typed."""
    values: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model is AuditEvent:
            continue
        # Fields with choices hold codes whose words the page must translate: those are not data.
        fields = [
            f.name for f in model._meta.fields if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if isinstance(v, str) and len(v) > 2 and not v.isdigit())
    # Usernames and units are stored data too.
    for user in apps.get_model(settings.AUTH_USER_MODEL).objects.all():
        values.update(v for v in (user.username, getattr(user, "unit", "")) if v)
    return tuple(values)


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    # Identifiers marked as not to be translated (an object reference such as recognition.Alert:12) are data.
    body = re.sub(r'<(\w+)[^>]*\btranslate="no"[^>]*>.*?</\1>', " ", body, flags=re.S)
    body = re.sub(r'<(input|option)[^>]*\bvalue="[^"]*"[^>]*>', " ", body)  # values are data, labels are checked
    return unescape(re.sub(r"<[^>]+>", " ", body))


def pages_for(year_data) -> dict[str, list[str]]:
    case = Case.objects.filter(alerts__isnull=False).order_by("pk").first()
    alert = Alert.objects.filter(case=case).order_by("pk").first()
    deployment = Deployment.objects.order_by("pk").first()
    office = [
        "/",
        "/cases/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/dossier/",
        f"/cases/{case.pk}/deletions/",
        "/alerts/",
        f"/alerts/{alert.pk}/",
        "/audits/",
        "/audits/verify/",
        "/audits/export/",
        "/deployments/",
        f"/deployments/{deployment.pk}/",
        "/office/notifications/",
        "/office/deployment-records/",
        "/office/annual-report/",
        "/subject-requests/",
    ]
    return {
        "dpo": office,
        "requester": ["/", "/cases/", "/cases/new/", f"/cases/{case.pk}/"],
        "judge": ["/", "/cases/", f"/cases/{case.pk}/"],
        "verifiers": ["/", "/alerts/", "/alerts/?awaiting=1", f"/alerts/{alert.pk}/"],
        "platform_admin": ["/", "/cameras/", "/cameras/new/", "/objectives/", "/deployments/"],
    }


def test_no_english_is_left_on_the_czech_pages_of_any_role(year, world_users, client_for):
    stored = stored_strings()
    found: dict[str, set[str]] = {}
    for role, paths in pages_for(year).items():
        user = getattr(world_users, role)
        client = client_for(user[0] if isinstance(user, list) else user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, (role, path, response.status_code)
            text = visible_text(response.content.decode())
            left = english_left(text, stored=stored)
            # Czech numbers have a decimal comma: no "0.5" beside "0,55" (stored data aside).
            for value in sorted(stored, key=len, reverse=True):
                text = text.replace(value, " ")
            left |= set(re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", text))
            if left:
                found[f"{role} {path}"] = left
    assert not found, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())
