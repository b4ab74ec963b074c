"""A real deployment's size (PostgreSQL): a 72-hour case on six cameras, its dossier PDF, deployment records and the
annual report.

Seeds, in its own database oversight_deploybench (created with `createdb -h 127.0.0.1 -U postgres -O oversight`,
dropped at the end unless BENCH_KEEP=1), everything through the services, as the workers and people would, with
the clock moved by time-machine; only the face engine is left out (no pixels: the batches carry what the engine
would have reported, and reference faces count as ready):
- a judge grants a case for BENCH_HOURS (72) hours on six cameras, three persons sought;
- each camera is analysed in 45-second segments handed between three workers (scan_start, one scan_batch_commit
  per segment with the segment's counts, scan_stop): about 5,500 segment rows per camera. A real worker commits
  a batch every half second; one batch per segment keeps the seeding to minutes and the segment rows exact;
- one camera is unreachable for 40 minutes (an outage, retried with the worker's growing pause) and one worker dies
  mid-segment (its scan closed by the dispatcher's stale check), so the periods have interruptions to summarise;
- BENCH_SIGHTINGS (60) sightings spread over the cameras and persons, verified by two verifiers (two thirds
  confirmed, a quarter rejected, the rest left waiting), outcomes recorded for half of the confirmed ones;
- BENCH_CONSULTATIONS (2,000) consultations: verifiers opening sightings, the requester, judge and office opening
  the case, spread over the days.
Then it builds the dossier and its PDF, the deployment records page (through the web client, as the office reads
it), and the annual report with its PDF, and prints the figures. Last line: one JSON object.

    python benchmarks/deployment_bench.py            # BENCH_HOURS=2 for a quick run
    BENCH_KEEP=1 python benchmarks/deployment_bench.py  # keep the database; then BENCH_REUSE=1 measures it again
"""

import io
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DATABASE", "oversight_deploybench")
os.environ["DATABASE_URL"] = f"postgres://oversight@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OVERSIGHT_VAR_DIR", "/tmp/oversight-deploybench")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ["CASE_MAX_CAMERAS"] = "6"

HOURS = float(os.environ.get("BENCH_HOURS", "72"))
CAMERAS = 6
SIGHTINGS = int(os.environ.get("BENCH_SIGHTINGS", "60"))
CONSULTATIONS = int(os.environ.get("BENCH_CONSULTATIONS", "2000"))
SEGMENT_SECONDS = 45
HANDOVER_SECONDS = 2
WORKERS = ("scan@node-1", "scan@node-2", "scan@node-3")
START = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 08:00 in Prague
OUTAGE_CAMERA, OUTAGE_AT, OUTAGE_MINUTES = 2, timedelta(hours=min(20, HOURS / 3)), 40
LOST_CAMERA, LOST_AT = 4, timedelta(hours=min(30, HOURS / 2))


def database_create():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", "oversight", DB], check=True)


def database_drop():
    from django.db import connections

    connections.close_all()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def users():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from oversight.roles import Role, sync_role_permissions

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    sync_role_permissions()

    def make(name, role, unit):
        user = get_user_model().objects.create_user(username=name, password="bench-password-123456", unit=unit)
        user.groups.add(Group.objects.get(name=role))
        return user

    return {
        "requester": make("officer_bench", Role.REQUESTER, "Serious Crime Unit"),
        "judge": make("judge_bench", Role.JUDGE, "Municipal Court"),
        "verifiers": [make(f"verifier_bench_{i}", Role.ALERT_VERIFIER, "Control Room") for i in (1, 2)],
        "dpo": make("dpo_bench", Role.DPO_REVIEWER, "Data Protection Office"),
        "admin": make("admin_bench", Role.PLATFORM_ADMIN, "IT"),
    }


