"""Audit trail throughput, against PostgreSQL.

Prints appends per second with 1 and 2 concurrent writer processes (each append
its own transaction, as a real action's would be; and 2 writers whose transactions
append 10 events each through audit_record_many), the time audits_verify
takes for 100,000 and 1,000,000 events, and the audit browser's list time at
10 million events (first page and a deep page, for the common filters). The last line is one JSON object.

    createdb -h 127.0.0.1 -U postgres -O oversight oversight_auditbench
    DATABASE_URL=postgres://oversight@127.0.0.1:5432/oversight_auditbench python benchmarks/audit_bench.py
    dropdb -h 127.0.0.1 -U postgres oversight_auditbench      # ~6 GB at 10 million events

It uses (and empties) its own database, never the application's. BENCH_BROWSE_EVENTS=0 skips the browser part.

The 10 million browser events are generated inside PostgreSQL (INSERT ... SELECT
generate_series) with a realistic mix (92% scan batches of 12 active cases, alerts,
consultations, sign-ins, decisions) but placeholder hashes: their chain is NOT valid,
which does not matter for list timing (the browser never hashes) and is why the
verify figures use their own, valid, chains.
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
# Production's settings: DEBUG off (with DEBUG on, Django also logs every query, which costs the appends a fifth).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "audit-bench-only-secret-key-0123456789abcdef")
os.environ.setdefault("SECURE_HSTS_SECONDS", "31536000")
os.environ.setdefault("SECURE_SSL_REDIRECT", "1")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("OVERSIGHT_VAR_DIR", "/tmp/oversight-bench")

APPENDS_PER_WRITER = int(os.environ.get("BENCH_APPENDS", "3000"))
VERIFY_SIZES = [int(x) for x in os.environ.get("BENCH_VERIFY_SIZES", "100000,1000000").split(",") if x]
BROWSE_EVENTS = int(os.environ.get("BENCH_BROWSE_EVENTS", "10000000"))
BROWSE_REPEATS = 5


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
        tables = ("audits_auditevent", "audits_auditcheckpoint", "audits_auditcut")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(f"TRUNCATE {', '.join(tables)}, audits_audithead")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def writer(n, barrier, results, batch=1):
    import django

    django.setup()
    from django.db import connection, transaction

    from audits.events import EventType
    from audits.services import audit_record, audit_record_many

    connection.close()
    barrier.wait()
    started = time.perf_counter()
    if batch > 1:
        # An action that records several events (a case with its persons): one audit_record_many() call each.
        for first in range(0, n, batch):
            with transaction.atomic():
                audit_record_many(
                    events=[
                        {
                            "actor": "bench",
                            "event_type": EventType.CASE_VIEWED,
                            "case_ref": "FR-2026-0001",
                            "target_ref": f"oversight.Case:{i}",
                            "data": {"i": i, "via": "bench"},
                        }
                        for i in range(first, min(n, first + batch))
                    ]
                )
        n = 0
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


def appends_per_second(processes, batch=1):
    from django.db import connection

    empty_log()
    connection.close()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    procs = [ctx.Process(target=writer, args=(APPENDS_PER_WRITER, barrier, results, batch)) for _ in range(processes)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    wall = time.perf_counter() - started
    durations = [results.get() for _ in procs]
    total = APPENDS_PER_WRITER * processes
    rate = total / max(durations)
    per = f", {batch} events per transaction" if batch > 1 else ""
    print(
        f"appends: {processes} writer(s){per}, {total} events, {rate:,.0f} appends/s (wall incl. start-up {wall:.1f}s)"
    )
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


BROWSE_SEED = """
INSERT INTO audits_auditevent
    (seq, occurred_at, event_type, actor_id, actor_label, case_ref, target_ref, data, prev_hash, hash)
SELECT i,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '250 milliseconds',
       CASE WHEN m < 920 THEN 'scan.batch' WHEN m < 950 THEN 'alert.created' WHEN m < 970 THEN 'alert.viewed'
            WHEN m < 985 THEN 'case.viewed' WHEN m < 995 THEN 'auth.login' WHEN m < 999 THEN 'audit.viewed'
            ELSE 'case.approved' END,
       '',
       CASE WHEN m < 950 THEN 'worker' WHEN m < 970 THEN 'verifier_' || (i %% 7)
            WHEN m < 995 THEN 'officer_' || (i %% 40) WHEN m < 999 THEN 'dpo_reviewer'
            ELSE 'judge_' || ((i / 1000) %% 5) END,
       CASE WHEN m < 970 THEN 'FR-2026-' || lpad(((i / 1000) %% 12)::text, 4, '0')
            WHEN m < 985 OR m = 999 THEN 'FR-2026-' || lpad(((i / 1000) %% 200)::text, 4, '0') ELSE '' END,
       'recognition.Camera:' || (i %% 30),
       '{"frames":2,"faces":1}',
       md5((i - 1)::text) || md5((i - 1)::text || 'x'),
       md5(i::text) || md5(i::text || 'x')
