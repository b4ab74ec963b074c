"""R21: a data-subject request walked from record to completion, through the pages, with outsiders refused."""

import json
from datetime import timedelta

import numpy as np
import pytest
from django.core.cache import cache

from audits.models import AuditEvent
from office.services.retention import retention_run
from office.services.subject_requests import subject_face_search
from oversight.models import DataSubjectRequest, DataSubjectRequestItem, Person
from recognition.models import Alert
from tests.office.retention_helpers import (
    alert_for,
    audits_verify_ok,
    database_dump,
    photo_for,
    review,
)
from tests.oversight.factories import END, START, approved_case
from watchlists import registry as watchlists_registry
from watchlists.models import ReferencePhoto, SubjectProbePhoto

pytestmark = pytest.mark.django_db
AT = START + timedelta(hours=1)


@pytest.fixture
def two_cases(world, clock):
    """Jana Novakova is sought in two cases; Petr Svoboda in the first only."""
    first = approved_case(world)
    second = approved_case(world, persons=(("Jana Nováková", "victim"), ("Eva Mala", "witness")))
    photos = {}
    for case in (first, second):
        for person in case.persons.all():
            photos[person.pk] = photo_for(person, uploaded_by=world.requester)
    clock.move_to(AT)
    jana_first = first.persons.get(full_name="Jana Novakova")
    alerts = [
        alert_for(first, person=jana_first, n=1),
        alert_for(second, person=second.persons.get(full_name="Jana Nováková"), n=2),
    ]
    review(alerts[0], world.verifiers[0], "confirm", note="Jana at the exit")
    other = alert_for(first, person=first.persons.get(full_name="Petr Svoboda"), n=3)
    return first, second, alerts, other, photos


def test_an_erasure_walked_through_the_pages_leaves_nothing_of_the_person(
    world, two_cases, client_for, django_capture_on_commit_callbacks
):
    first, second, alerts, other, photos = two_cases
    office = client_for(world.dpo)
    canaries = tuple(bytes(Alert.objects.get(pk=a.pk).crop_blob) for a in alerts)
    jana_ids = list(Person.objects.filter(full_name__startswith="Jana").values_list("pk", flat=True))
    canaries += tuple(bytes(photos[pk][0].encoding_blob) for pk in jana_ids)
    cache.set("unrelated", "kept")

    response = office.post(
        "/subject-requests/", {"kind": "erasure", "subject_name": "JANA novakova", "details": "Letter of 2 March"}
    )
    assert response.status_code == 302
    record = DataSubjectRequest.objects.get()
    found = set(record.items.values_list("target_label", "target_id"))
    assert ("oversight.Person", jana_ids[0]) in found and ("oversight.Person", jana_ids[1]) in found
    assert {("recognition.Alert", a.pk) for a in alerts} <= found
    assert ("recognition.Alert", other.pk) not in found
    assert {("oversight.Case", first.pk), ("oversight.Case", second.pk)} <= found
    page = office.get(f"/subject-requests/{record.pk}/").content.decode()
    assert "Entry of Jana Novakova as a sought person, case FR-" in page
    assert AuditEvent.objects.filter(event_type="subject_request.viewed", actor_label=world.dpo.username).exists()

    # carrying out before every item is decided is refused, nothing changes
    assert office.post(f"/subject-requests/{record.pk}/carry-out/").status_code == 400
    for item in record.items.all():
        decision = "no_action" if item.target_label == "oversight.Case" else "erase"
        url = f"/subject-requests/{record.pk}/items/{item.pk}/decide/"
        assert office.post(url, {"decision": decision, "reasons": "Case kept, named in court"}).status_code == 302
    # THE hold rule: while her sightings await their verifiers, nothing of hers is erased; the reason is shown
    refused = office.post(f"/subject-requests/{record.pk}/carry-out/")
    assert refused.status_code == 400
    words = refused.content.decode()
    assert "cannot be erased now" in words and "verification is in progress" in words
    assert Person.objects.filter(pk__in=jana_ids).count() == 2
    review(alerts[0], world.verifiers[1], "confirm")
    review(alerts[1], world.verifiers[0], "reject")
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(f"/subject-requests/{record.pk}/carry-out/").status_code == 302

    assert not Person.objects.filter(pk__in=jana_ids).exists()
    assert not Alert.objects.filter(pk__in=[a.pk for a in alerts]).exists()
    assert not ReferencePhoto.objects.filter(person_id__in=jana_ids).exists()
    assert Alert.objects.filter(pk=other.pk).exists()  # nobody else's data went
    record.refresh_from_db()
    assert record.status == "completed" and "Jana" not in record.subject_name and record.details == ""
    for case in (first, second):
        left = [p.full_name for p in case.persons.all()]
        assert not [n for n in left if n.startswith("Jana")]
    assert_nothing_left_of_jana(canaries)
    assert not [v for v in cached_values() if b"jana" in v.lower() or b"nov" in v.lower()]
    event = AuditEvent.objects.get(event_type="subject_request.carried_out")
    assert "Jana" not in event.data and '"oversight.Person":2' in event.data
    assert "Jana" not in "".join(AuditEvent.objects.values_list("data", flat=True))
    audits_verify_ok()


def cached_values() -> list[bytes]:
    """Every value in the shared cache (Redis in CI, local memory otherwise), raw."""
    backend = cache._cache
    if isinstance(backend, dict):
        return [bytes(v) if isinstance(v, bytes) else str(v).encode() for v in backend.values()]
    client = backend.get_client(None)
    return [client.get(k) or b"" for k in client.keys("*")]


