"""The office's models moved without losing a row (office 0001/0002, oversight 0013): a database at the previous
migrations, holding data-subject requests, deletion records and the office's reports (notifications and report
exports), is upgraded and every row is found under the new app, with its content type and permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm

from audits.events import EventType
from audits.models import AuditEvent
from office import services as office_services
from office.models import DeletionRecord
from oversight.models import DataSubjectRequest, DataSubjectRequestItem, OfficeNotification
from tests.oversight.factories import approved_case

BEFORE = [("oversight", "0012_case_status_label_plain"), ("office", None)]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # what the previous migrate left applied
    executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_keeps_every_request_deletion_record_and_report(world):
    case = approved_case(world)  # approval notifies the office (R22)
    request = office_services.subject_request_record(actor=world.dpo, kind="access", subject_name="Jana Novakova")
    office_services.report_records_export(
        actor=world.dpo, year=timezone.localdate().year, justification="Yearly duty", recipients="Office"
    )
    records = [
        DeletionRecord.objects.create(
            case=case,
            case_ref=case.reference,
            rule="oversight.persons",
            kind="oversight.Person",
            count=n + 1,
            ids=list(range(n + 1)),
            deleted_at=timezone.now(),
            audit_seq=n,
        )
        for n in range(3)
    ]
    # An object permission (django-guardian) on one record: it must follow the content type.
    assign_perm("view_deletionrecord", world.dpo, records[0])
    content_type = ContentType.objects.get(app_label="office", model="deletionrecord")
    permissions = set(Permission.objects.filter(content_type=content_type).values_list("pk", "codename"))
    assert permissions  # view/add/change/delete_deletionrecord
    counts = {
        "requests": DataSubjectRequest.objects.count(),
        "items": DataSubjectRequestItem.objects.count(),
        "notifications": OfficeNotification.objects.count(),
        "exports": AuditEvent.objects.filter(event_type=EventType.REPORT_EXPORTED).count(),
    }
    assert counts["requests"] == 1 and counts["notifications"] >= 1 and counts["exports"] == 1

    _migrate(BEFORE)
    try:
        # The previous layout: the records in oversight's table, their content type oversight's.
        assert "oversight_deletionrecord" in _table_names() and "office_deletionrecord" not in _table_names()
        old = MigrationExecutor(connection).loader.project_state(BEFORE[0]).apps
        assert old.get_model("oversight", "DeletionRecord").objects.count() == 3
        assert ContentType.objects.get(pk=content_type.pk).app_label == "oversight"
        # A row written by the previous release, before the upgrade.
        old.get_model("oversight", "DeletionRecord").objects.create(
            case_id=case.pk,
            case_ref=case.reference,
            rule="oversight.case_text",
            kind="oversight.Case",
            count=1,
            ids=[case.pk],
            deleted_at=timezone.now(),
        )
    finally:
        _migrate(_latest())

    assert "office_deletionrecord" in _table_names() and "oversight_deletionrecord" not in _table_names()
    moved = {r.pk: (r.rule, r.count, r.ids, r.case_id) for r in DeletionRecord.objects.all()}
    assert {r.pk: (r.rule, r.count, r.ids, r.case_id) for r in records}.items() <= moved.items()
    assert len(moved) == 4 and any(rule == "oversight.case_text" for rule, *_ in moved.values())
    # The content type (same row) and its permissions followed the model.
    assert ContentType.objects.get(pk=content_type.pk).app_label == "office"
    assert set(Permission.objects.filter(content_type=content_type).values_list("pk", "codename")) == permissions
    assert not ContentType.objects.filter(app_label="oversight", model="deletionrecord").exists()
    dpo = type(world.dpo).objects.get(pk=world.dpo.pk)  # fresh permission caches
    assert ObjectPermissionChecker(dpo).has_perm(
        "office.view_deletionrecord", DeletionRecord.objects.get(pk=records[0].pk)
    )
    assert not ObjectPermissionChecker(dpo).has_perm(
        "office.view_deletionrecord", DeletionRecord.objects.get(pk=records[1].pk)
    )
    # Nothing else was touched: requests, their findings and the office's reports are all there.
    assert DataSubjectRequest.objects.get(pk=request.pk).subject_name == "Jana Novakova"
    assert {
        "requests": DataSubjectRequest.objects.count(),
        "items": DataSubjectRequestItem.objects.count(),
        "notifications": OfficeNotification.objects.count(),
        "exports": AuditEvent.objects.filter(event_type=EventType.REPORT_EXPORTED).count(),
    } == counts
    # The moved table still takes new rows (its id sequence followed the rename).
    assert DeletionRecord.objects.create(
        case=case, rule="office.check", kind="oversight.Person", count=0, deleted_at=timezone.now()
    ).pk > max(moved)
