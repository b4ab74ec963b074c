"""R5, R6: a decision may narrow the scope (shorter window, stricter threshold, fewer persons or
cameras), never widen it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case, Decision
from tests.oversight.factories import END, START, submitted_case

pytestmark = pytest.mark.django_db


def test_a_judge_narrows_every_dimension(world):
    case = submitted_case(world)
    persons = list(case.persons.order_by("id").values_list("id", flat=True))
    services.case_decide(
        actor=world.judge,
        case=case,
        granted=True,
        reasons="Only the station, only in the morning, only the missing person.",
        start=START + timedelta(hours=1),
        end=START + timedelta(hours=5),
        threshold=0.45,
        person_ids=persons[:1],
        camera_ids=[world.cameras[1].pk],
    )
    case.refresh_from_db()
    assert (case.status, case.approved_start, case.approved_end, case.approved_threshold) == (
        Case.Status.APPROVED,
        START + timedelta(hours=1),
        START + timedelta(hours=5),
        0.45,
    )
    assert list(case.persons.filter(in_scope=True).values_list("id", flat=True)) == persons[:1]
    assert list(case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True)) == [world.cameras[1].pk]
    decision = Decision.objects.get(case=case)
    assert decision.decided_by == world.judge and decision.requester == world.requester
    assert decision.scope_person_ids == persons[:1] and decision.scope_camera_ids == [world.cameras[1].pk]
    narrowed = AuditEvent.objects.get(event_type="case.approved").data_dict["narrowed"]
    assert set(narrowed) == {"start", "end", "threshold", "persons_excluded", "cameras_excluded"}
    assert narrowed["threshold"] == {"requested": case.match_threshold, "allowed": 0.45}
    assert narrowed["persons_excluded"] == persons[1:]
    assert narrowed["cameras_excluded"] == [world.cameras[0].pk]


def test_a_grant_as_requested_narrows_nothing(world):
    case = services.case_decide(
        actor=world.judge,
        case=submitted_case(world),
        granted=True,
        reasons="Necessary and proportionate for this search.",
    )
    assert (case.approved_start, case.approved_end, case.approved_threshold) == (START, END, case.match_threshold)
    assert AuditEvent.objects.get(event_type="case.approved").data_dict["narrowed"] == {}


@pytest.mark.parametrize(
    ("field", "scope", "words"),
    [
        ("start", {"start": START - timedelta(minutes=1)}, "only narrow"),
        ("end", {"end": END + timedelta(minutes=1)}, "only narrow"),
        ("threshold", {"threshold": "laxer"}, "only narrow"),
        ("person_ids", {"person_ids": "foreign"}, "only narrow"),
        ("camera_ids", {"camera_ids": "foreign"}, "only narrow"),
        ("person_ids", {"person_ids": []}, "at least one"),
        ("end", {"start": START + timedelta(hours=3), "end": START + timedelta(hours=2)}, "after the start"),
    ],
    ids=["earlier-start", "later-end", "laxer-threshold", "foreign-person", "other-camera", "no-person", "end<start"],
)
def test_widening_is_refused_naming_the_field_and_nothing_is_saved(world, field, scope, words):
    case = submitted_case(world)
    if scope.get("threshold") == "laxer":
        scope["threshold"] = case.match_threshold + 0.01
    if scope.get("person_ids") == "foreign":
        other = submitted_case(world, persons=(("Eva Horakova", "victim"),))
        scope["person_ids"] = [*case.persons.values_list("id", flat=True), other.persons.get().pk]
    if scope.get("camera_ids") == "foreign":
        scope["camera_ids"] = [world.cameras[0].pk, world.cameras[4].pk]  # [4] was never requested
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.case_decide(
            actor=world.judge, case=case, granted=True, reasons="Necessary and proportionate for this search.", **scope
        )
    assert words in " ".join(refused.value.message_dict[field])
    assert not Decision.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
    assert AuditEvent.objects.count() == events
    assert case.persons.filter(in_scope=False).count() == 0


def test_a_refusal_needs_reasons(world):
    case = submitted_case(world)
    with pytest.raises(ValidationError) as refused:
        services.case_decide(actor=world.judge, case=case, granted=False)
    assert "reasons" in refused.value.message_dict
    assert not Decision.objects.exists()


def test_only_the_assigned_judge_decides(world):
    case = submitted_case(world)
    with pytest.raises(PermissionDenied):
        services.case_decide(
            actor=world.second_judge, case=case, granted=True, reasons="Necessary and proportionate for this search."
        )
    assert not Decision.objects.exists()
