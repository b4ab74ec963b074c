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
    # The conditions the platform itself enforces (R5, R10, R13): drafts and grants outside them are refused, and
    # the gate analyses no frame outside the hours and days. Blank: the opinion sets no such condition.
    hours_from = models.TimeField(null=True, blank=True, verbose_name=_("processing from (time of day)"))
    hours_until = models.TimeField(null=True, blank=True, verbose_name=_("processing until (time of day)"))
    weekdays = models.CharField(
        max_length=7,
        blank=True,
        verbose_name=_("days of the week allowed"),
        help_text=_("Day numbers, 1 for Monday to 7 for Sunday, e.g. 12345 for working days; blank for every day."),
    )
    max_duration_hours = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("longest use allowed (hours)")
    )
    max_threshold = models.FloatField(null=True, blank=True, verbose_name=_("laxest match threshold allowed"))
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
            # Hours come as a pair of different times (a pair crossing midnight, 22:00 to 06:00, is a night).
            models.CheckConstraint(
                condition=Q(hours_from__isnull=True, hours_until__isnull=True)
                | (Q(hours_from__isnull=False, hours_until__isnull=False) & ~Q(hours_from=models.F("hours_until"))),
                name="deployment_hours_pair",
            ),
            models.CheckConstraint(condition=Q(weekdays__regex=r"^[1-7]{0,7}$"), name="deployment_weekdays_valid"),
            models.CheckConstraint(
                condition=Q(max_threshold__isnull=True) | Q(max_threshold__gt=0, max_threshold__lte=1),
                name="deployment_max_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(max_duration_hours__isnull=True) | Q(max_duration_hours__gt=0),
                name="deployment_max_duration_positive",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def usable(self) -> bool:
        return self.opinion in USABLE_OPINIONS

    @property
    def has_rules(self) -> bool:
        """Whether the opinion sets conditions the platform enforces (hours, days, duration, threshold)."""
        return bool(self.hours_from or self.weekdays or self.max_duration_hours or self.max_threshold)

    @property
    def listed_conditions(self) -> list[str]:
        """The free-text conditions, one per line (the judge confirms each before granting)."""
        return [line.strip(" -•\t") for line in self.conditions.splitlines() if line.strip(" -•\t")]


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
