"""Data-subject requests (R21) and what they hold: every layer reads the holds and restrictions (pages, APIs and the
retention rules of each app), so the rows live here, at the bottom; the office (office.services.subject_requests)
writes them. Deletion records, the proof of what left, are the office's (office.models)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SubjectRequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")


class SubjectRequestStatus(models.TextChoices):
    OPEN = "open", _("Open: findings being decided")
    COMPLETED = "completed", _("Completed")


class DataSubjectRequest(models.Model):
    """A person's request about their data, recorded by the data protection office (R21, LED Art. 13-17).

    While open, every item found for it is held back from retention (nothing the answer needs may vanish).
    When an erasure is completed the subject's name and the free text are reduced: the request keeps its
    kind, dates, decisions and counts, not the person.
    """

    Kind = SubjectRequestKind
    Status = SubjectRequestStatus

    kind = models.CharField(max_length=20, choices=SubjectRequestKind.choices)
    subject_name = models.CharField(max_length=200)
    # The answer to an access request is written in the person's language (R21): one of settings.LANGUAGES.
    language = models.CharField(max_length=8, default="cs", help_text=_("Language of the answer to the person."))
    details = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=SubjectRequestStatus.choices, default=SubjectRequestStatus.OPEN)
    face_search = models.CharField(max_length=10, blank=True, help_text=_("'', queued, done or failed."))
    face_search_note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SubjectRequestKind.values), name="dsr_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SubjectRequestStatus.values), name="dsr_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_at__isnull=False), name="dsr_completed_has_time"
            ),
        ]

    def __str__(self):
        return f"request {self.pk} ({self.kind})"


class SubjectRequestDecision(models.TextChoices):
    PENDING = "pending", _("Not decided yet")
    DISCLOSE = "disclose", _("Disclose to the person (access)")
    RECTIFY = "rectify", _("Rectify (the corrected name or category is applied)")
    ERASE = "erase", _("Erase")
    RESTRICT = "restrict", _("Restrict processing")
    NO_ACTION = "no_action", _("No action (reasons recorded)")


class DataSubjectRequestItem(models.Model):
    """One case, person, photo, alert or review found for a request, and what the office decided about it.

    The item names its object by label and id (like audit events), not by foreign key: the object may be erased
    while the record of the decision stays. An item carried out as a restriction, and not lifted, keeps its object
    out of retention and off every page and API.
    """

    Decision = SubjectRequestDecision

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="items")
    target_label = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    case = models.ForeignKey("oversight.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    found_by = models.CharField(max_length=10, help_text=_("name, face or link (belongs to an item found)."))
    decision = models.CharField(
        max_length=10, choices=SubjectRequestDecision.choices, default=SubjectRequestDecision.PENDING
    )
    reasons = models.TextField(blank=True)
    # Decided for this item alone: a later decision for its whole group leaves it as it is (per-item override).
    decided_individually = models.BooleanField(default=False)
    # A rectification's corrected values (a person's full_name and/or category), applied when carried out.
    rectification = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    # Why the office lifted the restriction: kept here, referenced (not copied) by the audit event (R17, R19).
    lift_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["request_id", "target_label", "target_id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "target_label", "target_id"], name="dsr_item_unique"),
            models.CheckConstraint(condition=Q(decision__in=SubjectRequestDecision.values), name="dsr_item_decision"),
        ]
        indexes = [models.Index(fields=["target_label", "target_id"], name="dsr_item_target_idx")]

    def __str__(self):
        return f"{self.target_label}:{self.target_id} ({self.decision})"

    @property
    def target_ref(self) -> str:
        return f"{self.target_label}:{self.target_id}"

    @property
    def is_restricted(self) -> bool:
        return self.decision == "restrict" and self.carried_out_at is not None and self.lifted_at is None
