"""Scans that analyse cameras, and their alerts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oversight.models.text import FREE_TEXT_MAX_LENGTH


class ScanStopReason(models.TextChoices):
    CASE_ENDED = "case_ended", _("The case's window ended")
    REVOKED = "revoked", _("The case was revoked")
    NO_SCOPE = "no_scope", _("No case covers the camera")
    GATE_ERROR = "gate_error", _("The gate could not be asked (fail closed)")
    SOURCE_ERROR = "source_error", _("The video source failed")
    SOURCE_ENDED = "source_ended", _("The video file ended")
    SEGMENT_END = "segment_end", _("Segment finished; the dispatcher requeues")
    WORKER_LOST = "worker_lost", _("The worker stopped sending heartbeats")
    WORKER_STOPPING = "worker_stopping", _("The worker was shut down")
    CAMERA_DISABLED = "camera_disabled", _("The camera was disabled")
    ERROR = "error", _("Unexpected error")


class Scan(models.Model):
    """One worker's lease on one camera: a segment of analysis (R16: start, end, counts).

    The row is the lease: at most one running scan (stopped_at null) per camera, enforced
    by a partial unique index, so two workers can never analyse the same camera at once.
    A worker that dies leaves a running row whose heartbeat goes stale; the dispatcher
    closes it (worker_lost) and queues a new scan.
    """

    StopReason = ScanStopReason

    camera = models.ForeignKey("oversight.Camera", on_delete=models.PROTECT, related_name="scans")
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
        # Operating periods are built per camera in time order over tens of thousands of segments (recognition.reports).
        indexes = [models.Index(fields=["camera", "started_at", "id"], name="scan_camera_started_idx")]
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
    NEW = "new", _("New: awaiting two verifications")
    VERIFIED = "verified", _("Verified by two people")
    REJECTED = "rejected", _("Rejected by a verifier")


class AlertOutcome(models.TextChoices):
    """What happened after a verified alert (R23: the outcomes a deployment record reports)."""

    NO_ACTION = "no_action", _("No action")
    ENGAGED = "engaged", _("Person engaged by officers")
    ARRESTED = "arrested", _("Arrested")
    OTHER = "other", pgettext_lazy("alert outcome", "Other")


class Alert(models.Model):
    """One SIGHTING: a sought person of one case seen on one camera, continuously or with gaps of at most
    RECOGNITION_SIGHTING_GAP_SECONDS (issue 10). One alert per sighting, information for a human (R14, R15).

    Unique per (case, person, camera, frame_key) where ``frame_key`` is the first capture instant in
    milliseconds: the sighting's stable key, so a retried batch or a redelivered task never duplicates one.
    While the person stays in view the row is updated (last seen, frames matched, best distance and crop)
    instead of raising new alerts; ``closed_at`` is set when the sighting ends. ``frame_index`` is the first
    matched frame and ``frames`` the matched frame indexes (the input that led to the match, R16). The crop is
    the best view, every other face blurred, AES-256-GCM encrypted with aad ``recognition.Alert:<pk>:crop``.

    Evidence is frozen at the first review (R14, R16): once anyone has reviewed a sighting, its crop, distance,
    best frame and frames never change. Frames the camera matches later go to a CONTINUATION, a new alert whose
    ``continues`` points at the reviewed one and which is reviewed in its turn.
    """

    Status = AlertStatus
    Outcome = AlertOutcome

    case = models.ForeignKey("oversight.Case", on_delete=models.PROTECT, related_name="alerts")
    # Erasing a person (R21) erases the alerts about them.
    person = models.ForeignKey("oversight.Person", on_delete=models.CASCADE, related_name="alerts")
    camera = models.ForeignKey("oversight.Camera", on_delete=models.PROTECT, related_name="alerts")
    scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    # The reviewed sighting this one carries on (same person, case and camera, later frames of the same track).
    continues = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="continuations"
    )
    captured_at = models.DateTimeField(verbose_name=_("first seen"))
    frame_key = models.BigIntegerField()
    frame_index = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    frames_matched = models.PositiveIntegerField(default=1)
    frames = models.JSONField(default=list, blank=True)
    best_frame_index = models.PositiveIntegerField(default=0)
    best_captured_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The best (smallest) distance of the sighting.
    distance = models.FloatField()
    threshold = models.FloatField()
    watchlist_version = models.CharField(max_length=64)
    crop_blob = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    # Recorded by a verifier once the alert is verified (R23); never names anyone.
    outcome = models.CharField(max_length=20, choices=AlertOutcome.choices, blank=True)
    outcome_note = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-captured_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "camera", "frame_key"], name="alert_unique_per_frame"),
            models.CheckConstraint(
                condition=models.Q(last_seen_at__isnull=True) | models.Q(last_seen_at__gte=models.F("captured_at")),
                name="alert_sighting_ordered",
            ),
            models.CheckConstraint(condition=models.Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(
                condition=models.Q(distance__lte=models.F("threshold")), name="alert_within_threshold"
            ),
            # An outcome only after two people verified the alert (R14, R23).
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(status="verified", outcome_recorded_at__isnull=False),
                name="alert_outcome_after_verification",
            ),
        ]

    def __str__(self):
        return f"alert {self.pk} ({self.case_id}/{self.person_id})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def duration_seconds(self) -> float:
        return ((self.last_seen_at or self.captured_at) - self.captured_at).total_seconds()

    def aad(self, field: str) -> bytes:
        return f"recognition.Alert:{self.pk}:{field}".encode()


class AlertReview(models.Model):
    """One person's verification of an alert (R14): two different people must confirm."""

    class Verdict(models.TextChoices):
        CONFIRM = "confirm", _("Confirmed: it is the person sought")
        REJECT = "reject", _("Rejected: not the person sought")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_reviews")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
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


class CameraOutage(models.Model):
    """One episode of a camera that cannot be read: from the first failed attempt to the first success.

    A worker retries an unreachable camera with a growing pause (2 s doubling up to a minute); every attempt of the
    episode updates this one row (attempts, last error, next retry) instead of leaving a scan row each, so pages
    show an outage, not hundreds of attempts (STYLE habit 14). At most one open outage per camera.
    """

    camera = models.ForeignKey("oversight.Camera", on_delete=models.CASCADE, related_name="outages")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    last_attempt_at = models.DateTimeField()
    retry_at = models.DateTimeField()
    last_error = models.TextField()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["camera"], condition=models.Q(ended_at__isnull=True), name="camera_outage_one_open"
            ),
        ]

    def __str__(self):
        return f"outage of camera {self.camera_id} since {self.started_at:%Y-%m-%d %H:%M}"
