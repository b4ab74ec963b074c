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


class RecordingStatus(models.TextChoices):
    UPLOADING = "uploading", _("Uploading")
    CHECKING = "checking", _("Being checked")
    NEEDS_CAPTURE_TIME = "needs_capture_time", _("Capture time needed")
    READY = "ready", _("Ready")
    REFUSED = "refused", _("Refused")
    DESTROYED = "destroyed", _("Destroyed")


class CaptureTimeSource(models.TextChoices):
    METADATA = "metadata", _("the file's own metadata")
    DECLARED = "declared", _("the requester's declaration, with its evidence")


class Recording(models.Model):
    """Recorded footage a post-event case searches (R24): evidence, stored encrypted, hashed on arrival.

    The file is uploaded in chunks, each sealed with AES-256-GCM as it arrives (``watchlists.crypto``, aad naming this
    row, the chunk's number and whether it is the last one, so chunks cannot be reordered, swapped between
    recordings or cut off unnoticed). Only the worker decrypts it, into a private temporary file while it analyses.
    Capture times come from the file's metadata where present, otherwise from the requester's declaration with its
    evidence; sightings carry ``capture_start`` + the frame's media time. ``analysed_until_seconds`` is how far into
    the file (media time) the analysis has come, for the progress shown on the case page.
    """

    Status = RecordingStatus
    TimeSource = CaptureTimeSource

    case = models.ForeignKey("oversight.Case", on_delete=models.PROTECT, related_name="recordings")
    camera = models.ForeignKey("oversight.Camera", on_delete=models.PROTECT, related_name="recordings")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    declared_size = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    chunks_received = models.PositiveIntegerField(default=0)
    # The container's top-level structure, walked while the chunks stream in (recognition.video.ContainerWalk).
    container = models.CharField(max_length=20, blank=True)
    container_state = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    client_sha256 = models.CharField(max_length=64, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    # What the face engine found in the file.
    codec = models.CharField(max_length=20, blank=True)
    fps = models.FloatField(null=True, blank=True)
    frame_count = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Capture times: from the file's metadata, or declared with the evidence for them.
    declared_capture_start = models.DateTimeField(null=True, blank=True)
    capture_evidence = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    metadata_capture_start = models.DateTimeField(null=True, blank=True)
    capture_time_source = models.CharField(max_length=20, choices=CaptureTimeSource.choices, blank=True)
    capture_start = models.DateTimeField(null=True, blank=True)
    capture_end = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RecordingStatus.choices, default=RecordingStatus.UPLOADING)
    failure_reason = models.TextField(blank=True)
    # Analysis progress (media seconds from the file's start) and the wall time it took.
    analysed_until_seconds = models.FloatField(default=0.0)
    analysis_seconds = models.FloatField(default=0.0)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analysis_finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RecordingStatus.values), name="recording_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(declared_size__gt=0), name="recording_size_positive"),
            models.CheckConstraint(
                condition=models.Q(received_bytes__lte=models.F("declared_size")), name="recording_not_over_size"
            ),
            # R24: a capture time that is declared comes with its evidence.
            models.CheckConstraint(
                condition=models.Q(declared_capture_start__isnull=True) | ~models.Q(capture_evidence=""),
                name="recording_declared_time_has_evidence",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready")
                | models.Q(
                    capture_start__isnull=False,
                    capture_end__gt=models.F("capture_start"),
                    sha256__regex=r"^[0-9a-f]{64}$",
                ),
                name="recording_ready_has_times_and_hash",
            ),
        ]

    def __str__(self):
        return f"recording {self.pk} of case {self.case_id}"

    def chunk_aad(self, index: int, *, last: bool) -> bytes:
        return f"recognition.Recording:{self.pk}:chunk:{index}:{'last' if last else 'more'}".encode()

    @property
    def analysed_share(self) -> float | None:
        if not self.duration_seconds:
            return None
        return min(1.0, self.analysed_until_seconds / self.duration_seconds)


class Scan(models.Model):
    """One worker's lease on one camera: a segment of analysis (R16: start, end, counts).

    The row is the lease: at most one running scan (stopped_at null) per camera, enforced
    by a partial unique index, so two workers can never analyse the same camera at once.
    A worker that dies leaves a running row whose heartbeat goes stale; the dispatcher
    closes it (worker_lost) and queues a new scan.
    """

    StopReason = ScanStopReason

    camera = models.ForeignKey("oversight.Camera", on_delete=models.PROTECT, related_name="scans")
    # R24: a scan of recorded footage (a post-event search) holds the recording, not the live camera.
    recording = models.ForeignKey(Recording, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans")
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
                fields=["camera"],
                condition=models.Q(stopped_at__isnull=True, recording__isnull=True),
                name="scan_one_running_per_camera",
            ),
            models.UniqueConstraint(
                fields=["recording"],
                condition=models.Q(stopped_at__isnull=True, recording__isnull=False),
                name="scan_one_running_per_recording",
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
    RECOGNITION_SIGHTING_GAP_SECONDS. One alert per sighting, information for a human (R14, R15).

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
    # R24: a sighting in recorded footage names the recording; its capture times are the footage's own.
    recording = models.ForeignKey(Recording, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
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
