"""The camera registry, managed by platform administrators (R5: cases name specific cameras)."""

from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SOURCE_URL_SCHEMES = ("rtsp", "http", "https")


def validate_camera_source(value: str) -> None:
    """A video source is a file path or an rtsp://, http:// or https:// URL, nothing else.

    Refused: other schemes (file://, ftp://, javascript:...), URLs without a host,
    control characters (a newline in a path or URL is never legitimate and could
    smuggle options into the reader).
    """
    text = value or ""
    if not text.strip():
        raise ValidationError(_("Give a file path or an rtsp://, http:// or https:// URL."))
    if text != text.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError(_("The source must not contain spaces at its ends or control characters."))
    if "://" in text or (":" in text.split("/")[0] and not text.startswith("/")):
        parts = urlsplit(text)
        if parts.scheme.lower() not in SOURCE_URL_SCHEMES:
            raise ValidationError(
                _("Unsupported scheme %(scheme)r: use a file path or an rtsp://, http:// or https:// URL.")
                % {"scheme": parts.scheme}
            )
        if not parts.hostname:
            raise ValidationError(_("The URL must name a host."))
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValidationError(_("The URL has an invalid port.")) from None


class Camera(models.Model):
    name = models.CharField(max_length=100, unique=True)
    location_label = models.CharField(max_length=200)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    source = models.CharField(max_length=500, validators=[validate_camera_source])
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Health, written by the recognition workers (recognition issue).
    last_frame_at = models.DateTimeField(null=True, blank=True)
    analysed_fps = models.FloatField(null=True, blank=True)
    # Share of the frames sampling would analyse that went by while analysis was busy (bounded delay).
    skipped_share = models.FloatField(null=True, blank=True)
    # Share of the faces detected that were smaller than RECOGNITION_MIN_FACE_PX (tracked, never matched): high
    # when the camera is mounted too far from where people pass.
    too_small_share = models.FloatField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="camera_coordinates_both_or_neither",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="camera_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="camera_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name
