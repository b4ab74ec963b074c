"""Audit trail throughput, against PostgreSQL.

Prints appends per second with 1 and 2 concurrent writer processes (each append
its own transaction, as a real action's would be), and the time audits_verify
takes for 100,000 and 1,000,000 events. The last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_bench python benchmarks/audit_bench.py

It uses (and empties) its own database, never the application's.
"""

import io
import json
import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oversight_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OVERSIGHT_VAR_DIR", "/tmp/oversight-bench")

APPENDS_PER_WRITER = int(os.environ.get("BENCH_APPENDS", "3000"))
VERIFY_SIZES = [int(x) for x in os.environ.get("BENCH_VERIFY_SIZES", "100000,1000000").split(",")]


def ensure_database():
    import psycopg

    from config.env import parse_database_url

    cfg = parse_database_url("DATABASE_URL", os.environ["DATABASE_URL"], base_dir=ROOT)
    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_log():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audits_auditevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audits_auditcheckpoint DISABLE TRIGGER USER")
        cursor.execute("TRUNCATE audits_auditevent, audits_auditcheckpoint, audits_audithead")
        cursor.execute("ALTER TABLE audits_auditevent ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audits_auditcheckpoint ENABLE TRIGGER USER")


def writer(n, barrier, results):
    import django

    django.setup()
    from django.db import connection, transaction

    from audits.events import EventType
    from audits.services import audit_record

    connection.close()
    barrier.wait()
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            audit_record(
                actor="bench",
                event_type=EventType.CASE_VIEWED,
                case_ref="FR-2026-0001",
                target_ref=f"oversight.Case:{i}",
                data={"i": i, "via": "bench"},
            )
    results.put(time.perf_counter() - started)
    connection.close()


def appends_per_second(processes):
    from django.db import connection

    empty_log()
    connection.close()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [ctx.Process(target=writer, args=(APPENDS_PER_WRITER, barrier, results)) for _ in range(processes)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    wall = time.perf_counter() - started
    durations = [results.get() for _ in procs]
    total = APPENDS_PER_WRITER * processes
    rate = total / max(durations)
    print(f"appends: {processes} writer(s), {total} events, {rate:,.0f} appends/s (wall incl. start-up {wall:.1f}s)")
    return rate


def bulk_chain(n):
    """Write a valid chain of n events quickly with COPY (the benchmark is about verification)."""
    from django.db import connection

    from audits import chain

    empty_log()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    prev = "0" * 64
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY audits_auditevent (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref,"
            " data, prev_hash, hash) FROM STDIN"
        ) as copy:
            for seq in range(1, n + 1):
                at = base + timedelta(microseconds=seq * 1013)
                data = chain.canonical_data({"i": seq, "frames": 15, "faces": seq % 4})
                fields = (
                    seq,
                    at,
                    "scan.batch",
                    "",
                    "worker",
                    f"FR-2026-{seq % 50:04d}",
                    f"recognition.Camera:{seq % 7}",
                    data,
                    prev,
                )
                digest = chain.event_hash(*fields)
                copy.write_row((*fields, digest))
                prev = digest
        cursor.execute("INSERT INTO audits_audithead (id, seq, hash) VALUES (1, %s, %s)", [n, prev])


def verify_seconds(n):
    from django.core.management import call_command

    bulk_chain(n)
    out = io.StringIO()
    started = time.perf_counter()
    call_command("audits_verify", stdout=out)
    elapsed = time.perf_counter() - started
    assert f"count={n}" in out.getvalue(), out.getvalue()
    print(f"verify: {n:,} events in {elapsed:.2f}s = {n / elapsed:,.0f} events/s")
    return elapsed


def verify_command_rss_mb() -> float:
    """Run audits_verify in a fresh process and return that process's own peak memory (MB).

    Comparing it across log sizes shows whether verification streams (flat) or loads the log.
    """
    import subprocess

    code = (
        "import io, django; django.setup(); from django.core.management import call_command; "
        "call_command('audits_verify', stdout=io.StringIO()); "
        # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak over exec.
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return int(result.stdout.strip().splitlines()[-1]) / 1024


def peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ensure_database()
    setup_django()
    figures = {
        "appends_per_s_1_writer": round(appends_per_second(1)),
        "appends_per_s_2_writers": round(appends_per_second(2)),
    }
    for n in VERIFY_SIZES:
        rss_before = peak_rss_mb()
        seconds = verify_seconds(n)
        figures[f"verify_s_{n}"] = round(seconds, 2)
        figures[f"verify_events_per_s_{n}"] = round(n / seconds)
        child = verify_command_rss_mb()
        figures[f"verify_command_peak_rss_mb_{n}"] = round(child)
        print(f"  audits_verify in its own process: peak RSS {child:.0f} MB")
        print(f"  this process: peak RSS {peak_rss_mb():.0f} MB (was {rss_before:.0f} MB; includes generating)")
    empty_log()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
