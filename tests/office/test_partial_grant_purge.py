"""R9 for a partial grant: an urgent case granted without some of its persons deletes, as for a refusal, what the
urgent phase produced about the persons left out (alerts with crops and reviews, photos, templates, their entries);
the persons kept keep theirs."""

from datetime import timedelta

import pytest

from audits.models import AuditEvent
from office import tasks
from office.models import DeletionRecord
from office.services.retention import retention_run
from oversight import services
from oversight.models import Person
from recognition.models import Alert, AlertReview
from tests.office.retention_helpers import alert_for, audits_verify_ok, photo_for, review
from tests.oversight.factories import NOW, urgent_case
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent_with_two(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=20))
    jana, petr = case.persons.get(full_name="Jana Novakova"), case.persons.get(full_name="Petr Svoboda")
    for person in (jana, petr):
        photo_for(person, uploaded_by=world.requester)
    clock.move_to(NOW + timedelta(hours=1))
    alerts = {"jana": alert_for(case, person=jana, n=1), "petr": alert_for(case, person=petr, n=2)}
    review(alerts["petr"], world.verifiers[0], "confirm", note="Petr by the kiosk")
    services.case_submit(actor=world.requester, case=case)
    return case, jana, petr, alerts


def _grant_without_petr(world, case, jana):
    return services.case_decide(
        actor=world.judge, case=case, granted=True, reasons="Only Jana is justified.", person_ids=[jana.pk]
    )


def test_a_grant_excluding_a_person_purges_their_urgent_phase_data(
    world, urgent_with_two, monkeypatch, django_capture_on_commit_callbacks
):
    case, jana, petr, alerts = urgent_with_two
    ran = []
    monkeypatch.setattr(
        tasks.case_persons_purge, "delay", lambda pk, ids: ran.append((pk, ids)) or tasks.case_persons_purge(pk, ids)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _grant_without_petr(world, case, jana)
    assert ran == [(case.pk, [petr.pk])]
    assert not Person.objects.filter(pk=petr.pk).exists()
    assert not Alert.objects.filter(pk=alerts["petr"].pk).exists()
    assert not AlertReview.objects.filter(alert_id=alerts["petr"].pk).exists()
    assert not ReferencePhoto.objects.filter(person_id=petr.pk).exists()
    # Jana, authorised, keeps everything
    assert Alert.objects.filter(pk=alerts["jana"].pk).exists() and ReferencePhoto.objects.filter(person=jana).exists()
    event = AuditEvent.objects.get(event_type="case.persons_purged")
    assert f'"persons":[{petr.pk}]' in event.data and "Petr" not in event.data and "kiosk" not in event.data
    kinds = set(DeletionRecord.objects.filter(case=case, rule="oversight.urgency_purge").values_list("kind", flat=True))
    assert kinds == {"oversight.Person", "recognition.Alert", "recognition.AlertReview", "watchlists.ReferencePhoto"}
    # idempotent: a repeated task changes nothing
    assert tasks.case_persons_purge(case.pk, [petr.pk]) == {}
    audits_verify_ok()


def test_a_lost_partial_purge_is_swept_up_by_the_retention_run(world, urgent_with_two, monkeypatch):
    case, jana, petr, alerts = urgent_with_two
    monkeypatch.setattr(tasks.case_persons_purge, "delay", lambda pk, ids: None)  # the message was lost
    _grant_without_petr(world, case, jana)
    assert Person.objects.filter(pk=petr.pk).exists()
    assert retention_run()["oversight.urgency_purge"] == 1
    assert not Person.objects.filter(pk=petr.pk).exists() and not Alert.objects.filter(pk=alerts["petr"].pk).exists()
    assert Person.objects.filter(pk=jana.pk).exists()
    assert retention_run()["oversight.urgency_purge"] == 0


def test_a_narrowed_grant_of_a_case_that_never_ran_urgently_purges_nothing(world, clock):
    from tests.oversight.factories import submitted_case

    case = submitted_case(world)
    jana, petr = case.persons.get(full_name="Jana Novakova"), case.persons.get(full_name="Petr Svoboda")
    services.case_decide(actor=world.judge, case=case, granted=True, reasons="Only Jana.", person_ids=[jana.pk])
    assert retention_run()["oversight.urgency_purge"] == 0
    assert Person.objects.filter(pk=petr.pk, in_scope=False).exists()
