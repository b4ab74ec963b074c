"""R21 at real size: a hundred findings decided in one step (with its audit events), the per-item override kept
inside a group, decisions answered in JSON for the page's script, the face search's state, rectification carried out
and the answer to the person in their language."""

import io
import json
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from audits.models import AuditEvent
from oversight.models import DataSubjectRequest, DataSubjectRequestItem, Person
from recognition.models import Alert, AlertReview
from tests.office.retention_helpers import alert_for, audits_verify_ok, photo_for, review
from tests.oversight.factories import START, approved_case
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def hundred(world, clock):
    """Jana in a running case: her entry, a photo, 96 sightings (one rejected, with its verdict) and the case: 100."""
    case = approved_case(world)
    jana = case.persons.get(full_name="Jana Novakova")
    photo_for(jana, uploaded_by=world.requester)
    clock.move_to(START + timedelta(hours=2))
    alerts = [alert_for(case, person=jana, n=n) for n in range(96)]
    review(alerts[0], world.verifiers[0], "reject", note="Someone else")
    return case, jana, alerts


def test_a_hundred_findings_are_decided_in_one_step_and_an_override_inside_a_group_is_kept(
    world, hundred, client_for, django_capture_on_commit_callbacks
):
    case, jana, alerts = hundred
    office = client_for(world.dpo)
    assert office.post("/subject-requests/", {"kind": "erasure", "subject_name": "Jana Novakova"}).status_code == 302
    record = DataSubjectRequest.objects.get()
    assert record.items.count() == 100
    page = office.get(f"/subject-requests/{record.pk}/").content.decode()
    # grouped by kind and case, in words; no model names on the page
    assert f"Sightings (alerts with their image), case {case.reference}" in page and "(96)" in page
    visible = re.sub(r"<[^>]+>", " ", page)
    assert not [
        name for name in ("recognition.", "Alert ", "AlertReview", "ReferencePhoto", "oversight.") if name in visible
    ]

    before = AuditEvent.objects.filter(event_type="subject_request.item_decided").count()
    answer = office.post(f"/subject-requests/{record.pk}/decide/", {"group": "all", "decision": "erase"}, **JSON)
    assert answer.status_code == 200
    state = answer.json()
    assert state["undecided"] == 0 and state["findings"] == 100 and len(state["items"]) == 100
    assert record.items.filter(decision="erase").count() == 100
    decided = AuditEvent.objects.filter(event_type="subject_request.item_decided")
    assert decided.count() == before + 1  # one step, one event listing the hundred items
    data = json.loads(decided.latest("seq").data)
    assert data["group"] == "all" and len(data["items"]) == 100 and "Jana" not in decided.latest("seq").data

    # Per-item overrides: the case's record stays (the case is running), one sighting is restricted instead.
    items = {(i.target_label, i.target_id): i for i in record.items.all()}
    case_item, kept = items[("oversight.Case", case.pk)], items[("recognition.Alert", alerts[0].pk)]
    person_item = items[("oversight.Person", jana.pk)]
    for item, decision in ((case_item, "no_action"), (person_item, "no_action"), (kept, "restrict")):
        url = f"/subject-requests/{record.pk}/items/{item.pk}/decide/"
        assert office.post(url, {"decision": decision, "reasons": "Running case"}, **JSON).status_code == 200
    # A later decision for the whole group of sightings leaves the overridden one as it is.
    group = f"recognition.Alert|{case.pk}"
    state = office.post(f"/subject-requests/{record.pk}/decide/", {"group": group, "decision": "erase"}, **JSON).json()
    assert DataSubjectRequestItem.objects.get(pk=kept.pk).decision == "restrict"
    assert next(i for i in state["items"] if i["id"] == kept.pk)["decision"] == "restrict"
    assert record.items.filter(target_label="recognition.Alert", decision="erase").count() == 95

    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(f"/subject-requests/{record.pk}/carry-out/").status_code == 302
    assert list(Alert.objects.filter(case=case).values_list("pk", flat=True)) == [alerts[0].pk]
    assert not ReferencePhoto.objects.filter(person=jana).exists()
    assert not AlertReview.objects.filter(alert_id=alerts[0].pk).exists()  # its verdict was erased (all: erase)
    assert Person.objects.filter(pk=jana.pk).exists()
    assert DataSubjectRequestItem.objects.get(pk=kept.pk).is_restricted
    audits_verify_ok()


