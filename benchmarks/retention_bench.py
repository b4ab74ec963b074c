"""Retention at scale (PostgreSQL): a year of activity, one retention run, and what concurrent audit appends feel.

Seeds (INSERT ... SELECT generate_series, seconds not hours) into its own database oversight_retbench, created with
`createdb -h 127.0.0.1 -U postgres -O oversight` and dropped at the end:
- BENCH_CASES (1,000) expired cases over the last 365 days, two persons each;
- BENCH_ALERTS (1,000,000) alerts in those cases' windows (60 % rejected, 10 % verified, 30 % never reviewed),
  each with a 64-byte stand-in crop (real crops are encrypted JPEGs of 10-30 KB: the row count is what matters
  to the run; the byte volume would matter to VACUUM), and their reviews (one per rejection, two per verification);
- BENCH_SCANS (100,000) stopped scans;
- BENCH_EVENTS (1,000,000) audit events. Their hash chain is NOT valid (prev_hash/hash are md5 stand-ins): the
  benchmark measures appends and deletions, not verification (benchmarks/audit_bench.py does that). The audit
  head is set after them, so real appends continue the sequence.

Then it prints the dry run's time (count what is due), and for one retention run at the default batch size and one
at 10x it: the run's wall time, rows deleted, and the latency and throughput of audit appends made by another
process (each its own transaction, as a real action's) before and during the run. Last line: one JSON object.

    python benchmarks/retention_bench.py
"""

import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "oversight_retbench"
os.environ["DATABASE_URL"] = f"postgres://oversight@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OVERSIGHT_VAR_DIR", "/tmp/oversight-retbench")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

