"""The append-only audit record (R16-R18).

Events refer to actors, cases and objects by identifier plus a readable
snapshot, never by foreign key: an event must outlive what it describes, and
this app depends on no other app.
"""

import json

from django.db import models

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
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["case_ref", "seq"], name="audit_case_seq_idx"),
            models.Index(fields=["event_type", "seq"], name="audit_type_seq_idx"),
            models.Index(fields=["occurred_at"], name="audit_occurred_idx"),
            models.Index(fields=["actor_id", "seq"], name="audit_actor_seq_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.event_type} by {self.actor_label or 'system'}"

    @property
    def data_dict(self) -> dict:
        return json.loads(self.data)


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
