"""Cameras (the registry, managed by platform_admin), the scans that analyse them, and their alerts."""

from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

SOURCE_URL_SCHEMES = ("rtsp", "http", "https")


def validate_camera_source(value: str) -> None:
    """A video source is a file path or an rtsp://, http:// or https:// URL, nothing else.

    Refused: other schemes (file://, ftp://, javascript:...), URLs without a host,
    control characters (a newline in a path or URL is never legitimate and could
    smuggle options into the reader).
    """
    text = value or ""
    if not text.strip():
        raise ValidationError("Give a file path or an rtsp://, http:// or https:// URL.")
    if text != text.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError("The source must not contain spaces at its ends or control characters.")
    if "://" in text or (":" in text.split("/")[0] and not text.startswith("/")):
        parts = urlsplit(text)
        if parts.scheme.lower() not in SOURCE_URL_SCHEMES:
            raise ValidationError(
                f"Unsupported scheme {parts.scheme!r}: use a file path or an rtsp://, http:// or https:// URL."
            )
        if not parts.hostname:
            raise ValidationError("The URL must name a host.")
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ValidationError("The URL has an invalid port.") from None


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


class ScanStopReason(models.TextChoices):
    CASE_ENDED = "case_ended", "The case's window ended"
    REVOKED = "revoked", "The case was revoked"
    NO_SCOPE = "no_scope", "No case covers the camera"
    GATE_ERROR = "gate_error", "The gate could not be asked (fail closed)"
    SOURCE_ERROR = "source_error", "The video source failed"
    SOURCE_ENDED = "source_ended", "The video file ended"
    SEGMENT_END = "segment_end", "Segment finished; the dispatcher requeues"
    WORKER_LOST = "worker_lost", "The worker stopped sending heartbeats"
    CAMERA_DISABLED = "camera_disabled", "The camera was disabled"
    ERROR = "error", "Unexpected error"


class Scan(models.Model):
    """One worker's lease on one camera: a segment of analysis (R16: start, end, counts).

    The row is the lease: at most one running scan (stopped_at null) per camera, enforced
    by a partial unique index, so two workers can never analyse the same camera at once.
    A worker that dies leaves a running row whose heartbeat goes stale; the dispatcher
    closes it (worker_lost) and queues a new scan.
    """

    StopReason = ScanStopReason

    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="scans")
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=20, choices=ScanStopReason.choices, blank=True)
    stop_detail = models.TextField(blank=True)
    last_heartbeat_at = models.DateTimeField()
    last_frame_at = models.DateTimeField(null=True, blank=True)
    frames_read = models.PositiveIntegerField(default=0)
    frames_analysed = models.PositiveIntegerField(default=0)
    faces_seen = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["camera"], condition=models.Q(stopped_at__isnull=True), name="scan_one_running_per_camera"
            ),
            models.CheckConstraint(
                condition=models.Q(stopped_at__isnull=True) | ~models.Q(stop_reason=""),
                name="scan_stopped_has_reason",
            ),
        ]

    def __str__(self):
        return f"scan {self.pk} of camera {self.camera_id}"


class AlertStatus(models.TextChoices):
    NEW = "new", "New: awaiting two verifications"
    VERIFIED = "verified", "Verified by two people (R14)"
    REJECTED = "rejected", "Rejected by a verifier"


class Alert(models.Model):
    """A match of a watchlist person on a camera frame: information for a human (R15).

    Unique per (case, person, camera, frame_key) so a retried batch never duplicates one.
    ``frame_key`` is the capture instant in milliseconds since the epoch; ``frame_index``
    is the frame's position in the source as the scan read it (the input that led to
    the match, R16). The crop (other faces blurred) is AES-256-GCM encrypted with
    aad ``recognition.Alert:<pk>:crop``.
    """

    Status = AlertStatus

    case = models.ForeignKey("oversight.Case", on_delete=models.PROTECT, related_name="alerts")
    # Erasing a person (R21) erases the alerts about them.
    person = models.ForeignKey("watchlists.Person", on_delete=models.CASCADE, related_name="alerts")
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="alerts")
    scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    captured_at = models.DateTimeField()
    frame_key = models.BigIntegerField()
    frame_index = models.PositiveIntegerField(default=0)
    distance = models.FloatField()
    threshold = models.FloatField()
    watchlist_version = models.CharField(max_length=64)
    crop_blob = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.NEW)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-captured_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "camera", "frame_key"], name="alert_unique_per_frame"),
            models.CheckConstraint(condition=models.Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(
                condition=models.Q(distance__lte=models.F("threshold")), name="alert_within_threshold"
            ),
        ]

    def __str__(self):
        return f"alert {self.pk} ({self.case_id}/{self.person_id})"

    def aad(self, field: str) -> bytes:
        return f"recognition.Alert:{self.pk}:{field}".encode()


class AlertReview(models.Model):
    """One person's verification of an alert (R14): two different people must confirm."""

    class Verdict(models.TextChoices):
        CONFIRM = "confirm", "Confirmed: it is the person sought"
        REJECT = "reject", "Rejected: not the person sought"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_reviews")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert_id", "id"]
        constraints = [
            # R14: never the same person twice.
            models.UniqueConstraint(fields=["alert", "reviewer"], name="alert_review_one_per_person"),
            models.CheckConstraint(condition=models.Q(verdict__in=["confirm", "reject"]), name="alert_review_verdict"),
        ]

    def __str__(self):
        return f"{self.verdict} of alert {self.alert_id} by {self.reviewer_id}"