def assert_nothing_left_of_jana(canaries):
    dump = database_dump()
    for word in (b"Jana", b"Nov\xc3\xa1kov\xc3\xa1", b"Novakova", b"Jana at the exit"):
        assert word not in dump, word
    for needle in canaries:
        assert needle.hex().encode() not in dump


def test_a_restriction_keeps_items_off_pages_and_apis_until_lifted(world, two_cases, client_for):
    first, _, alerts, other, _ = two_cases
    office = client_for(world.dpo)
    verifier = client_for(world.verifiers[1])
    office.post("/subject-requests/", {"kind": "restriction", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    for item in record.items.all():
        office.post(f"/subject-requests/{record.pk}/items/{item.pk}/decide/", {"decision": "restrict"})
    office.post(f"/subject-requests/{record.pk}/carry-out/")
    for client in (verifier, office, client_for(world.requester)):
        assert client.get(f"/alerts/{alerts[0].pk}/").status_code == 404
        listing = client.get("/api/alerts/").json()
        ids = {r["id"] for r in (listing["results"] if isinstance(listing, dict) else listing)}
        assert not ids & {a.pk for a in alerts}
    assert verifier.get(f"/alerts/{other.pk}/").status_code == 200
    owner = client_for(world.requester)
    assert "Jana Novakova" not in owner.get(f"/cases/{first.pk}/").content.decode()
    assert "Jana Novakova" not in json.dumps(owner.get(f"/api/cases/{first.pk}/").json())
    jana = alerts[0].person_id
    assert owner.get(f"/api/cases/{first.pk}/persons/{jana}/photos/").status_code == 404
    assert owner.get(f"/cases/{first.pk}/persons/{jana}/photos/").status_code == 404
    # held from retention, too
    retention_run()
    assert Alert.objects.filter(pk__in=[a.pk for a in alerts]).count() == 2
    item = DataSubjectRequestItem.objects.get(target_label="recognition.Alert", target_id=alerts[0].pk)
    assert office.post(f"/subject-requests/{record.pk}/items/{item.pk}/lift/", {"reason": ""}).status_code == 400
    office.post(f"/subject-requests/{record.pk}/items/{item.pk}/lift/", {"reason": "Court case closed"})
    person_item = DataSubjectRequestItem.objects.get(target_label="oversight.Person", target_id=alerts[0].person_id)
    office.post(f"/subject-requests/{record.pk}/items/{person_item.pk}/lift/", {"reason": "Court case closed"})
    assert verifier.get(f"/alerts/{alerts[0].pk}/").status_code == 200
    assert "Jana Novakova" in json.dumps(owner.get(f"/api/cases/{first.pk}/").json())


@pytest.mark.parametrize("who", ["requester", "verifiers", "judge", "outsider", "platform_admin"])
def test_only_the_office_sees_requests_and_deletion_records(world, two_cases, client_for, who):
    first = two_cases[0]
    client_for(world.dpo).post("/subject-requests/", {"kind": "access", "subject_name": "Jana Novakova"})
    record = DataSubjectRequest.objects.get()
    user = getattr(world, who)
    c = client_for(user[0] if isinstance(user, list) else user)
    assert c.get("/subject-requests/").status_code == 404
    assert c.get(f"/subject-requests/{record.pk}/").status_code == 404
    assert c.post(f"/subject-requests/{record.pk}/carry-out/").status_code == 404
    assert c.get(f"/cases/{first.pk}/deletions/").status_code == 404
    assert client_for(None).get("/subject-requests/").status_code == 302


def test_bad_input_is_refused_in_plain_words_and_nothing_is_written(world, client_for):
    office = client_for(world.dpo)
    response = office.post("/subject-requests/", {"kind": "erasure", "subject_name": "Jana"})
    assert response.status_code == 400 and "full name" in response.content.decode()
    assert not DataSubjectRequest.objects.exists()


def test_the_face_search_matches_templates_of_active_cases_only_and_drops_the_probe(
    world, two_cases, clock, monkeypatch, client_for, django_capture_on_commit_callbacks
):
    first, second, *_, photos = two_cases
    jana = first.persons.get(full_name="Jana Novakova")
    template = np.frombuffer(photos[jana.pk][1], dtype="<f8")
    monkeypatch.setattr(watchlists_registry, "_encoder", [lambda data, **kw: template + 0.001])
    from office import tasks

    queued = []
    monkeypatch.setattr(tasks.subject_face_search, "delay", lambda pk: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.dpo).post(
            "/subject-requests/",
            {"kind": "access", "subject_name": "Someone Else", "photo": _upload(b"\x89PNG probe bytes")},
        )
    assert response.status_code == 302
    record = DataSubjectRequest.objects.get()
    assert queued == [record.pk] and SubjectProbePhoto.objects.filter(request=record).exists()
    subject_face_search(request_id=record.pk)
    found = set(record.items.values_list("target_label", "target_id"))
    assert ("oversight.Person", jana.pk) in found and ("oversight.Case", first.pk) in found
    assert not SubjectProbePhoto.objects.exists()  # the probe face is gone once compared
    record.refresh_from_db()
    assert record.face_search == "done"

    # an ended case is not searched
    clock.move_to(END + timedelta(hours=1))
    monkeypatch.setattr(tasks.subject_face_search, "delay", lambda pk: None)
    from office.services.subject_requests import subject_request_record

    later = subject_request_record(actor=world.dpo, kind="access", subject_name="Someone Else", photo=b"probe")
    subject_face_search(request_id=later.pk)
    assert not later.items.exists()


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("me.png", content, content_type="image/png")
