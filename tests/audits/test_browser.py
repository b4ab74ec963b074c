"""The audit browser at scale: keyset pages, typed dates, filters that survive errors and
carry over to the export; verifiable exports from the web run in the background (item 7)."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import AuditEvent, AuditExport
from audits.selectors import audit_event_page
from audits.services import audit_export_run, audit_record
from tests.audits.helpers import disclosure_of, fill_log

pytestmark = pytest.mark.django_db


def seq_list(response):
    return [e.seq for e in response.context["page"]]


def test_keyset_pages_walk_the_whole_list_without_counting(client_for, dpo):
    fill_log(120)
    c = client_for(dpo)
    seen, params = [], {"case_ref": "FR-2026-0002"}
    while True:
        response = c.get(reverse("audits:event_list"), params)
        seen += seq_list(response)
        page = response.context["page"]
        if not page.has_older:
            break
        params = {"case_ref": "FR-2026-0002", "older": page.older_cursor}
    expected = list(AuditEvent.objects.filter(case_ref="FR-2026-0002").order_by("-seq").values_list("seq", flat=True))
    assert seen == expected and len(expected) == 10
    everything = []
    page = audit_event_page(filters={}, size=50)
    while True:
        everything += [e.seq for e in page]
        if not page.has_older:
            break
        page = audit_event_page(filters={}, older_than=page.older_cursor, size=50)
    assert everything == sorted(AuditEvent.objects.values_list("seq", flat=True), reverse=True)


def test_newer_link_returns_to_the_previous_page():
    fill_log(120)
    first = audit_event_page(filters={}, size=50)
    second = audit_event_page(filters={}, older_than=first.older_cursor, size=50)
    back = audit_event_page(filters={}, newer_than=second.newer_cursor, size=50)
    assert [e.seq for e in back] == [e.seq for e in first]
    assert back.has_older and not back.has_newer


def test_a_page_never_counts_rows(client_for, dpo):
    fill_log(60)
    c = client_for(dpo)
    with CaptureQueriesContext(connection) as queries:
        response = c.get(reverse("audits:event_list"), {"event_type": "case", "actor": "user1"})
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "COUNT(" not in sql and "OFFSET" not in sql
    # session, user, the second factor's device, permissions, the page, the audit.viewed append
    assert len(queries.captured_queries) <= 7


def test_type_group_filter_merges_every_type_of_the_group():
    fill_log(3)
    audit_record(actor=None, event_type="case.approved", case_ref="FR-1")
    audit_record(actor=None, event_type="auth.login")
    audit_record(actor=None, event_type="case.denied", case_ref="FR-2")
    page = audit_event_page(filters={"event_type": "case"}, size=4)
    assert [e.event_type for e in page] == ["case.denied", "case.approved", "case.viewed", "case.viewed"]
    assert page.has_older
    rest = audit_event_page(filters={"event_type": "case"}, older_than=page.older_cursor, size=4)
    assert [e.seq for e in rest] == [1]


@pytest.mark.parametrize(
    "typed",
    ["2026-11-29", "29.11.2026", "29. 11. 2026", "2026-11-29 14:05", "2026-11-29T14:05", "29.11.2026 14:05"],
)
def test_dates_accept_what_people_type_and_date_pickers(client_for, dpo, typed):
    with time_machine.travel(datetime(2026, 11, 28, 12, 0, tzinfo=UTC), tick=False):
        audit_record(actor=None, event_type="case.viewed", case_ref="FR-OLD")
    with time_machine.travel(datetime(2026, 11, 29, 15, 0, tzinfo=UTC), tick=False):
        audit_record(actor=None, event_type="case.viewed", case_ref="FR-NEW")
    response = client_for(dpo).get(reverse("audits:event_list"), {"since": typed})
    assert response.status_code == 200
    assert [e.case_ref for e in response.context["page"] if e.event_type == "case.viewed"] == ["FR-NEW"]


def test_until_a_date_includes_that_whole_day(client_for, dpo):
    with time_machine.travel(datetime(2026, 11, 29, 21, 0, tzinfo=UTC), tick=False):  # 22:00 in Prague
        audit_record(actor=None, event_type="case.viewed", case_ref="FR-LATE")
    response = client_for(dpo).get(reverse("audits:event_list"), {"until": "29.11.2026", "case_ref": "FR-LATE"})
    assert seq_list(response) == [1]


def test_a_bad_date_says_so_and_keeps_the_other_filters(client_for, dpo):
    fill_log(5)
    response = client_for(dpo).get(
        reverse("audits:event_list"), {"case_ref": "FR-2026-0001", "event_type": "case", "since": "31.02.2026"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is not a date we can read; write it like 2026-11-29" in body
    assert response.context["page"] is None  # no list that silently ignores part of the question
    form = response.context["form"]
    assert form["case_ref"].value() == "FR-2026-0001" and form["event_type"].value() == "case"
    assert 'value="FR-2026-0001"' in body


def test_filters_carry_over_to_the_export(client_for, dpo):
    fill_log(3)
    c = client_for(dpo)
    response = c.get(reverse("audits:event_list"), {"case_ref": "FR-2026-0001", "since": "2026-11-01"})
    assert "/audits/export/?case_ref=FR-2026-0001&amp;since=2026-11-01" in response.content.decode()
    form = c.get(reverse("audits:export"), {"case_ref": "FR-2026-0001", "since": "2026-11-01"}).context["form"]
    assert form["case_ref"].value() == "FR-2026-0001" and form["since"].value() == "2026-11-01"


@pytest.fixture
def export_root(settings, tmp_path):
    settings.AUDIT_EXPORT_DIR = str(tmp_path / "exports")
    call_command("audits_keygen", stdout=io.StringIO())
    return tmp_path / "exports"


def test_web_export_runs_in_the_background_shows_progress_and_offers_the_file(
    client_for, dpo, export_root, django_capture_on_commit_callbacks
):
    fill_log(30)
    c = client_for(dpo)
    with django_capture_on_commit_callbacks() as queued:
        response = c.post(
            reverse("audits:export"),
            {
                "case_ref": "FR-2026-0004",
                "justification": "Complaint 12/2026",
                "recipients": "DPO",
                "format": "verifiable",
            },
        )
    job = AuditExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audits:export_detail", args=[job.pk])
    assert len(queued) == 1  # the task is queued only once the disclosure has committed
    disclosure = AuditEvent.objects.get(event_type="audit.exported")
    assert "Complaint" not in disclosure.data and job.disclosure_seq == disclosure.seq  # R19: no typed text
    assert disclosure_of(disclosure).justification == "Complaint 12/2026" == job.disclosure.justification
    page = c.get(reverse("audits:export_detail", args=[job.pk])).content.decode()
    assert "Queued" in page and 'http-equiv="refresh"' in page
    assert c.get(reverse("audits:export_download", args=[job.pk])).status_code == 404

    assert audit_export_run(export_id=job.pk).status == "done"
    assert audit_export_run(export_id=job.pk).status == "done"  # idempotent
    page = c.get(reverse("audits:export_detail", args=[job.pk])).content.decode()
    assert "Download the export" in page and 'http-equiv="refresh"' not in page
    download = c.get(reverse("audits:export_download", args=[job.pk]))
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = {n.split("/", 1)[1] for n in archive.namelist() if "/" in n}
    assert {"events.jsonl", "checkpoints.json", "manifest.json", "verify_export.py", "README.txt"} <= names


def test_other_reviewers_get_404_for_an_export_they_did_not_request(client_for, dpo, export_root, outsider, roles):
    from oversight.roles import Role
    from tests.conftest import make_user

    fill_log(5)
    client_for(dpo).post(reverse("audits:export"), {"justification": "x", "recipients": "y", "format": "verifiable"})
    job = AuditExport.objects.get()
    colleague = make_user("dpo_colleague", Role.DPO_REVIEWER)
    assert client_for(colleague).get(reverse("audits:export_detail", args=[job.pk])).status_code == 404
    assert client_for(colleague).get(reverse("audits:export_download", args=[job.pk])).status_code == 404
    assert client_for(outsider).get(reverse("audits:export_detail", args=[job.pk])).status_code == 403


def test_web_export_with_nothing_to_export_is_refused_in_plain_words(client_for, dpo, export_root):
    response = client_for(dpo).post(
        reverse("audits:export"),
        {"case_ref": "FR-NONE", "justification": "x", "recipients": "y", "format": "verifiable"},
    )
    assert response.status_code == 400
    assert "No audit events match these filters" in response.content.decode()
    assert not AuditExport.objects.exists() and not AuditEvent.objects.filter(event_type="audit.exported").exists()


def test_failed_export_job_says_why(client_for, dpo, settings, tmp_path):
    settings.AUDIT_EXPORT_DIR = str(tmp_path / "exports")
    fill_log(3)
    client_for(dpo).post(reverse("audits:export"), {"justification": "x", "recipients": "y", "format": "verifiable"})
    job = audit_export_run(export_id=AuditExport.objects.get().pk)  # no signing key on this machine
    assert job.status == "failed" and "AUDIT_SIGNING_KEY_FILE" in job.error
    assert not list((tmp_path / "exports").glob("export-*"))


def test_time_order_and_cursor_survive_equal_timestamps():
    with time_machine.travel(datetime(2026, 11, 29, 10, 0, tzinfo=UTC), tick=False):
        fill_log(7)
    page = audit_event_page(filters={}, size=3)
    nxt = audit_event_page(filters={}, older_than=page.older_cursor, size=3)
    last = audit_event_page(filters={}, older_than=nxt.older_cursor, size=3)
    assert [e.seq for e in (*page, *nxt, *last)] == [7, 6, 5, 4, 3, 2, 1]
    assert not last.has_older


def test_a_malformed_cursor_shows_the_first_page(client_for, dpo):
    fill_log(3)
    c = client_for(dpo)
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    shown = seq_list(c.get(reverse("audits:event_list"), {"older": "garbage"}))
    assert shown == list(range(newest, 0, -1))


def test_the_celery_task_runs_the_job(client_for, dpo, export_root):
    from audits.tasks import audit_export_task

    fill_log(4)
    client_for(dpo).post(reverse("audits:export"), {"justification": "x", "recipients": "y", "format": "verifiable"})
    job = AuditExport.objects.get()
    assert audit_export_task.apply(args=[job.pk]).get() == "done"
    job.refresh_from_db()
    assert (job.rows_done, job.percent) == (job.rows_total, 100) and (export_root / f"{job.directory}.zip").exists()


def test_scan_batches_are_rolled_up_into_their_scan_where_a_person_reads_them(client_for, dpo):
    """The page shows scans (started / stopped with totals), not a line per half second."""
    with transaction.atomic():
        audit_record(actor=None, event_type="scan.started", case_ref="FR-2026-0009", target_ref="recognition.Scan:1")
        for _ in range(5):
            audit_record(actor=None, event_type="scan.batch", case_ref="FR-2026-0009", target_ref="recognition.Scan:1")
        audit_record(
            actor=None,
            event_type="scan.stopped",
            case_ref="FR-2026-0009",
            target_ref="recognition.Scan:1",
            data={"frames_read": 70, "faces_seen": 3},
        )
    c = client_for(dpo)
    for params in ({"case_ref": "FR-2026-0009"}, {"case_ref": "FR-2026-0009", "event_type": "scan"}):
        response = c.get(reverse("audits:event_list"), params)
        assert [e.event_type for e in response.context["page"]] == ["scan.stopped", "scan.started"]
        assert "rolled up into their scan" in response.content.decode()
    every = c.get(reverse("audits:event_list"), {"case_ref": "FR-2026-0009", "event_type": "scan.batch"})
    assert len(list(every.context["page"])) == 5
    # Machines (the API and exports) get every event.
    assert len(audit_event_page(filters={"case_ref": "FR-2026-0009"}).events) == 7
