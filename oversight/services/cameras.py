"""The camera registry, kept by platform administrators: cases may name only its enabled cameras (R5)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Camera

CAMERA_FIELDS = ("name", "location_label", "latitude", "longitude", "source", "enabled")


def _source_kind(source: str) -> str:
    # The source itself may hold stream credentials: the audit records its kind only.
    return source.split("://", 1)[0].lower() if "://" in source else "file"


def _clean_camera(camera: Camera) -> None:
    try:
        camera.full_clean(
            exclude=[
                "created_at",
                "last_frame_at",
                "analysed_fps",
                "skipped_share",
                "too_small_share",
                "last_error",
                "last_error_at",
            ]
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def camera_create(
    *,
    actor,
    name: str,
    location_label: str,
    source: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    enabled: bool = True,
) -> Camera:
    """Register a camera (platform_admin). Side effects: CAMERA_CREATED (never the source URL itself)."""
    if not actor.has_perm("oversight.add_camera"):
        raise PermissionDenied(_("Only platform administrators register cameras."))
    camera = Camera(
        name=(name or "").strip(),
        location_label=(location_label or "").strip(),
        source=source or "",
        latitude=latitude,
        longitude=longitude,
        enabled=enabled,
    )
    _check_coordinates(camera)
    _clean_camera(camera)
    with transaction.atomic():
        camera.save()
        audit_record(
            actor=actor,
            event_type=EventType.CAMERA_CREATED,
            target_ref=camera,
            data={
                "camera_id": camera.pk,  # the name is the camera's, read from it (no typed text in events)
                "enabled": camera.enabled,
                "source_kind": _source_kind(camera.source),
            },
        )
    return camera


def _check_coordinates(camera: Camera) -> None:
    if (camera.latitude is None) != (camera.longitude is None):
        field = "longitude" if camera.longitude is None else "latitude"
        raise ValidationError({field: [_("Give both coordinates, or neither.")]})


def camera_update(*, actor, camera: Camera, **changes) -> Camera:
    """Change a camera (platform_admin). Disabling it closes the gate for it at once.

    Side effects: CAMERA_UPDATED naming the changed fields. Nothing changed: no event.
    """
    if not actor.has_perm("oversight.change_camera"):
        raise PermissionDenied(_("Only platform administrators change cameras."))
    unknown = set(changes) - set(CAMERA_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        changed = []
        for name, value in changes.items():
            if isinstance(value, str) and name != "source":
                value = value.strip()
            if getattr(camera, name) != value:
                setattr(camera, name, value)
                changed.append(name)
        if not changed:
            return camera
        _check_coordinates(camera)
        _clean_camera(camera)
        camera.save(update_fields=changed)
        audit_record(
            actor=actor,
            event_type=EventType.CAMERA_UPDATED,
            target_ref=camera,
            data={
                "camera_id": camera.pk,
                "changed": changed,
                "enabled": camera.enabled,
                "source_kind": _source_kind(camera.source),
            },
        )
    return camera


def camera_health_record(
    *,
    camera_id: int,
    last_frame_at=None,
    analysed_fps: float | None = None,
    skipped_share: float | None = None,
    too_small_share: float | None = None,
    error: str | None = None,
) -> None:
    """Recognition workers report how a camera is doing: the last frame analysed and the analysed frame rate,
    or an error (which stays until a later report without one clears it). Operational data, not personal: no
    audit event (the scans record their own)."""
    if error is not None:
        Camera.objects.filter(pk=camera_id).update(last_error=error[:2000], last_error_at=timezone.now())
        return
    Camera.objects.filter(pk=camera_id).update(
        last_frame_at=last_frame_at,
        analysed_fps=analysed_fps,
        skipped_share=skipped_share,
        too_small_share=too_small_share,
        last_error="",
        last_error_at=None,
    )
