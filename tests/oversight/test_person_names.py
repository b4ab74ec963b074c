"""R3: only named, specific persons; catch-all categories are impossible to express. R20: categories."""

import pytest
from django.core.exceptions import ValidationError

from oversight import services
from oversight.models import Person, validate_named_person
from tests.oversight.factories import draft_case

REFUSED = [
    "persons of interest",
    "Persons Of Interest",
    "person of interest",
    "known hooligans",
    "Known  Hooligans",
    "football fans",
    "unknown",
    "Unknown person",
    "John Doe",
    "all suspects",
    "anyone",
    "Sparta fans",
    "members of the gang",
    "protesters",
    "people at the station",
    "Novak group",
    "suspects 1-5",
    "Jan*",
    "J% Novak",
    "Novak",  # a single word does not single out one person
    "",
    "   ",
]
ACCEPTED = [
    "Jana Novakova",
    "Lin-Manuel Miranda",
    "Barack Obama",
    "Seán O'Brien",
    "Jürgen Müller-Lüdenscheidt",
    "J. R. R. Tolkien",
    "Zdeněk Svěrák",
    "Мария Иванова",
]


@pytest.mark.parametrize("name", REFUSED)
def test_catch_all_and_vague_names_are_refused(name):
    with pytest.raises(ValidationError):
        validate_named_person(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_names_of_specific_people_are_accepted(name):
    validate_named_person(name)


@pytest.mark.django_db
def test_the_service_refuses_a_catch_all_entry_and_keeps_nothing(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    before = Person.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.case_person_add(
            actor=world.requester, case=case, full_name="Known hooligans", category="suspect", reason="Match day"
        )
    assert "full_name" in refused.value.message_dict
    assert "R3" in " ".join(refused.value.message_dict["full_name"])
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_a_person_needs_a_category_of_r20_and_a_reason(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    with pytest.raises(ValidationError) as refused:
        services.case_person_add(actor=world.requester, case=case, full_name="Ivo Maly", category="other", reason="")
    assert {"category", "reason"} <= set(refused.value.message_dict)
    assert set(Person.Category.values) == {"suspect", "convicted", "victim", "witness", "missing_person"}


@pytest.mark.django_db
def test_the_same_person_twice_on_a_case_is_refused(world):
    case = draft_case(world.requester, world.cameras, judge=world.judge, persons=(("Ivo Maly", "witness"),))
    with pytest.raises(ValidationError) as refused:
        services.case_person_add(
            actor=world.requester, case=case, full_name="ivo  maly", category="witness", reason="x"
        )
    assert "full_name" in refused.value.message_dict


@pytest.mark.django_db
def test_adding_and_removing_a_person_is_recorded_without_the_name(world):
    from audits.models import AuditEvent

    case = draft_case(world.requester, world.cameras, judge=world.judge)
    person = services.case_person_add(
        actor=world.requester, case=case, full_name="Marie Kralova", category="witness", reason="Saw it"
    )
    services.case_person_remove(actor=world.requester, case=case, person_id=person.pk)
    added = AuditEvent.objects.filter(event_type="person.added").last()
    removed = AuditEvent.objects.get(event_type="person.removed")
    assert added.data_dict == {"person_id": person.pk, "category": "witness"}
    assert removed.data_dict == {"person_id": person.pk}
    assert not AuditEvent.objects.filter(data__contains="Kralova").exists()
