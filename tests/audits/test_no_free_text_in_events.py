"""No free text in audit events (R17, R19): events reference the objects that hold what people typed.

A seeded run types a sentinel into every free-text field that reaches an audited action (an export's justification
and recipients, a report's, the reason for a second-factor reset and for lifting a restriction, list and export
filters, unknown API parameters), then scans every event's payload for it. The words are still readable from the
objects (audits.texts), on the event's page.
"""

import json

import pytest
from django.test import Client

from audits import texts
from audits.models import AuditDisclosure, AuditEvent
from audits.texts import filters_for_event
from tests.conftest import force_login_with_second_factor

SENTINEL = "Zvláštní text ✎ typed by a person"

pytestmark = pytest.mark.django_db


def _events_with_sentinel():
    return [e.seq for e in AuditEvent.objects.all() if "Zvl" in e.data or "typed by a person" in e.data]


def test_filters_keep_identifiers_and_name_the_filters_that_carried_text():
    described = filters_for_event(
        {"event_type": "case.viewed", "case_ref": "FR-2026-0001", "actor": SENTINEL, "page": 2, "Evil Key!": "x"}
    )
    assert described == {"event_type": "case.viewed", "case_ref": "FR-2026-0001", "page": "2", "text_filters": "actor"}
    assert len(filters_for_event({f"k{i}": i for i in range(100)})) <= texts.FILTERS_KEPT


def test_every_typed_text_stays_out_of_the_trail_and_is_shown_from_its_object(
    dpo, requester, platform_admin, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from accounts.services import second_factor_reset
    from tests.audits.helpers import fill_log

    call_command("audits_keygen", stdout=open("/dev/null", "w"))
    fill_log(5)
    office = Client()
    force_login_with_second_factor(office, dpo)

    # The trail's own export, as CSV on the page, with typed filters.
    response = office.post(
        "/audits/export/",
        {"justification": SENTINEL, "recipients": SENTINEL, "format": "csv", "actor": SENTINEL},
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    # The verifiable export requested in the background.
    with django_capture_on_commit_callbacks(execute=False):
        response = office.post(
            "/audits/export/", {"justification": SENTINEL, "recipients": SENTINEL, "format": "verifiable"}
        )
    assert response.status_code == 302
    # Browsing the trail with typed filters, on the page and through the API.
    assert office.get("/audits/", {"actor": SENTINEL, "case_ref": SENTINEL}).status_code == 200
    assert office.get("/api/audits/events/", {"actor": SENTINEL}).status_code == 200
    # Lists of cases through the API with parameters nobody offered.
    client = Client()
    force_login_with_second_factor(client, requester)
    assert client.get("/api/cases/", {"search": SENTINEL, SENTINEL: SENTINEL}).status_code == 200
    assert client.get("/alerts/", {"person": SENTINEL}).status_code == 200
    # A second-factor reset with its reason.
    second_factor_reset(username=requester.username, reason=SENTINEL, operator="operator")
    # A report of the office, a disclosure like an export.
    from office.services import report_records_export

    report_records_export(actor=dpo, year=2026, justification=SENTINEL, recipients=SENTINEL)

    assert _events_with_sentinel() == []

    # The words are kept on the objects and shown on the event's page.
    exported = AuditEvent.objects.filter(event_type="audit.exported").order_by("seq")
    assert exported.count() == 2
    disclosure = AuditDisclosure.objects.get(pk=json.loads(exported[0].data)["disclosure"].split(":")[1])
    assert (disclosure.justification, disclosure.recipients, disclosure.filters["actor"]) == (SENTINEL,) * 3
    assert json.loads(exported[0].data)["filters"] == {"text_filters": "actor"}
    page = office.get(f"/audits/events/{exported[0].seq}/").content.decode()
    assert SENTINEL in page
    report = AuditEvent.objects.get(event_type="report.exported")
    assert SENTINEL in office.get(f"/audits/events/{report.seq}/").content.decode()
    reset = AuditEvent.objects.get(event_type="auth.second_factor_reset")
    assert reset.target_ref.startswith("accounts.SecondFactorReset:")
    assert SENTINEL in office.get(f"/audits/events/{reset.seq}/").content.decode()


def test_every_model_an_event_may_reference_for_text_has_a_reader():
    assert {"audits.AuditDisclosure", "accounts.SecondFactorReset", "oversight.DataSubjectRequestItem"} <= (
        texts.registered()
    )
