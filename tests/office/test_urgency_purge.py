"""R9: an urgent use refused, withdrawn or lapsed before authorisation leaves nothing but audit events and counts."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from audits.models import AuditEvent
from office import tasks
from office.models import DeletionRecord
from office.services.retention import retention_run
from oversight import services
from oversight.models import Case
from recognition.models import Alert, AlertReview
from tests.office.retention_helpers import alert_for, assert_nothing_left, audits_verify_ok, photo_for, review
from tests.oversight.factories import NOW, urgent_case
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def produced(world, clock):
    """An urgent case that produced photos, templates, alerts with crops and a review."""
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    canaries = []
    for person in case.persons.all():
        photo, _ = photo_for(person, uploaded_by=world.requester)
        canaries.append(bytes(photo.encoding_blob))
    clock.move_to(NOW + timedelta(hours=2))
    alerts = [alert_for(case, n=n) for n in range(3)]
    review(alerts[0], world.verifiers[0], "confirm", note="Same scar on the left cheek")
    canaries += [bytes(Alert.objects.get(pk=a.pk).crop_blob) for a in alerts]
    services.case_submit(actor=world.requester, case=case)
    return case, [a.pk for a in alerts], tuple(canaries)


def visible_to(client, alert_ids) -> list[int]:
    page = client.get("/alerts/").content.decode()
    api = client.get("/api/alerts/").json()
    rows = api["results"] if isinstance(api, dict) else api
    shown = {r["id"] for r in rows} & set(alert_ids)
    shown |= {pk for pk in alert_ids if f"/alerts/{pk}/" in page}
    shown |= {pk for pk in alert_ids if client.get(f"/alerts/{pk}/").status_code == 200}
    return sorted(shown)


def test_a_refused_urgent_case_leaves_nothing_but_events_and_counts(
    world, produced, client_for, django_capture_on_commit_callbacks
):
    case, alert_ids, canaries = produced
    verifier, dpo = client_for(world.verifiers[1]), client_for(world.dpo)
    assert visible_to(verifier, alert_ids) == alert_ids

    services.case_decide(actor=world.judge, case=case, granted=False, reasons="No urgency was shown.")
    # the purge task has not run yet (its on_commit queue is not executed here): already nobody sees the alerts
    assert Alert.objects.filter(case=case).count() == 3
    assert visible_to(verifier, alert_ids) == [] and visible_to(dpo, alert_ids) == []

    with django_capture_on_commit_callbacks(execute=True):  # files go after commit
        counts = retention_run()  # the periodic safety net finds the purge not yet done
    assert counts["oversight.urgency_purge"] == 1
    assert not Alert.objects.filter(case=case).exists()
    assert not AlertReview.objects.filter(alert_id__in=alert_ids).exists()
    assert not ReferencePhoto.objects.filter(person__case=case).exists()
    assert_nothing_left(case, needles=canaries, words=("Same scar", "Jana Novakova", "Witness statements"))

    case = Case.objects.get(pk=case.pk)
    assert case.data_purged_at is not None
    event = AuditEvent.objects.get(event_type="case.data_purged", case_ref=case.reference)
    data = json.loads(event.data)
    assert data["counts"] == {
        "oversight.Case": 1,
        "oversight.Person": 2,
        "recognition.Alert": 3,
        "recognition.AlertReview": 1,
        "watchlists.ReferencePhoto": 2,
    }
    assert data["ids"]["recognition.Alert"] == alert_ids
    counts = {(r.kind, r.count) for r in DeletionRecord.objects.filter(case=case, rule="oversight.urgency_purge")}
    assert ("recognition.Alert", 3) in counts
    assert AuditEvent.objects.filter(case_ref=case.reference, event_type="case.denied").exists()
    # the office's page lists what went, by rule, and the leftover check finds nothing
    page = dpo.get(f"/cases/{case.pk}/deletions/").content.decode()
    assert "oversight.urgency_purge" in page and "recognition.Alert" in page and "Same scar" not in page
    out = StringIO()
    call_command("retention_leftovers", case.reference, stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["left"]["recognition.Alert"] == 0
    # idempotent: a second purge finds nothing to do and records nothing
    assert retention_run()["oversight.urgency_purge"] == 0
    assert AuditEvent.objects.filter(event_type="case.data_purged").count() == 1
    audits_verify_ok()


def test_the_purge_is_queued_when_the_withdrawal_commits(
    world, produced, monkeypatch, django_capture_on_commit_callbacks
):
    case, alert_ids, _ = produced
    ran = []
    monkeypatch.setattr(tasks.case_data_purge, "delay", lambda pk: ran.append(pk) or tasks.case_data_purge(pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_withdraw(actor=world.requester, case=case, reason="Found the child.")
    assert ran == [case.pk]
    assert not Alert.objects.filter(pk__in=alert_ids).exists()


def test_a_lapsed_urgent_case_is_purged_by_the_sweep(world, clock):
    case = urgent_case(world, end=NOW + timedelta(hours=48))
    clock.move_to(NOW + timedelta(hours=1))
    alert_for(case)
    clock.move_to(NOW + timedelta(hours=25))
    services.case_expire_due()
    retention_run()
    assert not Alert.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).data_purged_at is not None


def test_the_leftover_command_reports_what_is_still_there(world, produced):
    case = produced[0]
    with pytest.raises(SystemExit) as exit_:
        call_command("retention_leftovers", case.reference, stdout=StringIO())
    assert exit_.value.code == 1
