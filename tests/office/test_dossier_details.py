"""The dossier's scope rows read as sentences: statuses, fields, cameras by name, persons by number, local times."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from audits.models import AuditEvent
from office.reports.dossier import case_dossier
from oversight import services
from tests.oversight.factories import START, submitted_case

pytestmark = pytest.mark.django_db


def _granted_narrowly(world):
    case = submitted_case(world)
    persons = list(case.persons.order_by("id").values_list("id", flat=True))
    services.case_decide(
        actor=world.judge,
        case=case,
        granted=True,
        reasons="Only the station, only in the morning.",
        start=START,
        end=START + timedelta(hours=5),
        person_ids=persons[:1],
        camera_ids=[world.cameras[1].pk],
    )
    return case, persons


def _rows(dossier, key):
    return next(s for s in dossier.sections if s.key == key).rows


def test_scope_rows_name_cameras_and_number_persons_in_local_time(world):
    case, persons = _granted_narrowly(world)
    dossier = case_dossier(case=case)
    details = {row[3]: row[4] for row in _rows(dossier, "scope")}
    approved = details["Case authorised"]
    local_end = date_format(timezone.localtime(START + timedelta(hours=5)), "DATETIME_FORMAT")
    assert f"cameras left out: {world.cameras[0].name}" in approved
    assert f"persons left out: person sought {persons[1]}" in approved
    assert f"authorised until: {local_end}" in approved
    assert "requested" in approved and "allowed" in approved
    assert "{" not in approved and "+00:00" not in approved and "_" not in approved
    assert details["Case submitted for authorisation"] == "Draft → Submitted for authorisation"
    scope = {row[0]: row[4] for row in _rows(dossier, "decisions")}["Scope allowed"]
    assert world.cameras[1].name in scope and f"person sought {persons[0]}" in scope
    assert "[" not in scope
    # No person's name anywhere in these rows (the dossier numbers persons).
    names = [person.full_name for person in case.persons.all()]
    assert not any(name in str(row) for name in names for row in _rows(dossier, "scope"))
    # The requested window in the display zone, like every other page.
    request = dict(_rows(dossier, "request"))
    assert "+00:00" not in "".join(str(v) for v in request.values())


def test_scope_rows_in_czech(world):
    case, persons = _granted_narrowly(world)
    approved_seq = AuditEvent.objects.get(event_type="case.approved").seq
    with translation.override("cs"):
        dossier = case_dossier(case=case)
    approved = next(row[4] for row in _rows(dossier, "scope") if row[0] == approved_seq)
    assert f"vynechané kamery: {world.cameras[0].name}" in approved
    assert f"vynechané osoby: hledaná osoba {persons[1]}" in approved
