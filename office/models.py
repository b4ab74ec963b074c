"""What the data protection office keeps of its own: the deletion records (the proof, R9, R17, R19).

The table was oversight_deletionrecord until the office had an app of its own (office 0001/0002 move it without
losing a row)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeletionRecord(models.Model):
    """One rule's deletion (or reduction) of one case's data in one run: counts and identifiers, never content.

    Case rows are never deleted, so the record of what left a case outlives the data. The same
    facts are in the run's audit event; this table answers "what went from this case, when, by which rule" in one
    indexed query.
    """

    case = models.ForeignKey(
        "oversight.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="deletion_records"
    )
    case_ref = models.CharField(max_length=20, blank=True)
    rule = models.CharField(max_length=64)
    kind = models.CharField(max_length=64, help_text=_("What was deleted, as app.Model."))
    action = models.CharField(max_length=10, default="delete")
    count = models.PositiveIntegerField()
    ids = models.JSONField(default=list)
    deleted_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        indexes = [models.Index(fields=["case", "deleted_at"], name="deletion_case_time_idx")]

    def __str__(self):
        return f"{self.rule}: {self.count} {self.kind} of {self.case_ref or '-'}"
