"""THE hold rule (oversight.holds) against every deletion path: each hold × each path, plus the control without a hold.

Holds: a restriction (of the person: it reaches their photos and alerts), an open request, a review in progress
(one verdict, the second awaited), a sighting under verification (its person's reference photo stays for the
verifiers, R12). Paths: the retention run (R19), an erasure (R21), the urgency purge (R9: nothing holds it, the law
orders the deletion), the destruction of the watchlist (the retention run's photo rule, now its only path).
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from office import tasks
from office.services.retention import retention_run
from office.services.subject_requests import (
    subject_request_carry_out,
    subject_request_item_decide,
    subject_request_items_decide,
    subject_request_record,
)
from oversight import services
from oversight.holds import HOLDS_BY_CODE, DeletionPath
from recognition.models import Alert
from tests.office.retention_helpers import alert_for, photo_for, review
from tests.oversight.factories import END, NOW, START, approved_case, urgent_case
from watchlists.models import ReferencePhoto

pytestmark = pytest.mark.django_db

HOLDS = ("none", "restriction", "open_request", "review_in_progress", "sighting_under_verification")
PATHS = ("retention", "erasure", "urgency_purge", "watchlist_destruction")
# Stated here, in words a reviewer can check, and compared with the declaration below.
KEPT = {
    ("restriction", "retention"),
    ("restriction", "erasure"),
    ("restriction", "watchlist_destruction"),
    ("open_request", "retention"),
    ("open_request", "erasure"),
    ("open_request", "watchlist_destruction"),
    ("review_in_progress", "retention"),
    ("review_in_progress", "erasure"),
    ("review_in_progress", "watchlist_destruction"),  # its sighting awaits the second verifier: the photo stays
    ("sighting_under_verification", "retention"),
    ("sighting_under_verification", "erasure"),
    ("sighting_under_verification", "watchlist_destruction"),
}


def test_the_expectations_agree_with_the_one_declaration():
    paths = {"retention": DeletionPath.RETENTION, "erasure": DeletionPath.ERASURE}
    paths |= {"urgency_purge": DeletionPath.URGENCY_PURGE, "watchlist_destruction": DeletionPath.RETENTION}
    for hold in HOLDS[1:]:
        for path in PATHS:
            assert ((hold, path) in KEPT) == (paths[path] in HOLDS_BY_CODE[hold].paths), (hold, path)


def _office_request(world, kind: str, *, restrict_person: bool = False):
    request = subject_request_record(actor=world.dpo, kind=kind, subject_name="Jana Novakova")
    if restrict_person:
        subject_request_items_decide(actor=world.dpo, request=request, decision="no_action", reasons="Not asked")
        person = request.items.get(target_label="oversight.Person")
        subject_request_item_decide(actor=world.dpo, item=person, decision="restrict")
        subject_request_carry_out(actor=world.dpo, request=request)
    return request


def _scenario(world, clock, hold: str, *, urgent: bool):
    """A case seeking Jana (with a reference photo) and one sighting of her, held (or not) by `hold`.
    Returns the case, Jana's alert and Jana's photo."""
    case = urgent_case(world, end=NOW + timedelta(hours=20)) if urgent else approved_case(world)
    jana = case.persons.get(full_name="Jana Novakova")
    photo, _ = photo_for(jana, uploaded_by=world.requester)
    clock.move_to((NOW if urgent else START) + timedelta(hours=1))
    alert = alert_for(case, person=jana, n=1)
    if hold == "review_in_progress":
        review(alert, world.verifiers[0], "confirm")
    elif hold != "sighting_under_verification":
        review(alert, world.verifiers[0], "reject")  # a closed sighting: nothing of its own holds it or the photo
    if hold == "restriction":
        _office_request(world, "restriction", restrict_person=True)
    elif hold == "open_request":
        _office_request(world, "access")
    return case, alert, photo


def _erase(world, label: str, pk: int) -> None:
    """An erasure request about Jana: erase the one item, nothing else (the case is running)."""
    request = subject_request_record(actor=world.dpo, kind="erasure", subject_name="Jana Novakova")
    subject_request_items_decide(actor=world.dpo, request=request, decision="no_action", reasons="Only this item")
    item = request.items.get(target_label=label, target_id=pk)
    subject_request_item_decide(actor=world.dpo, item=item, decision="erase")
    subject_request_carry_out(actor=world.dpo, request=request)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("hold", HOLDS)
def test_each_hold_against_each_deletion_path(
    world, clock, settings, hold, path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.RETENTION_REJECTED_ALERT_DAYS = 0
    settings.RETENTION_UNREVIEWED_ALERT_DAYS = 0
    settings.WATCHLIST_RETENTION_HOURS_AFTER_END = 0
    case, alert, photo = _scenario(world, clock, hold, urgent=path == "urgency_purge")
    # What the hold protects: the photo (sightings awaiting verifiers; and the watchlist path), else the alert.
    if hold == "sighting_under_verification" or path == "watchlist_destruction":
        model, label, target = ReferencePhoto, "watchlists.ReferencePhoto", photo.pk
    else:
        model, label, target = Alert, "recognition.Alert", alert.pk

    if path in ("retention", "watchlist_destruction"):
        clock.move_to(END + timedelta(days=1))  # due by every rule involved; verification windows still open
        retention_run()
    elif path == "erasure":
        refused = None
        try:
            _erase(world, label, target)
        except ValidationError as exc:
            refused = " ".join(exc.messages)
        assert (refused is not None) == ((hold, path) in KEPT)
        if refused:
            assert "cannot be erased now" in refused and str(HOLDS_BY_CODE[hold].reason) in refused
    else:
        services.case_submit(actor=world.requester, case=case)
        monkeypatch.setattr(tasks.case_data_purge, "delay", tasks.case_data_purge)  # the task, run in place
        with django_capture_on_commit_callbacks(execute=True):
            services.case_decide(actor=world.judge, case=case, granted=False, reasons="Not proportionate.")
    assert model.objects.filter(pk=target).exists() == ((hold, path) in KEPT)


def test_an_erasure_never_touches_the_legal_record_of_a_running_case(world, clock):
    case = approved_case(world)
    clock.move_to(START + timedelta(hours=1))
    request = subject_request_record(actor=world.dpo, kind="erasure", subject_name="Jana Novakova")
    subject_request_items_decide(actor=world.dpo, request=request, decision="erase")
    with pytest.raises(ValidationError) as refused:
        subject_request_carry_out(actor=world.dpo, request=request)
    assert "has not ended: its legal record (legal basis, reasons, impact assessment) is kept" in str(refused.value)
    case.refresh_from_db()
    assert case.legal_basis == "Police Act s. 42(1)" and case.impact_assessment and case.text_reduced_at is None
    assert case.persons.filter(full_name="Jana Novakova").exists()  # refused as a whole: nothing changed
    request.refresh_from_db()
    assert request.status == "open"

    # After the case's end the same erasure goes through (its record reduced to row and counts).
    clock.move_to(END + timedelta(hours=1))
    subject_request_carry_out(actor=world.dpo, request=request)
    case.refresh_from_db()
    assert case.text_reduced_at is not None and "Police Act" not in case.legal_basis and not case.impact_assessment
    assert not case.persons.filter(full_name="Jana Novakova").exists()
