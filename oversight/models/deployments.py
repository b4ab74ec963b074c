"""Deployments (a pilot's cameras at named locations) with the data protection office's prior opinion, and the
notifications the office receives for each use (R22).

A case may name only cameras of a deployment on which the office has given an opinion that is not unfavourable
(the case services enforce it at drafting, submission and decision).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    CONDITIONAL = "conditional", _("Favourable with conditions")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


# Opinions under which a deployment's cameras may be used by a case.
USABLE_OPINIONS = frozenset({Opinion.FAVOURABLE, Opinion.CONDITIONAL})


class Deployment(models.Model):
    Opinion = Opinion

    name = models.CharField(max_length=150, unique=True, help_text=_("The pilot's name, e.g. 'City centre pilot'."))
    locations = models.TextField(help_text=_("The named locations the pilot covers."))
    cameras = models.ManyToManyField("oversight.Camera", related_name="deployments", blank=True)
    # The prior consultation of the office: what was asked, when.
    consultation_request = models.TextField(
        verbose_name=_("request to the office"), help_text=_("What the office was asked to give an opinion on.")
    )
    consultation_requested_on = models.DateField(verbose_name=_("requested on"))
    # The office's answer; blank until it is given.
    opinion = models.CharField(max_length=20, choices=Opinion.choices, blank=True)
    opinion_given_on = models.DateField(null=True, blank=True, verbose_name=_("opinion given on"))
    conditions = models.TextField(blank=True, help_text=_("The office's conditions (for a conditional opinion)."))
    # A PDF or text document; served only through a permission-checked view.
    opinion_document = models.FileField(upload_to="office_opinions/%Y/", blank=True, max_length=300)
    opinion_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("record_opinion", "Can record the data protection office's opinion")]
        constraints = [
            models.CheckConstraint(
                condition=Q(opinion="") | Q(opinion__in=Opinion.values), name="deployment_opinion_valid"
            ),
            models.CheckConstraint(
                condition=Q(opinion="") | Q(opinion_given_on__isnull=False), name="deployment_opinion_dated"
            ),
            models.CheckConstraint(
                condition=~Q(opinion=Opinion.CONDITIONAL) | ~Q(conditions=""),
                name="deployment_conditional_has_conditions",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def usable(self) -> bool:
        return self.opinion in USABLE_OPINIONS


class NotificationKind(models.TextChoices):
    URGENT_STARTED = "urgent_started", _("Urgent use started")
    APPROVED = "approved", _("Use authorised")
    ENDED = "ended", _("Use ended")


class OfficeNotification(models.Model):
    """One use notified to the office (R22): a snapshot without persons' names or photos.

    The snapshot is copied when the notification is made, so the office keeps what it was told even if the case's
    personal data is later erased. One notification per case and kind (idempotent).
    """

    Kind = NotificationKind

    case = models.ForeignKey("oversight.Case", on_delete=models.SET_NULL, null=True, related_name="notifications")
    case_reference = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_office_reports", "Can read the office's reports and case dossiers")]
        constraints = [
            models.UniqueConstraint(fields=["case_reference", "kind"], name="notification_one_per_case_and_kind"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True, read_by__isnull=True)
                | Q(read_at__isnull=False, read_by__isnull=False),
                name="notification_read_by_whom",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.case_reference}"