def case_granted(clock, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oversight import registry, services
    from oversight.models import Objective

    # The face engine is not run: every reference face counts as ready (as the tests stub it).
    registry._readiness_checks["watchlists.reference_faces"] = lambda case: {}
    Objective.objects.get_or_create(code="victims", defaults={"label": "(a) Victims"})
    clock.move_to(START - timedelta(days=40))
    cameras = [
        services.camera_create(
            actor=people["admin"], name=f"Station {i + 1}", location_label="Main station", source="rtsp://h/s"
        )
        for i in range(CAMERAS)
    ]
    deployment = services.deployment_create(
        actor=people["admin"],
        name="Main station pilot",
        locations="Main station",
        consultation_request="Prior consultation on live facial recognition at the main station.",
        consultation_requested_on=(START - timedelta(days=50)).date(),
        camera_ids=[c.pk for c in cameras],
    )
    services.deployment_record_opinion(
        actor=people["dpo"], deployment=deployment, opinion="favourable", given_on=(START - timedelta(days=40)).date()
    )
    clock.move_to(START - timedelta(hours=3))
    case = services.case_create(
        actor=people["requester"],
        objective="victims",
        requested_start=START,
        requested_end=START + timedelta(hours=HOURS),
        authority="judge",
        assigned_judge=people["judge"],
        persons=[
            {"full_name": name, "category": "missing_person", "reason": "Seen near the station"}
            for name in ("Jana Novakova", "Eva Dvorakova", "Petr Svoboda")
        ],
        cameras=[{"camera_id": c.pk, "reason": "Every train passes these platforms"} for c in cameras],
        legal_basis="Police Act s. 42(1)",
        evidence="Witness statements and phone records.",
        harm_assessment="Risk to the lives of three missing children.",
        rights_impact="Passers-by are scanned; non-matches are discarded at once.",
        impact_assessment=SimpleUploadedFile("dpia.pdf", b"%PDF-1.4\n% impact assessment\n"),
    )
    case = services.case_submit(actor=people["requester"], case=case)
    clock.move_to(START - timedelta(hours=1))
    case = services.case_decide(actor=people["judge"], case=case, granted=True, reasons="Necessary and proportionate.")
    return case, cameras


def segments(clock, case, cameras, rng) -> dict:
    """Every camera analysed in segments for the whole window, as the workers would, with an outage, a worker
    that dies, and the sightings at their instants."""
    from recognition import services as recognition
    from recognition.sightings import SightingBuilder, TrackHit

    person_ids = list(case.persons.order_by("id").values_list("pk", flat=True))
    end = START + timedelta(hours=HOURS)
    # The sightings' instants, spread over the window, each on a camera for a person.
    planned = sorted(
        (START + timedelta(seconds=rng.uniform(60, HOURS * 3600 - 60)), rng.randrange(CAMERAS), rng.choice(person_ids))
        for _ in range(SIGHTINGS)
    )
    counts = {"segments": 0, "outage_attempts": 0}
    # Cameras are walked one after the other (each camera's segments in order); the workers are interleaved.
    for index, camera in enumerate(cameras):
        mine = [(at, person) for at, cam, person in planned if cam == index]
        builder = SightingBuilder(camera.pk)
        at, segment = START, 0
        outage_start = START + OUTAGE_AT if index == OUTAGE_CAMERA else None
        lost_at = START + LOST_AT if index == LOST_CAMERA else None
        while at + timedelta(seconds=SEGMENT_SECONDS) <= end:
            if outage_start and at >= outage_start:
                # The camera stops answering: one outage, retried with the worker's growing pause.
                attempt_at = at
                while attempt_at < outage_start + timedelta(minutes=OUTAGE_MINUTES):
                    clock.move_to(attempt_at)
                    outage = recognition.camera_outage_record(
                        camera_id=camera.pk,
                        message="Video source rtsp://h/s: cannot open: unreachable, refused, no answer within 10 s, "
                        "or not a video stream.",
                    )
                    counts["outage_attempts"] += 1
                    attempt_at = outage.retry_at
                at = attempt_at
                clock.move_to(at)
                outage_start = None
                ended_outage = True
            else:
                ended_outage = False
            clock.move_to(at)
            worker = WORKERS[(segment + index) % len(WORKERS)]
            scan = recognition.scan_start(camera_id=camera.pk, worker=worker)
            stop_at = at + timedelta(seconds=SEGMENT_SECONDS)
            events, matches = [], 0
            while mine and mine[0][0] < stop_at:
                seen_at, person = mine.pop(0)
                seen_at = max(seen_at, at)
                for frame in range(6):
                    hit = TrackHit(1, case.pk, person, 0.42 + 0.01 * frame, crop_jpeg=b"\xff\xd8bench-crop")
                    events += builder.add_frame(frame, seen_at + timedelta(seconds=0.2 * frame), [hit])
                events += builder.close_all()
                matches += 1
            frames = SEGMENT_SECONDS * 5
            batch = recognition.ScanBatch(
                frames_read=SEGMENT_SECONDS * 25,
                frames_analysed=frames,
                events=events,
                faces_seen=rng.randrange(0, 40),
                matches=matches,
                watchlist_versions={case.pk: "v1"},
                thresholds={case.pk: case.effective_threshold},
                case_references={case.pk: case.reference},
                first_frame_at=at,
                last_frame_at=stop_at - timedelta(seconds=0.2),
            )
            clock.move_to(stop_at - timedelta(seconds=0.1))
            recognition.scan_batch_commit(scan_id=scan.pk, batch=batch)
            if ended_outage:
                recognition.camera_outage_end(camera_id=camera.pk)
            counts["segments"] += 1
            segment += 1
            if lost_at and at >= lost_at:
                # The worker dies mid-segment: no stop; the dispatcher closes the stale scan and queues the camera.
                lost_at = None
                at = stop_at + timedelta(seconds=20)
                clock.move_to(at)
                recognition.scans_close_stale(now=at)
                continue
            clock.move_to(stop_at)
            recognition.scan_stop(scan_id=scan.pk, reason="segment_end")
            at = stop_at + timedelta(seconds=HANDOVER_SECONDS)
    return counts


def reviews_and_consultations(clock, case, people, rng) -> dict:
    from oversight import services
    from recognition import services as recognition
    from recognition.models import Alert

    first, second = people["verifiers"]
    alerts = list(Alert.objects.filter(case=case).select_related("case").order_by("captured_at"))
    counts = {"verified": 0, "false": 0, "pending": 0, "outcomes": 0, "consultations": 0}
    for i, alert in enumerate(alerts):
        clock.move_to(alert.last_seen_at + timedelta(minutes=2))
        recognition.alert_record_view(actor=first, alert=alert, interface="web", basis="alert_verifier")
        recognition.alert_record_view(actor=second, alert=alert, interface="web", basis="alert_verifier")
        counts["consultations"] += 2
        if i % 12 < 8:
            recognition.alert_review(actor=first, alert=alert, verdict="confirm")
            clock.move_to(alert.last_seen_at + timedelta(minutes=4))
            recognition.alert_review(actor=second, alert=alert, verdict="confirm")
            counts["verified"] += 1
            if i % 2 == 0:
                recognition.alert_record_outcome(actor=first, alert=alert, outcome=rng.choice(["engaged", "no_action"]))
                counts["outcomes"] += 1
        elif i % 12 < 11:
            recognition.alert_review(actor=second, alert=alert, verdict="reject", note="Not the person.")
            counts["false"] += 1
        else:
            counts["pending"] += 1
    # The rest of the consultations: people opening the case and its sightings through the three days.
    readers = [
        (people["requester"], "requester"),
        (people["judge"], "judge"),
        (people["dpo"], "data protection review"),
    ]
    instants = sorted(
        START + timedelta(seconds=rng.uniform(0, HOURS * 3600)) for _ in range(CONSULTATIONS - counts["consultations"])
    )
    for at in instants:
        clock.move_to(at)
        if alerts and rng.random() < 0.5:
            alert = rng.choice([a for a in alerts if a.captured_at <= at] or alerts[:1])
            recognition.alert_record_view(
                actor=rng.choice(people["verifiers"]), alert=alert, interface="web", basis="alert_verifier"
            )
        else:
            reader, basis = rng.choice(readers)
            case.access_basis = basis
            services.case_record_view(actor=reader, case=case, interface="web")
        counts["consultations"] += 1
    return counts


def signed_in_client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(clock, case, people) -> dict:
    import pypdf
    from django.db import connection, reset_queries
    from django.urls import reverse
    from django.utils import translation

    from office.reports.annual import annual_report
    from office.reports.documents import annual_pdf, dossier_pdf
    from office.reports.dossier import case_dossier
    from recognition.models import Scan
    from recognition.reports import operating_periods

    clock.move_to(START + timedelta(hours=HOURS, minutes=30))
    figures = {"segment_rows": Scan.objects.count()}
    with translation.override("en"):
        started = time.perf_counter()
        periods = operating_periods(case)
        figures["operating_periods_ms"] = round((time.perf_counter() - started) * 1000, 1)
        figures["operating_periods"] = len(periods)
        started = time.perf_counter()
        dossier = case_dossier(case=case)
        figures["dossier_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        pdf = dossier_pdf(dossier)
        figures["dossier_pdf_render_seconds"] = round(time.perf_counter() - started, 3)
        figures["dossier_pdf_seconds"] = round(figures["dossier_seconds"] + figures["dossier_pdf_render_seconds"], 3)
        figures["dossier_pdf_pages"] = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        out = Path(os.environ["OVERSIGHT_VAR_DIR"]) / "deployment-bench-dossier.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf)
        figures["dossier_pdf_file"] = str(out)
        started = time.perf_counter()
        report = annual_report(year=START.year)
        annual = annual_pdf(report)
        figures["annual_report_seconds"] = round(time.perf_counter() - started, 3)
        figures["annual_report_pdf_pages"] = len(pypdf.PdfReader(io.BytesIO(annual)).pages)
        (out.parent / "deployment-bench-annual.pdf").write_bytes(annual)
    client = signed_in_client(people["dpo"])
    url = reverse("office:deployment_records") + f"?year={START.year}"
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # warm: templates and translations loaded once per process
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    figures["records_page_ms"] = round(sorted(timings)[len(timings) // 2], 1)
    from django.conf import settings

    settings.DEBUG = True
    reset_queries()
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    figures["records_page_queries"] = len(connection.queries)
    return figures


def seeded_before():
    """BENCH_REUSE=1 (after a run with BENCH_KEEP=1): measure again on the kept database without seeding."""
    from django.contrib.auth import get_user_model

    from oversight.models import Case
    from recognition.models import Alert, CameraOutage

    named = get_user_model().objects.in_bulk(field_name="username")
    people = {
        "dpo": named["dpo_bench"],
        "verifiers": [named["verifier_bench_1"], named["verifier_bench_2"]],
    }
    alerts = Alert.objects.all()
    seeded = {
        "consultations": CONSULTATIONS,
        "verified": alerts.filter(status="verified").count(),
        "false": alerts.filter(status="rejected").count(),
        "pending": alerts.filter(status="new").count(),
        "outage_attempts": sum(CameraOutage.objects.values_list("attempts", flat=True)),
    }
    return Case.objects.get(), people, seeded


def main():
    import time_machine

    reuse = bool(os.environ.get("BENCH_REUSE"))
    if not reuse:
        database_create()
    try:
        setup_django()
        rng = random.Random(20260610)
        with time_machine.travel(START - timedelta(days=40), tick=False) as clock:
            started = time.perf_counter()
            if reuse:
                case, people, seeded = seeded_before()
            else:
                people = users()
                case, cameras = case_granted(clock, people)
                seeded = segments(clock, case, cameras, rng)
                seeded.update(reviews_and_consultations(clock, case, people, rng))
            seed_seconds = round(time.perf_counter() - started, 1)
            figures = measure(clock, case, people)
        figures = {
            "hours": HOURS,
            "cameras": CAMERAS,
            **figures,
            "sightings": SIGHTINGS,
            "consultations": seeded["consultations"],
            "verified": seeded["verified"],
            "false": seeded["false"],
            "pending": seeded["pending"],
            "outage_attempts": seeded["outage_attempts"],
            "seed_seconds": seed_seconds,
            "load_average": round(os.getloadavg()[0], 2),
        }
        for key, value in figures.items():
            print(f"{key}: {value}")
        print(json.dumps(figures))
    finally:
        if not os.environ.get("BENCH_KEEP") and not reuse:
            database_drop()


if __name__ == "__main__":
    main()
