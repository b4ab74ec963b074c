"""Data-subject requests at real size (PostgreSQL, R21): how long the office waits, through the pages, to record a
request that finds N items, to read its grouped findings, to decide all of them in one step (the page's script asks
for JSON) and to carry it out (an erasure of every sighting, its photo and its verdicts through THE deletion code).

Builds its own database oversight_dsrbench (created with `createdb -h 127.0.0.1 -U postgres -O oversight`, dropped at
the end): one running case seeking Jana Novakova with a reference photo and N - 3 sightings of her, for N in
BENCH_FINDINGS (100,1000). Each step runs through Django's test client (the WSGI stack: middleware, sessions, CSRF
off, templates), signed in with a confirmed second factor. Last line: one JSON object.

    python benchmarks/subject_request_bench.py
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "oversight_dsrbench"
os.environ["DATABASE_URL"] = f"postgres://oversight@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OVERSIGHT_VAR_DIR", "/tmp/oversight-dsrbench")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # Django's test client
os.environ.setdefault("AUDIT_SIGNING_KEY_FILE", "/tmp/oversight-dsrbench/keys/audit.pem")
os.environ.setdefault("DATA_KEY_FILE", "/tmp/oversight-dsrbench/keys/data.key")
os.environ.setdefault("MEDIA_ROOT", "/tmp/oversight-dsrbench/media")

SIZES = [int(n) for n in os.environ.get("BENCH_FINDINGS", "100,1000").split(",")]


def database(action: str) -> None:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    if action == "create":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "oversight", DB], check=True)


def timed(call, *args, **kwargs):
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return result, round(time.perf_counter() - started, 3)


def main() -> dict:
    database("create")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from oversight import services
    from oversight.models import DataSubjectRequest
    from oversight.roles import Role, sync_role_permissions
    from recognition.models import Alert
    from tests.conftest import force_login_with_second_factor, make_user
    from tests.office.retention_helpers import alert_for, photo_for
    from tests.oversight.factories import deployment_with_opinion, draft_case

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    sync_role_permissions()
    requester = make_user("bench_requester", Role.REQUESTER, unit="Serious Crime Unit")
    judge = make_user("bench_judge", Role.JUDGE)
    dpo = make_user("bench_dpo", Role.DPO_REVIEWER)
    admin = make_user("bench_admin", Role.PLATFORM_ADMIN)
    cameras = [
        services.camera_create(actor=admin, name=f"Bench camera {i}", location_label="Station", source="rtsp://h/s")
        for i in range(2)
    ]
    deployment_with_opinion(admin, dpo, cameras)
    office = Client()
    force_login_with_second_factor(office, dpo)
    out = {}
    families = iter(("Novakova", "Dvorakova", "Cerna", "Prochazkova", "Kucerova"))
    for n in SIZES:
        name = f"Jana {next(families)}"  # a distinct person for each size
        start = timezone.now() - timedelta(minutes=5)
        case = draft_case(
            requester,
            cameras,
            judge=judge,
            start=start,
            end=start + timedelta(hours=20),
            persons=((name, "missing_person"), ("Petr Svoboda", "suspect")),
        )
        for person in case.persons.all():
            photo_for(person, uploaded_by=requester)
        case = services.case_submit(actor=requester, case=case)
        case = services.case_decide(actor=judge, case=case, granted=True, reasons="Necessary and proportionate.")
        person = case.persons.get(full_name=name)
        for k in range(n - 3):
            alert_for(case, person=person, n=k)
        recorded, record_s = timed(office.post, "/subject-requests/", {"kind": "erasure", "subject_name": name})
        assert recorded.status_code == 302, (recorded.status_code, recorded.content[:300])
        request = DataSubjectRequest.objects.latest("pk")
        assert request.items.count() == n, request.items.count()
        page, page_s = timed(office.get, f"/subject-requests/{request.pk}/")
        assert page.status_code == 200
        answer, decide_s = timed(
            office.post,
            f"/subject-requests/{request.pk}/decide/",
            {"group": "all", "decision": "erase"},
            HTTP_ACCEPT="application/json",
        )
        assert answer.status_code == 200 and answer.json()["undecided"] == 0
        item = request.items.get(target_label="oversight.Case")
        _, override_s = timed(
            office.post,
            f"/subject-requests/{request.pk}/items/{item.pk}/decide/",
            {"decision": "no_action", "reasons": "Running case"},
            HTTP_ACCEPT="application/json",
        )
        done, carry_s = timed(office.post, f"/subject-requests/{request.pk}/carry-out/")
        assert done.status_code == 302 and not Alert.objects.filter(person=person).exists()
        out[n] = {
            "record_and_find_s": record_s,
            "findings_page_s": page_s,
            "findings_page_kb": round(len(page.content) / 1024),
            "decide_all_s": decide_s,
            "override_one_s": override_s,
            "carry_out_s": carry_s,
        }
        print(f"{n} findings: {out[n]}")
    connections.close_all()
    database("drop")
    return out


if __name__ == "__main__":
    figures = main()
    print(json.dumps({f"findings_{n}": v for n, v in figures.items()}))
