"""Every kind of audit event has words for the audit browser's filter, and the browser shows machine actors and
event types in the reader's language (the codes stay in the exports and as the cell's title)."""

from django.conf import settings

from audits.events import EVENT_GROUPS, EventType
from audits.services import audit_record


def test_every_kind_of_event_has_words_for_the_filter():
    kinds = {code.split(".")[0] for code in EventType.values}
    assert kinds == set(EVENT_GROUPS)


def test_the_browser_words_machine_actors_and_event_types_in_czech(db, dpo, client_for):
    audit_record(actor=None, event_type=EventType.RETENTION_APPLIED, data={})
    audit_record(actor="commission", event_type=EventType.CASE_APPROVED, case_ref="FR-2026-0009", data={})
    client = client_for(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    page = client.get("/audits/").content.decode()
    assert "platforma (plánovač nebo pracovní proces)" in page and "komise (svým hlasováním)" in page
    assert ">system<" not in page and ">commission<" not in page
    assert "<code>retention.applied</code>" not in page and 'title="retention.applied"' in page
    assert "Případy: všechny události" in page  # the filter's kinds, in words
