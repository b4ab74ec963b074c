"""An encounter: the sightings of one person on one case that follow each other within the configured gap, on any
camera, shown to verifiers together; each sighting keeps its own two reviews (R14)."""

from datetime import timedelta

import pytest

from recognition import selectors, services
from recognition.models import Alert
from tests.recognition.conftest import ALEX, LIN, START, make_case, person_id
from tests.recognition.test_scan_storage import one_batch


@pytest.fixture
def sightings(w, clock, settings):
    settings.RECOGNITION_ENCOUNTER_GAP_MINUTES = 10
    case = make_case(w, people=(LIN, ALEX))
    lin, alex = person_id(case, LIN[0]), person_id(case, ALEX[0])
    clock.move_to(START + timedelta(hours=1))
    scans = {camera.pk: services.scan_start(camera_id=camera.pk) for camera in w.cameras[:2]}
    made = {}
    for name, person, camera, minutes in (
        ("lin_a", lin, w.cameras[0], 1),
        ("lin_b", lin, w.cameras[1], 9),  # 8 minutes later, on the other camera: the same encounter
        ("alex", alex, w.cameras[0], 5),  # another person: never in Lin's encounter
        ("lin_c", lin, w.cameras[0], 30),  # 21 minutes after the last: a new encounter
    ):
        at = START + timedelta(minutes=minutes)
        services.scan_batch_commit(scan_id=scans[camera.pk].pk, batch=one_batch(case, person, at, camera_id=camera.pk))
        made[name] = Alert.objects.get(person_id=person, camera=camera, captured_at=at)
    return made


def _encounter(alert, minutes=10):
    return [a.pk for a in selectors.alert_encounter(alert=alert, gap=timedelta(minutes=minutes))]


def test_an_encounter_groups_exactly_one_persons_sightings_within_the_gap_across_cameras(sightings):
    lin_a, lin_b, lin_c, alex = (sightings[k] for k in ("lin_a", "lin_b", "lin_c", "alex"))
    assert _encounter(lin_a) == _encounter(lin_b) == [lin_a.pk, lin_b.pk]
    assert _encounter(lin_c) == [lin_c.pk]
    assert _encounter(alex) == [alex.pk]
    assert _encounter(lin_a, minutes=30) == [lin_a.pk, lin_b.pk, lin_c.pk]  # the gap is the setting's


def test_the_verification_screen_shows_the_encounter_and_each_sighting_keeps_its_own_reviews(w, sightings, client_for):
    lin_a, lin_b, lin_c = (sightings[k] for k in ("lin_a", "lin_b", "lin_c"))
    client = client_for(w.verifiers[0])
    page = client.get(f"/alerts/{lin_a.pk}/").content.decode()
    assert 'class="encounter"' in page and f'href="/alerts/{lin_b.pk}/"' in page
    assert f'href="/alerts/{lin_c.pk}/">' not in page.split('class="encounter"')[1].split("</table>")[0]
    assert 'class="encounter"' not in client.get(f"/alerts/{lin_c.pk}/").content.decode()
    for verifier in w.verifiers:
        services.alert_review(actor=verifier, alert=lin_a, verdict="confirm")
    lin_a.refresh_from_db()
    lin_b.refresh_from_db()
    assert lin_a.status == Alert.Status.VERIFIED and lin_b.status == Alert.Status.NEW
    assert not lin_b.reviews.exists()


def test_a_continuation_is_shown_beside_the_sighting_it_continues(w, sightings, client_for, clock):
    """The screen says which sighting the reviews apply to (R16)."""
    lin_a = sightings["lin_a"]
    services.alert_review(actor=w.verifiers[0], alert=lin_a, verdict="confirm")
    continuation = Alert.objects.create(
        case=lin_a.case,
        person=lin_a.person,
        camera=lin_a.camera,
        continues=lin_a,
        captured_at=lin_a.captured_at + timedelta(seconds=2),
        frame_key=1,
        distance=lin_a.distance,
        threshold=lin_a.threshold,
        watchlist_version="v1",
    )
    client = client_for(w.verifiers[1])
    page = client.get(f"/alerts/{continuation.pk}/").content.decode()
    assert f"This alert continues alert {lin_a.pk}" in page
    assert "The reviews on this page apply to this continuation only" in page
    assert 'class="crop earlier"' in page  # no closer view of its own: the reviewed image, said to be so
    earlier = client.get(f"/alerts/{lin_a.pk}/").content.decode()
    assert f"the later frames are in alert {continuation.pk}, reviewed on its own" in earlier
