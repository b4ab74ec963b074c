"""Withholdings: a use kept out of the public register by its deciding authority, for a reason, until a date (R23).

Everything else the register shows is derived from the office's deployment records; this is its only own row.
A withholding is never edited: lifting it early stamps `lifted_at`; withholding again adds a row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oversight.models.text import FREE_TEXT_MAX_LENGTH


class Withholding(models.Model):
    case = models.ForeignKey("oversight.Case", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
        help_text=_("Why the public may not yet know of this use. The office reads it; the public never does."),
    )
    withheld_until = models.DateField(
        verbose_name=_("withheld until"),
        help_text=_("The last day the use is kept out of the register; it is published the day after."),
    )
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="withholding_has_reason"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="withholding_lift_has_author",
            ),
        ]

    def __str__(self):
        return f"withholding {self.pk} of case {self.case_id} until {self.withheld_until}"
