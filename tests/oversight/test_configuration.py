"""R1: objectives enabled by the administrator; the camera registry. Both audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audits.models import AuditEvent
from oversight import services
from oversight.models import Camera, Objective, validate_camera_source

pytestmark = pytest.mark.django_db


def test_the_three_objectives_of_r1_exist_and_are_enabled(objectives):
    assert sorted(Objective.objects.values_list("code", "enabled")) == [
        ("suspect", True),
        ("threat", True),
        ("victims", True),
    ]


def test_an_administrator_disables_and_enables_an_objective_and_it_is_recorded(world, client_for):
    client = client_for(world.platform_admin)
    response = client.post(reverse("api-objectives-disable", args=["suspect"]))
    assert response.status_code == 200 and response.json()["enabled"] is False
    client.post(reverse("api-objectives-disable", args=["suspect"]))  # again: nothing new
    response = client.post(reverse("oversight:objective_toggle", args=["suspect"]), {"enabled": "1"})
    assert response.status_code == 302
    events = AuditEvent.objects.filter(event_type="objective.changed").order_by("seq")
    assert [e.data_dict for e in events] == [
        {"code": "suspect", "enabled": False},
        {"code": "suspect", "enabled": True},
    ]
    assert events[0].actor_label == world.platform_admin.username


def test_nobody_else_changes_objectives(world):
    for user in (world.requester, world.judge, world.dpo, world.outsider):
        with pytest.raises(PermissionDenied):
            services.objective_set_enabled(actor=user, code="suspect", enabled=False)
    assert Objective.objects.get(pk="suspect").enabled


def test_an_unknown_objective_is_a_400_for_the_administrator(world, client_for):
    response = client_for(world.platform_admin).post(reverse("api-objectives-disable", args=["mass_surveillance"]))
    assert response.status_code == 400 and "objective" in response.json()


def test_camera_registration_through_the_api_is_recorded_without_the_source(world, client_for):
    response = client_for(world.platform_admin).post(
        reverse("api-cameras-create"),
        {
            "name": "Old Town Square",
            "location_label": "Astronomical clock",
            "latitude": "50.087000",
            "longitude": "14.420700",
            "source": "rtsp://operator:secret@10.2.0.9:554/live",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    camera = Camera.objects.get(name="Old Town Square")
    assert camera.latitude == Decimal("50.087000") and camera.enabled
    event = AuditEvent.objects.filter(event_type="camera.created").last()
    assert event.data_dict["camera_id"] == camera.pk and event.data_dict["source_kind"] == "rtsp"
    assert "secret" not in event.data


def test_camera_update_is_recorded_and_a_repeat_is_not(world):
    camera = world.cameras[0]
    services.camera_update(actor=world.platform_admin, camera=camera, enabled=False, location_label="Exit 1, north")
    services.camera_update(actor=world.platform_admin, camera=camera, enabled=False)
    events = AuditEvent.objects.filter(event_type="camera.updated")
    assert events.count() == 1
    assert sorted(events.get().data_dict["changed"]) == ["enabled", "location_label"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Camera 2"}, "name"),  # names are unique
        ({"source": "ftp://10.0.0.1/video"}, "source"),
        ({"source": "file:///etc/passwd"}, "source"),
        ({"source": "rtsp://"}, "source"),
        ({"source": "video.mp4\nrm -rf"}, "source"),
        ({"latitude": Decimal("91"), "longitude": Decimal("14")}, "latitude"),
        ({"latitude": Decimal("50")}, "longitude"),  # one coordinate without the other
    ],
)
def test_bad_camera_values_are_refused_naming_the_field(world, changes, field):
    camera = world.cameras[0]
    with pytest.raises(ValidationError) as refused:
        services.camera_update(actor=world.platform_admin, camera=camera, **changes)
    assert field in refused.value.message_dict
    camera.refresh_from_db()
    assert camera.name == "Camera 1" and camera.latitude is None


@pytest.mark.parametrize(
    "source",
    ["/srv/video/clip.mp4", "media/demo/short_hamilton_clip.mp4", "rtsp://10.0.0.5:554/h264", "https://cam.example/x"],
)
def test_file_paths_and_stream_urls_are_valid_sources(source):
    validate_camera_source(source)


def test_camera_pages_for_the_administrator(world, client_for):
    client = client_for(world.platform_admin)
    assert client.get(reverse("oversight:camera_list")).status_code == 200
    response = client.post(
        reverse("oversight:camera_create"), {"name": "Camera 1", "location_label": "x", "source": "rtsp://h/s"}
    )
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post(
        reverse("oversight:camera_edit", args=[world.cameras[0].pk]),
        {"name": "Camera 1", "location_label": "Main hall", "source": "rtsp://10.0.0.1:554/stream"},
    )
    # Disabling (an unticked box) asks for confirmation on a page of its own first; nothing changes yet.
    assert response.status_code == 200 and "Yes, disable the camera" in response.content.decode()
    assert Camera.objects.get(pk=world.cameras[0].pk).enabled
    response = client.post(
        reverse("oversight:camera_edit", args=[world.cameras[0].pk]),
        {
            "name": "Camera 1",
            "location_label": "Main hall",
            "source": "rtsp://10.0.0.1:554/stream",
            "confirm_disable": "1",
        },
    )
    assert response.status_code == 302
    camera = Camera.objects.get(pk=world.cameras[0].pk)
    assert camera.location_label == "Main hall" and not camera.enabled  # an unticked box disables


def test_requesters_see_cameras_but_not_their_sources(world, client_for):
    rows = client_for(world.requester).get(reverse("api-cameras-list")).json()
    assert rows and all("source" not in row for row in rows)
    rows = client_for(world.platform_admin).get(reverse("api-cameras-list")).json()
    assert all("source" in row for row in rows)
    page = client_for(world.requester).get(reverse("oversight:camera_list")).content.decode()
    assert "rtsp://" not in page
