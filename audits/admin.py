"""The admin shows the trail read-only: no add, change or delete, ever."""

from django.contrib import admin

from audits.models import AuditCheckpoint, AuditCut, AuditEvent, AuditExport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "occurred_at", "event_type", "actor_label", "case_ref", "target_ref"]
    list_filter = ["event_type"]
    search_fields = ["case_ref", "actor_label", "target_ref"]
    ordering = ["-seq"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "head_hash", "key_fingerprint"]
    ordering = ["-seq"]


@admin.register(AuditCut)
class AuditCutAdmin(ReadOnlyAdmin):
    list_display = ["seq_from", "seq_to", "oldest_at", "newest_at", "created_at", "actor_label", "archive_name"]
    ordering = ["-seq_to"]


@admin.register(AuditExport)
class AuditExportAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "requested_by_label", "recipients", "status", "rows_done", "rows_total"]