def test_without_javascript_a_group_decision_comes_back_to_its_group(world, hundred, client_for):
    case, _jana, _alerts = hundred
    office = client_for(world.dpo)
    office.post("/subject-requests/", {"kind": "access", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    response = office.post(
        f"/subject-requests/{record.pk}/decide/",
        {"group": f"recognition.Alert|{case.pk}", "decision": "disclose", "anchor": "group-3"},
    )
    assert response.status_code == 302 and response.url.endswith(f"/subject-requests/{record.pk}/#group-3")
    assert record.items.filter(decision="disclose").count() == 96
    refused = office.post(f"/subject-requests/{record.pk}/decide/", {"group": "all", "decision": "no_action"}, **JSON)
    assert refused.status_code == 400 and refused.json()["errors"] == ["Say why no action is taken."]
    assert record.items.filter(decision="disclose").count() == 96  # nothing half-written


def test_only_the_office_decides_or_reads_the_state(world, hundred, client_for):
    client_for(world.dpo).post("/subject-requests/", {"kind": "access", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    for user in (world.requester, world.judge, world.verifiers[0]):
        other = client_for(user)
        assert (
            other.post(f"/subject-requests/{record.pk}/decide/", {"group": "all", "decision": "erase"}).status_code
            == 404
        )
        assert other.get(f"/subject-requests/{record.pk}/status/").status_code == 404
        assert other.get(f"/subject-requests/{record.pk}/answer.pdf").status_code == 404
    assert not record.items.exclude(decision="pending").exists()


def test_the_face_search_state_is_read_as_json(world, client_for):
    office = client_for(world.dpo)
    record = DataSubjectRequest.objects.create(
        kind="access", subject_name="Jana Novakova", recorded_by=world.dpo, recorded_at=START, face_search="queued"
    )
    assert office.get(f"/subject-requests/{record.pk}/status/").json()["face_search"] == "queued"
    page = office.get(f"/subject-requests/{record.pk}/").content.decode()
    assert f'data-status-url="/subject-requests/{record.pk}/status/"' in page and "subject-request.js" in page
    record.face_search, record.face_search_note = "done", "Compared with 3 templates of active cases; 0 matched."
    record.save()
    state = office.get(f"/subject-requests/{record.pk}/status/").json()
    assert state == {
        "face_search": "done",
        "text": "done: Compared with 3 templates of active cases; 0 matched.",
        "findings": 0,
    }


def test_a_rectification_is_carried_out_through_the_persons_service(world, clock, client_for):
    approved_case(world)
    office = client_for(world.dpo)
    office.post("/subject-requests/", {"kind": "rectification", "subject_name": "Petr Svoboda"})
    record = DataSubjectRequest.objects.get()
    person_item = record.items.get(target_label="oversight.Person")
    url = f"/subject-requests/{record.pk}/items/{person_item.pk}/decide/"
    # a rectification of something that is not a person's entry is refused in words
    case_item = record.items.get(target_label="oversight.Case")
    bad = office.post(f"/subject-requests/{record.pk}/items/{case_item.pk}/decide/", {"decision": "rectify"}, **JSON)
    assert bad.status_code == 400 and "Only a person's entry" in bad.json()["errors"][0]
    assert office.post(url, {"decision": "rectify"}, **JSON).json() == {
        "errors": ["Give the corrected full name or category."]
    }
    office.post(url, {"decision": "rectify", "full_name": "Petr  Svobodа Jr", "category": "witness"}, **JSON)
    office.post(
        f"/subject-requests/{record.pk}/items/{case_item.pk}/decide/", {"decision": "no_action", "reasons": "Kept"}
    )
    assert office.post(f"/subject-requests/{record.pk}/carry-out/").status_code == 302
    person = Person.objects.get(pk=person_item.target_id)
    assert person.full_name == "Petr Svobodа Jr" and person.category == "witness"
    event = AuditEvent.objects.get(event_type="person.rectified")
    assert json.loads(event.data)["changed"] == ["full_name", "category"] and "Svoboda" not in event.data
    audits_verify_ok()


@pytest.mark.parametrize(
    ("language", "words"),
    [("cs", ("Co je uloženo", "Proč", "Jak dlouho", "Odkud")), ("en", ("What is held", "Why", "For how long"))],
)
def test_the_answer_to_an_access_request_is_a_pdf_in_the_persons_language(world, hundred, client_for, language, words):
    case, _jana, _alerts = hundred
    office = client_for(world.dpo)
    office.post("/subject-requests/", {"kind": "access", "subject_name": "Jana Novakova", "language": language})
    record = DataSubjectRequest.objects.get()
    response = office.get(f"/subject-requests/{record.pk}/answer.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for word in words:
        assert word in text
    assert case.reference in text and "Press photo" in text  # where the photo came from
    event = AuditEvent.objects.get(event_type="subject_request.answer_produced")
    assert json.loads(event.data)["language"] == language and "Jana" not in event.data