FROM (SELECT i, i %% 1000 AS m FROM generate_series(%s::bigint, %s::bigint) AS i) AS g
"""

BROWSE_FILTERS = {
    "none": {},
    "case_active": {"case_ref": "FR-2026-0007"},
    "case_rare": {"case_ref": "FR-2026-0150"},
    "actor": {"actor": "dpo_reviewer"},
    "actor_rare": {"actor": "judge_3"},
    "type": {"event_type": "alert.created"},
    "type_rare": {"event_type": "case.approved"},
    "type_group": {"event_type": "case"},
    "day": {"since": "2026-01-03", "until": "2026-01-04"},
    "case_and_day": {"case_ref": "FR-2026-0007", "since": "2026-01-03", "until": "2026-01-04"},
}


def seed_browse_events(n):
    """n events in a few big INSERT ... SELECT statements, with the secondary indexes built afterwards."""
    from django.db import connection

    empty_log()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audits_auditevent' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'audits_auditevent'::regclass)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'audits_auditevent'::regclass AND contype = 'u'"
        )
        uniques = cursor.fetchall()
        for name, _ in uniques:
            cursor.execute(f'ALTER TABLE audits_auditevent DROP CONSTRAINT "{name}"')
        started = time.perf_counter()
        step = 2_000_000
        for low in range(1, n + 1, step):
            cursor.execute(BROWSE_SEED, [low, min(n, low + step - 1)])
            print(f"  seeded {min(n, low + step - 1):,} events ({time.perf_counter() - started:.0f}s)", flush=True)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in uniques:
            cursor.execute(f'ALTER TABLE audits_auditevent ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("INSERT INTO audits_audithead (id, seq, hash) VALUES (1, %s, %s)", [n, "f" * 64])
        print(f"  indexes built ({time.perf_counter() - started:.0f}s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audits_auditevent")
    return time.perf_counter() - started


def _median_ms(fn):
    times = []
    for _ in range(BROWSE_REPEATS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[len(times) // 2]


def browse_times(n):
    """The browser's list (audits.selectors.audit_event_page, what /audits/ runs) at n events."""
    from audits.forms import EventFilterForm
    from audits.selectors import audit_event_list, audit_event_page, cursor_encode

    figures = {}
    deep_seq = n // 10  # a page about 90% of the way down the unfiltered list
    for label, raw in BROWSE_FILTERS.items():
        form = EventFilterForm(raw)
        assert form.is_valid(), form.errors
        filters = {k: v for k, v in form.filters().items() if v}
        first = audit_event_page(filters=filters)  # warm-up, and proof that it finds rows
        assert len(first.events) == 50, (label, len(first.events))
        first_ms = _median_ms(lambda f=filters: audit_event_page(filters=f))
        deep_qs = audit_event_list(**filters).filter(seq__lte=deep_seq) if "since" not in filters else None
        if deep_qs is None:  # inside a day: start 90% of the way through the day
            span = filters["until"] - filters["since"]
            deep_qs = audit_event_list(**{**filters, "until": filters["since"] + span / 10})
        deep_row = deep_qs.order_by("-seq").first() if "since" not in filters else deep_qs.first()
        if deep_row is None:  # only with a small BENCH_BROWSE_EVENTS
            print(f"browse {label:>13}: first page {first_ms:6.1f} ms, no deep page at this size")
            figures[f"browse_first_page_ms_{label}"] = round(first_ms, 1)
            continue
        cursor = cursor_encode(deep_row)
        deep = audit_event_page(filters=filters, older_than=cursor)
        assert deep.events, (label, "deep page is empty")
        deep_ms = _median_ms(lambda f=filters, c=cursor: audit_event_page(filters=f, older_than=c))
        figures[f"browse_first_page_ms_{label}"] = round(first_ms, 1)
        figures[f"browse_deep_page_ms_{label}"] = round(deep_ms, 1)
        print(
            f"browse {label:>13}: first page {first_ms:6.1f} ms, deep page (event {deep_row.seq:,}) {deep_ms:6.1f} ms"
        )
    figures.update(page_view_times())
    return figures


def page_view_times():
    """The whole /audits/ page (permission check, list, its audit.viewed append, template) for two filters."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import RequestFactory, override_settings

    from audits import views
    from oversight.roles import Role, sync_role_permissions

    # The office's role: a superuser reads no audit trail by being one (access follows roles only).
    sync_role_permissions()
    get_user_model().objects.filter(username="bench_reviewer").delete()  # left by an earlier run (this database only)
    user = get_user_model().objects.create_user("bench_reviewer", password="bench-" + "x" * 20)
    user.groups.add(Group.objects.get(name=Role.DPO_REVIEWER))
    factory = RequestFactory()
    figures = {}
    # Static files by name: production serves them from collectstatic's manifest, which this run has not built.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    for label in ("none", "case_active"):

        def render(params=BROWSE_FILTERS[label]):
            request = factory.get("/audits/", params)
            request.user = user
            with override_settings(STORAGES=plain_static):
                response = views.event_list(request)
            assert response.status_code == 200

        render()
        ms = _median_ms(render)
        figures[f"browse_page_view_ms_{label}"] = round(ms, 1)
        print(f"page view {label:>13}: {ms:6.1f} ms (whole view incl. its audit.viewed event and template)")
    return figures


def main():
    ensure_database()
    setup_django()
    figures = {
        "appends_per_s_1_writer": round(appends_per_second(1)),
        "appends_per_s_2_writers": round(appends_per_second(2)),
        # Actions that record several events append them in one call (audit_record_many).
        "appends_per_s_2_writers_batch_10": round(appends_per_second(2, batch=10)),
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
    if BROWSE_EVENTS:
        seconds = seed_browse_events(BROWSE_EVENTS)
        print(f"browse: seeded {BROWSE_EVENTS:,} events in {seconds:.0f}s")
        figures["browse_events"] = BROWSE_EVENTS
        figures.update(browse_times(BROWSE_EVENTS))
    empty_log()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
