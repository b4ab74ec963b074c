"""The append-only audit record (R16-R18).

Events refer to actors, cases and objects by identifier plus a readable
snapshot, never by foreign key: an event must outlive what it describes, and
this app depends on no other app.
"""

import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.events import EventType

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    # Gapless: assigned under the AuditHead row lock, never by a sequence.
    seq = models.BigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField()
    event_type = models.CharField(max_length=64, choices=EventType.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    case_ref = models.CharField(max_length=64, blank=True)
    target_ref = models.CharField(max_length=128, blank=True)
    # Canonical JSON text: hashed exactly as stored, so no database JSON
    # normalisation can change what was signed.
    data = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    # Unique through a constraint (Meta), not unique=True: that would add a second, LIKE-pattern index on a random key
    # which every append would also write (half the index pages an append dirties at scale), for no query.
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        # The browser lists newest first by (occurred_at, seq) with keyset pagination:
        # each filter has an index whose order is the list's order,
        # so a page is one index range scan at any depth. (case_ref, seq) serves exports.
        indexes = [
            models.Index(fields=["case_ref", "seq"], name="audit_case_seq_idx"),
            models.Index(fields=["occurred_at", "seq"], name="audit_time_seq_idx"),
            models.Index(fields=["case_ref", "occurred_at", "seq"], name="audit_case_time_idx"),
            models.Index(fields=["event_type", "occurred_at", "seq"], name="audit_type_time_idx"),
            models.Index(fields=["actor_label", "occurred_at", "seq"], name="audit_actor_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive"),
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.event_type} by {self.actor_label or 'system'}"

    @property
    def data_dict(self) -> dict:
        return json.loads(self.data)

    def get_event_type_display(self):
        """The type's words, looked up by value. Django's generic method rebuilds every choice's label at each call
        (1.4 ms with this many types: 70 of the audit browser's 100 ms for a page of 50 events)."""
        try:
            return EventType(self.event_type).label
        except ValueError:
            return self.event_type  # a type this version no longer knows: its code


class AuditHead(models.Model):
    """One row: the last sequence number and hash. Its row lock serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self):
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """A signed statement: the log held `seq` events ending in `head_hash` at `created_at`."""

    seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    key_fingerprint = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["seq", "id"]

    def __str__(self):
        return f"checkpoint at #{self.seq}"


class AuditCut(models.Model):
    """A prefix of the trail removed after its retention (R18), archived first.

    Events seq_from..seq_to were written to an archive (same format as an
    offline-verifiable export) that ends at `checkpoint`; `archive_sha256` is
    the digest of its events.jsonl. Append-only (triggers); the deletion itself
    runs through audits_cut() on PostgreSQL (audits.triggers).
    """

    seq_from = models.BigIntegerField()
    seq_to = models.BigIntegerField(unique=True)
    checkpoint = models.ForeignKey(AuditCheckpoint, on_delete=models.PROTECT, related_name="+")
    head_hash = models.CharField(max_length=64)
    events = models.BigIntegerField()
    oldest_at = models.DateTimeField()
    newest_at = models.DateTimeField()
    before = models.DateTimeField(help_text="events older than this were due")
    archive_name = models.CharField(max_length=255)
    archive_sha256 = models.CharField(max_length=64)
    # The audit.cut event recorded in the same transaction.
    event_seq = models.BigIntegerField()
    actor_label = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["seq_to"]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq_from__gte=1), name="audit_cut_from_positive"),
            models.CheckConstraint(condition=models.Q(seq_to__gte=models.F("seq_from")), name="audit_cut_range"),
            models.CheckConstraint(condition=models.Q(event_seq__gt=models.F("seq_to")), name="audit_cut_event_after"),
        ]

    def __str__(self):
        return f"cut of #{self.seq_from}-#{self.seq_to}"


class AuditDisclosure(models.Model):
    """One disclosure of records (R17): an export of the trail, a report, with the words its requester typed.

    The audit.exported / report.exported event references this row and copies none of its free text (the
    justification, the recipients, the filters as typed): the trail holds only what it can hold for years without
    becoming a store of what people wrote. Written once by audits.services.disclosure_record; never changed.
    The requester is named by id and label, like events.
    """

    kind = models.CharField(max_length=32)  # "audit_export" or the report's code
    format = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150)
    justification = models.TextField(max_length=2000)
    recipients = models.CharField(max_length=300)
    filters = models.JSONField(default=dict, blank=True)
    rows = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"disclosure {self.pk} ({self.kind}, {self.format})"


class AuditExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class AuditExport(models.Model):
    """A background export job (the disclosure itself is an audit.exported event, R17).

    Not part of the evidence: its status and progress change while it runs.
    The requester is named by id and label, like events, not by foreign key.
    """

    requested_by_id = models.CharField(max_length=64)
    requested_by_label = models.CharField(max_length=150)
    filters = models.JSONField(default=dict)
    justification = models.TextField()
    recipients = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=AuditExportStatus.choices, default=AuditExportStatus.QUEUED)
    rows_done = models.BigIntegerField(default=0)
    rows_total = models.BigIntegerField(default=0)
    directory = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    disclosure_seq = models.BigIntegerField(null=True)
    # What the requester typed is the disclosure's; the job's own copy is what its page shows while it runs.
    disclosure = models.ForeignKey(AuditDisclosure, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"export {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == AuditExportStatus.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
