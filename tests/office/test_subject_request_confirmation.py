"""Carrying out a data-subject request is asked first: GET shows what will happen (Confirm / Cancel) and changes
nothing; only POST carries it out."""

import pytest

from audits.models import AuditEvent
from oversight.models import DataSubjectRequest, Person
from tests.oversight.factories import approved_case

pytestmark = pytest.mark.django_db


def test_the_confirmation_page_changes_nothing_and_the_post_carries_out(world, clock, client_for):
    case = approved_case(world)
    office = client_for(world.dpo)
    office.post("/subject-requests/", {"kind": "erasure", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    detail = office.get(f"/subject-requests/{record.pk}/").content.decode()
    assert f'href="/subject-requests/{record.pk}/carry-out/"' in detail  # a link to the question, not a button

    for item in record.items.all():
        decision = "no_action" if item.target_label == "oversight.Case" else "erase"
        office.post(f"/subject-requests/{record.pk}/items/{item.pk}/decide/", {"decision": decision, "reasons": "Kept"})
    events = AuditEvent.objects.count()
    page = office.get(f"/subject-requests/{record.pk}/carry-out/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Carry out request {record.pk} (Erasure)?" in text
    assert "Erased data cannot be restored" in text and "Entry of Jana Novakova as a sought person, case FR-" in text
    assert "Confirm and carry out" in text and f'href="/subject-requests/{record.pk}/"' in text  # cancel
    record.refresh_from_db()
    assert record.status == "open" and AuditEvent.objects.count() == events
    assert case.persons.filter(full_name="Jana Novakova").exists()

    assert office.post(f"/subject-requests/{record.pk}/carry-out/").status_code == 302
    record.refresh_from_db()
    assert record.status == "completed" and not Person.objects.filter(full_name="Jana Novakova").exists()
    # once completed there is nothing left to confirm
    done = office.get(f"/subject-requests/{record.pk}/carry-out/")
    assert done.status_code == 302 and done["Location"] == f"/subject-requests/{record.pk}/"


def test_outsiders_get_no_confirmation_page(world, clock, client_for):
    approved_case(world)
    client_for(world.dpo).post("/subject-requests/", {"kind": "access", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    for user in (world.requester, world.judge, world.outsider, world.platform_admin):
        assert client_for(user).get(f"/subject-requests/{record.pk}/carry-out/").status_code == 404
