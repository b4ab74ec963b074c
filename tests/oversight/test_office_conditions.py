"""The office's opinion as rules (R5, R10, R13): hours, days, the longest use and the laxest threshold recorded as
fields; drafts and grants outside them refused with the condition named; the gate analyses no frame outside the
hours and days; free-text conditions ticked one by one by the judge before a grant."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.models import AuditEvent
from oversight import services
from oversight.models import Case, Deployment
from oversight.selectors import case_scopes_for_camera
from tests.oversight.factories import END, NOW, START, draft_case, submitted_case

pytestmark = pytest.mark.django_db
PRAGUE_OFFSET = timedelta(hours=1)  # March 2026: CET, the display zone


def _rules(world, **rules):
    deployment = Deployment.objects.get()
    values = {
        "opinion": "conditional",
        "given_on": timezone.localdate() - timedelta(days=3),
        "conditions": "Signs at every entrance.\nNo use during public demonstrations.",
    } | rules
    return services.deployment_record_opinion(actor=world.dpo, deployment=deployment, **values)


def test_the_conditions_are_recorded_as_fields_and_in_the_audit_trail(world):
    deployment = _rules(world, hours_from=time(6), hours_until=time(22), weekdays="5,4,3,2,1", max_duration_hours=30)
    assert (deployment.hours_from, deployment.hours_until, deployment.weekdays) == (time(6), time(22), "12345")
    assert deployment.listed_conditions == ["Signs at every entrance.", "No use during public demonstrations."]
    event = AuditEvent.objects.filter(event_type="deployment.opinion_recorded").latest("seq").data_dict
    assert event["rules"]["hours_from"] == "06:00:00" and event["rules"]["max_duration_hours"] == 30


@pytest.mark.parametrize(
    ("rules", "field", "words"),
    [
        ({"hours_from": time(6)}, "hours_until", "Give both times of day, or neither."),
        ({"hours_from": time(6), "hours_until": time(6)}, "hours_until", "The two times of day must differ."),
        ({"weekdays": "18"}, "weekdays", "from 1 (Monday) to 7 (Sunday)"),
        ({"max_threshold": 1.5}, "max_threshold", "between 0 and 1"),
        ({"opinion": "favourable", "max_duration_hours": 8}, "opinion", "with a favourable opinion with conditions"),
    ],
)
def test_wrong_conditions_are_refused_in_plain_words_and_nothing_is_written(world, rules, field, words):
    before = Deployment.objects.values().get()
    with pytest.raises(ValidationError) as refused:
        _rules(world, **rules)
    assert any(words in message for message in refused.value.message_dict[field])
    assert Deployment.objects.values().get() == before


def test_a_draft_longer_or_laxer_than_the_office_allows_cannot_be_submitted(world):
    _rules(world, max_duration_hours=12, max_threshold=0.45)
    case = draft_case(world.requester, world.cameras, judge=world.judge)  # 24 hours, threshold 0.5 by default
    with pytest.raises(ValidationError) as refused:
        services.case_submit(actor=world.requester, case=case)
    messages = " ".join(refused.value.message_dict["cameras"])
    assert "City centre pilot" in messages and "a use of at most 12 hours" in messages
    assert "a match threshold of at most 0.45" in messages
    assert Case.objects.get(pk=case.pk).status == Case.Status.DRAFT


def test_a_grant_outside_the_conditions_is_refused_naming_the_condition_and_a_narrower_one_passes(world):
    case = submitted_case(world)
    _rules(world, max_duration_hours=12)  # a revised opinion, after submission
    decide = {"actor": world.judge, "case": case, "granted": True, "reasons": "Necessary and proportionate."}
    with pytest.raises(ValidationError) as refused:
        services.case_decide(**decide)
    assert "a use of at most 12 hours" in " ".join(refused.value.message_dict["camera_ids"])
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
    granted = services.case_decide(**decide, end=START + timedelta(hours=12))
    assert granted.status == Case.Status.APPROVED


@pytest.mark.parametrize(
    ("hours", "weekdays", "local_at", "active"),
    [
        ((time(6), time(22)), "", "Mon 10:00", True),
        ((time(6), time(22)), "", "Mon 22:00", False),  # the end of the hours is outside them
        ((time(6), time(22)), "", "Tue 05:59", False),
        ((time(22), time(6)), "", "Mon 23:30", True),  # nights only, across midnight
        ((time(22), time(6)), "", "Tue 05:30", True),
        ((time(22), time(6)), "", "Mon 12:00", False),
        ((None, None), "2", "Mon 12:00", False),  # Tuesdays only
        ((None, None), "2", "Tue 09:30", True),
    ],
)
def test_the_gate_analyses_nothing_outside_the_offices_hours_and_days(world, hours, weekdays, local_at, active):
    case = submitted_case(world)
    services.case_decide(actor=world.judge, case=case, granted=True, reasons="Necessary and proportionate.")
    _rules(world, hours_from=hours[0], hours_until=hours[1], weekdays=weekdays)
    day, clock = local_at.split()
    hour, minute = (int(part) for part in clock.split(":"))
    monday_local = NOW.replace(hour=0, minute=0)  # NOW is Monday 2 March 2026
    at = monday_local + timedelta(days=1 if day == "Tue" else 0, hours=hour, minutes=minute) - PRAGUE_OFFSET
    assert START <= at < END
    assert bool(case_scopes_for_camera(camera=world.cameras[0], at=at)) is active


def test_an_unfavourable_revision_stops_the_gate(world):
    case = submitted_case(world)
    services.case_decide(actor=world.judge, case=case, granted=True, reasons="Necessary and proportionate.")
    assert case_scopes_for_camera(camera=world.cameras[0], at=START)
    _rules(world, opinion="unfavourable", conditions="")
    assert case_scopes_for_camera(camera=world.cameras[0], at=START) == []


def test_the_judge_ticks_each_free_text_condition_before_granting(world, client_for):
    case = submitted_case(world)
    _rules(world, hours_from=time(6), hours_until=time(22))
    client = client_for(world.judge)
    page = client.get(f"/cases/{case.pk}/decide/").content.decode()
    assert "processing only from 06:00 to 22:00" in page and "Signs at every entrance." in page
    form = {
        "granted": "yes",
        "reasons": "Necessary and proportionate.",
        "start": "2026-03-02T10:00",
        "end": "2026-03-03T10:00",
        "threshold": "0.5",
        "persons": list(case.persons.values_list("pk", flat=True)),
        "cameras": list(case.case_cameras.values_list("camera_id", flat=True)),
        "conditions": ["0"],
    }
    answer = client.post(f"/cases/{case.pk}/decide/", form)
    assert answer.status_code == 400 and "Confirm each of the office" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
    answer = client.post(f"/cases/{case.pk}/decide/", form | {"conditions": ["0", "1"]})
    assert answer.status_code == 302 and Case.objects.get(pk=case.pk).status == Case.Status.APPROVED