CASES = int(os.environ.get("BENCH_CASES", "1000"))
ALERTS = int(os.environ.get("BENCH_ALERTS", "1000000"))
SCANS = int(os.environ.get("BENCH_SCANS", "100000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
BASELINE_SECONDS = 3.0


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def create_database():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "oversight", DB)


def drop_database():
    from django.db import connections

    connections.close_all()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    users = get_user_model().objects
    requester = users.create_user("bench_requester", password="x" * 20)
    judge = users.create_user("bench_judge", password="x" * 20)
    v1 = users.create_user("bench_verifier_1", password="x" * 20)
    v2 = users.create_user("bench_verifier_2", password="x" * 20)
    timings = {}
    steps = [
        (
            "cameras",
            """INSERT INTO oversight_camera (name, location_label, source, enabled, created_at, last_error)
               SELECT 'Camera ' || g, 'Station ' || g, 'rtsp://10.0.0.' || g || '/s', true, now(), ''
               FROM generate_series(1, 20) g""",
            [],
        ),
        (
            "cases",
            # Case g ran for 24 h starting (365 - g * 365 / CASES) days ago; expired at its end.
            """INSERT INTO oversight_case (reference, requester_id, unit, objective_id, offence, legal_basis, evidence,
                 harm_assessment, rights_impact, authority, assigned_judge_id, requested_start, requested_end,
                 approved_start, approved_end, match_threshold, approved_threshold, impact_assessment, is_urgent,
                 urgency_reason, status, created_at, updated_at, submitted_at, decided_at, ended_at,
                 revocation_reason)
               SELECT 'FR-B-' || lpad(g::text, 6, '0'), %s, 'Unit', 'victims', '', 'Police Act', 'Evidence text',
                 'Harm text', 'Rights text', 'judge', %s, s, s + interval '24 hours', s, s + interval '24 hours',
                 0.55, 0.55, '', false, '', 'expired', s - interval '1 day', s, s - interval '1 day', s,
                 s + interval '24 hours', ''
               FROM (SELECT g, now() - interval '365 days' + (g * interval '365 days' / %s) AS s
                     FROM generate_series(1, %s) g) t""",
            [requester.pk, judge.pk, CASES, CASES],
        ),
        (
            "persons",
            """INSERT INTO oversight_person (case_id, full_name, category, reason, in_scope, created_at)
               SELECT c.id, 'Person ' || c.id || ' ' || k, 'suspect', 'Seen near the station', true, c.created_at
               FROM oversight_case c CROSS JOIN generate_series(1, 2) k""",
            [],
        ),
        (
            "scans",
            """INSERT INTO recognition_scan (camera_id, worker, started_at, stopped_at, stop_reason, stop_detail,
                 last_heartbeat_at, frames_read, frames_analysed, faces_seen, matches)
               SELECT (SELECT min(id) FROM oversight_camera) + mod(g, 20), 'w', t, t + interval '45 s',
                 'segment_end', '', t + interval '45 s', 1000, 200, 50, 1
               FROM (SELECT g, now() - interval '365 days' + g * interval '365 days' / %s AS t
                     FROM generate_series(1, %s) g) s""",
            [SCANS, SCANS],
        ),
        (
            "alerts",
            # Alert g belongs to case (g % CASES) + first id; status by g % 10: 0 verified, 1-6 rejected, 7-9 new.
            """INSERT INTO recognition_alert (case_id, person_id, camera_id, scan_id, captured_at, frame_key,
                 frame_index, distance, threshold, watchlist_version, crop_blob, status, created_at)
               SELECT c.id, (SELECT min(p.id) FROM oversight_person p WHERE p.case_id = c.id),
                 (SELECT min(id) FROM oversight_camera), NULL,
                 c.approved_start + mod(g, 86400) * interval '1 second', g, mod(g, 1000), 0.4, 0.55, 'v1',
                 decode(md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) || md5((g + 3)::text), 'hex'),
                 CASE WHEN mod(g, 10) = 0 THEN 'verified' WHEN mod(g, 10) <= 6 THEN 'rejected' ELSE 'new' END,
                 c.approved_start + mod(g, 86400) * interval '1 second'
               FROM generate_series(1, %s) g
               JOIN oversight_case c ON c.id = (SELECT min(id) FROM oversight_case) + mod(g, %s)""",
            [ALERTS, CASES],
        ),
        (
            "reviews",
            """INSERT INTO recognition_alertreview (alert_id, reviewer_id, verdict, note, created_at)
               SELECT a.id, r.reviewer, CASE WHEN a.status = 'rejected' THEN 'reject' ELSE 'confirm' END,
                 'Reviewed', a.captured_at + interval '1 hour' * r.k
               FROM recognition_alert a
               CROSS JOIN (VALUES (%s, 1), (%s, 2)) AS r(reviewer, k)
               WHERE a.status = 'verified' OR (a.status = 'rejected' AND r.k = 1)""",
            [v1.pk, v2.pk],
        ),
        (
            "audit_events",
            """INSERT INTO audits_auditevent (seq, occurred_at, event_type, actor_id, actor_label, case_ref,
                 target_ref, data, prev_hash, hash)
               SELECT g, now() - interval '365 days' + g * interval '365 days' / %s, 'scan.batch', '', 'worker',
                 'FR-B-' || lpad(mod(g, %s)::text, 6, '0'), 'recognition.Camera:1', '{"frames":15}',
                 md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text)
               FROM generate_series(1, %s) g""",
            [EVENTS, CASES, EVENTS],
        ),
    ]
    with connection.cursor() as cursor:
        for name, sql, params in steps:
            started = time.perf_counter()
            cursor.execute(sql, params or None)
            timings[name] = round(time.perf_counter() - started, 1)
            print(f"seeded {name}: {cursor.rowcount:,} rows in {timings[name]}s", flush=True)
        cursor.execute(
            "INSERT INTO audits_audithead (id, seq, hash) VALUES (1, %s, md5(%s::text) || md5(%s::text)) "
            "ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            [EVENTS, EVENTS, EVENTS],
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM recognition_alertreview")
        timings["review_rows"] = cursor.fetchone()[0]
    return timings


def appender(stop, results):
    """Another process appending audit events, each in its own transaction, recording (start, latency)."""
    import django

    django.setup()
    from django.db import connection, transaction

    from audits.events import EventType
    from audits.services import audit_record

    connection.close()
    samples = []
    i = 0
    while not stop.is_set():
        started = time.perf_counter()
        with transaction.atomic():
            audit_record(actor="bench", event_type=EventType.CASE_VIEWED, case_ref="FR-B-000001", data={"i": i})
        samples.append((time.time(), time.perf_counter() - started))
        i += 1
    results.put(samples)
    connection.close()


def stats(samples, start, end) -> dict:
    window = [lat for at, lat in samples if start <= at <= end]
    if not window:
        return {"appends": 0}
    window.sort()
    return {
        "appends": len(window),
        "appends_per_s": round(len(window) / max(end - start, 1e-9)),
        "p50_ms": round(statistics.median(window) * 1000, 2),
        "p99_ms": round(window[int(len(window) * 0.99) - 1] * 1000, 2),
        "max_ms": round(window[-1] * 1000, 1),
    }


def measured_run(batch_size: int) -> dict:
    from django.db import connection

    from office.services.retention import retention_run

    connection.close()
    ctx = multiprocessing.get_context("fork")
    stop, results = ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=appender, args=(stop, results))
    proc.start()
    time.sleep(1.0)  # let it connect
    base_start = time.time()
    time.sleep(BASELINE_SECONDS)
    base_end = run_start = time.time()
    started = time.perf_counter()
    counts = retention_run(batch_size=batch_size)
    seconds = time.perf_counter() - started
    run_end = time.time()
    stop.set()
    samples = results.get()
    proc.join()
    baseline, during = stats(samples, base_start, base_end), stats(samples, run_start, run_end)
    deleted = sum(counts.values())
    print(
        f"run (batch {batch_size}): {seconds:.2f}s, {deleted:,} rows taken {counts}; appends before "
        f"{baseline}, during {during}",
        flush=True,
    )
    return {
        "batch_size": batch_size,
        "seconds": round(seconds, 2),
        "rows": deleted,
        "baseline": baseline,
        "during": during,
    }


def main():
    create_database()
    try:
        setup_django()
        seeded = seed()
        from office.services.retention import retention_due

        started = time.perf_counter()
        due = retention_due()
        dry = time.perf_counter() - started
        print(f"dry run: {dry:.2f}s, due {due}", flush=True)
        from django.conf import settings

        runs = [measured_run(settings.RETENTION_BATCH_SIZE), measured_run(settings.RETENTION_BATCH_SIZE * 10)]
        figures = {
            "alerts": ALERTS,
            "audit_events": EVENTS,
            "reviews": seeded["review_rows"],
            "cases": CASES,
            "seed_seconds": {k: v for k, v in seeded.items() if k != "review_rows"},
            "dry_run_seconds": round(dry, 2),
            "due": due,
            "runs": runs,
            "seeded_chain_valid": False,
        }
    finally:
        drop_database()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
