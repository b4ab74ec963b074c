"""Reference photos of the persons a case seeks, and their face templates (R12), encrypted at rest."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferencePhoto(models.Model):
    """A reference photo of a named person and its face template (R12), both encrypted at rest.

    The photo's ciphertext lives in a file under MEDIA_ROOT/watchlists/, the
    encoding's in `encoding_blob`; both are sealed with AES-256-GCM and bound to
    this row's identity (watchlists.crypto). Nothing here is ever plaintext.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Encoding pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    person = models.ForeignKey("oversight.Person", on_delete=models.CASCADE, related_name="photos")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(max_length=300, blank=True)
    # R12: where the image comes from, under which legal basis, and when it was taken.
    source = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=300)
    captured_at = models.DateField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    image_format = models.CharField(max_length=4)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    photo_file = models.CharField(max_length=200, blank=True)  # relative to MEDIA_ROOT; blank once discarded
    # When the worker decoded the upload and replaced it by its normalised copy (upright RGB, no metadata). Until
    # then photo_file holds the upload as received (encrypted), which the web process checked by its header only.
    decoded_at = models.DateTimeField(null=True, blank=True)
    encoding_blob = models.BinaryField(null=True, blank=True)
    # SHA-256 of the encoding: enters the watchlist version (R16) without revealing the template.
    encoding_digest = models.CharField(max_length=64, blank=True)
    encoded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "ready", "failed"]), name="photo_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(encoding_blob__isnull=False),
                name="photo_ready_has_encoding",
            ),
        ]

    def __str__(self):
        return f"photo {self.pk} of {self.person}"

    def aad(self, field: str) -> bytes:
        return f"watchlists.ReferencePhoto:{self.pk}:{field}".encode()


class SubjectProbePhoto(models.Model):
    """A photo a data subject supplied with their request (R21), kept only until the face search has run.

    Encrypted like reference photos (aad ``watchlists.SubjectProbePhoto:<pk>:photo``); the face search deletes
    the row whatever its outcome, so the probe face outlives the search by no more than one task.
    """

    request = models.OneToOneField("oversight.DataSubjectRequest", on_delete=models.CASCADE, related_name="probe_photo")
    photo_blob = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"probe photo of request {self.request_id}"

    def aad(self, field: str) -> bytes:
        return f"watchlists.SubjectProbePhoto:{self.pk}:{field}".encode()
