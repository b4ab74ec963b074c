"""Recognition pipeline against a naive loop, on the sample clip, in one worker process.

Prints:
- the real-time factor (seconds of video per wall-clock second) of the platform's pipeline
  (recognition.worker.scan_run against the database: gate checks, fenced writes, audit
  events; not paced to real time) and of a naive loop (every frame at full resolution through
  the engine, as face_recognition's video example does), and their ratio;
- the detection share: of the frames where the naive loop finds Lin-Manuel Miranda at 0.6,
  the share within 0.5 s of a pipeline alert for him;
- the share of the pipeline's time spent in the gate and in the writes (alerts + audit);
- over 20 revocations at random instants from another thread while a scan runs, the longest
  delay from the revocation to the last frame read, and the number of alerts captured after it.
The last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_bench .venv/bin/python benchmarks/pipeline_bench.py

It drops and recreates its own database, never the application's.
"""

import json
import os
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oversight_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OVERSIGHT_VAR_DIR", "/tmp/oversight-bench")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.pop("CACHE_URL", None)

REVOCATIONS = int(os.environ.get("BENCH_REVOCATIONS", "20"))
FACES = ROOT / "tests" / "fixtures" / "faces"
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
NAIVE_THRESHOLD = 0.6


def ensure_database():
    import psycopg

    from config.env import parse_database_url

    cfg = parse_database_url("DATABASE_URL", os.environ["DATABASE_URL"], base_dir=ROOT)
    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres", autocommit=True
    ) as conn:
        # A fresh database each run: the audit trail is append-only, so it cannot be emptied in place.
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from oversight.models import Objective
    from oversight.roles import Role, sync_role_permissions

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    sync_role_permissions()
    Objective.objects.get_or_create(code="suspect", defaults={"label": "(c) Suspect"})
    users = {}
    for name, role in [
        ("bench_requester", Role.REQUESTER),
        ("bench_judge", Role.JUDGE),
        ("bench_admin", "platform_admin"),
        ("bench_dpo", "dpo_reviewer"),
    ]:
        user = get_user_model().objects.create_user(username=name, password=None)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    return users


def usable_camera(users, name):
    """A camera in a deployment the data protection office gave a favourable opinion on (cases need one)."""
    from datetime import date

    from oversight import services as cases

    camera = cases.camera_create(actor=users["platform_admin"], name=name, location_label="b", source=str(CLIP))
    deployment = cases.deployment_create(
        actor=users["platform_admin"],
        name=f"Bench deployment {name}",
        locations="b",
        consultation_request="bench",
        consultation_requested_on=date(2026, 1, 1),
        camera_ids=[camera.pk],
    )
    cases.deployment_record_opinion(
        actor=users["dpo_reviewer"], deployment=deployment, opinion="favourable", given_on=date(2026, 1, 2)
    )
    return camera


def approved_case(users, camera, people):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from oversight import services as cases
    from oversight.models import Person
    from oversight.roles import Role
    from watchlists.services import reference_photo_encode, reference_photo_upload

    now = timezone.now()
    case = cases.case_create(
        actor=users[Role.REQUESTER],
        objective="suspect",
        offence="Armed robbery",
        offence_max_sentence_years=12,
        requested_start=now,
        requested_end=now + timedelta(hours=24),
        assigned_judge=users[Role.JUDGE],
        legal_basis="Bench Act s. 1",
        evidence="e",
        harm_assessment="h",
        rights_impact="r",
        impact_assessment=SimpleUploadedFile("dpia.txt", b"dpia", "text/plain"),
        persons=[{"full_name": n, "category": "suspect", "reason": "bench"} for n, _ in people],
        cameras=[{"camera_id": camera.pk, "reason": "bench"}],
    )
    for (_, photo), person in zip(people, Person.objects.filter(case=case).order_by("pk"), strict=True):
        uploaded = reference_photo_upload(
            actor=users[Role.REQUESTER],
            person=person,
            data=(FACES / "people" / photo).read_bytes(),
            source="bench",
            legal_basis="bench",
            captured_at=timezone.localdate(),
        )
        reference_photo_encode(photo_id=uploaded.pk)
    case = cases.case_submit(actor=users[Role.REQUESTER], case=case)
    return cases.case_decide(actor=users[Role.JUDGE], case=case, granted=True, reasons="bench")


def naive_loop(lin_encoding):
    """Every frame, full resolution, HOG upsample 1, as face_recognition's video example."""
    from recognition import engine

    scope = engine.MatchScope.build([engine.Template("lin", "c", "lin", lin_encoding)], {"c": NAIVE_THRESHOLD})
    config = engine.EngineConfig(downscale=1.0, upsample=1)
    found = set()
    source = engine.VideoSource(CLIP)
    started = time.perf_counter()
    frames = 0
    while True:
        ok, frame = source.read()
        if not ok:
            break
        if engine.process_frame(frame, scope, config, with_crops=False).matches:
            found.add(frames)
        frames += 1
    wall = time.perf_counter() - started
    return {"frames": frames, "fps": source.fps, "wall": wall, "media": frames / source.fps, "found": found}


def main():
    # Uploads queue an encoding task on commit; the bench encodes synchronously, the queued
    # messages go to a throwaway filesystem broker.
    for sub in ("queue", "processed"):
        Path(os.environ["OVERSIGHT_VAR_DIR"], "broker", sub).mkdir(parents=True, exist_ok=True)
    ensure_database()
    users = setup()
    from django.db import connection
    from django.utils import timezone

    from oversight import services as cases
    from oversight.roles import Role
    from recognition import engine, worker
    from recognition.models import Alert, Scan

    camera = usable_camera(users, "Bench camera")
    people = [
        ("Lin-Manuel Miranda", "lin_manuel_miranda_1.png"),
        ("Alex Lacamoire", "alex_lacamoire_1.png"),
        ("Barack Obama", "obama_1.jpg"),
    ]
    case = approved_case(users, camera, people)
    lin_id = case.persons.get(full_name="Lin-Manuel Miranda").pk

    # Warm-up (model loading), then the pipeline over one pass of the clip.
    engine.encode_reference_image((FACES / "people" / "obama_1.jpg").read_bytes())
    started = time.perf_counter()
    outcome = worker.scan_run(camera_id=camera.pk, realtime=False, loop=False, max_seconds=1e9)
    pipeline_wall = time.perf_counter() - started
    assert outcome.stop_reason == "source_ended", outcome
    pipeline_rtf = outcome.media_seconds / pipeline_wall
    # The gate: the per-batch asks plus the fence at commit (locks and re-asks); the audit writes.
    t = outcome.timings
    overhead = t["gate"] + t["fence"] + t["audit"]
    overhead_share = overhead / pipeline_wall
    store_share = t["store"] / pipeline_wall
    pipeline_frames = sorted(Alert.objects.filter(case=case, person_id=lin_id).values_list("frame_index", flat=True))
    others = Alert.objects.filter(case=case).exclude(person_id=lin_id).count()
    print(
        f"pipeline: {outcome.media_seconds:.1f} s of video in {pipeline_wall:.1f} s = {pipeline_rtf:.2f}x real time; "
        f"{outcome.frames_analysed} frames analysed of {outcome.frames_read}; "
        f"{len(pipeline_frames)} alerts of Lin-Manuel, {others} of others"
    )
    print("pipeline time: " + ", ".join(f"{k} {v:.3f} s" for k, v in outcome.timings.items()))
    print(
        f"gate {t['gate']:.3f} s + fence {t['fence']:.3f} s + audit writes {t['audit']:.3f} s = {overhead:.3f} s "
        f"= {overhead_share:.2%} of the time; storing alerts and encrypted crops {t['store']:.3f} s "
        f"= {store_share:.2%}; whole batch commits {t['write']:.3f} s = {t['write'] / pipeline_wall:.2%}"
    )

    lin_encoding = engine.encode_reference_image((FACES / "people" / "lin_manuel_miranda_1.png").read_bytes())
    naive = naive_loop(lin_encoding)
    naive_rtf = naive["media"] / naive["wall"]
    print(
        f"naive: {naive['media']:.1f} s of video in {naive['wall']:.1f} s = {naive_rtf:.2f}x real time; "
        f"Lin-Manuel in {len(naive['found'])} of {naive['frames']} frames at {NAIVE_THRESHOLD}"
    )
    window = 0.5 * naive["fps"]
    near = sum(1 for f in naive["found"] if any(abs(f - p) <= window for p in pipeline_frames))
    detection_share = near / len(naive["found"]) if naive["found"] else 1.0
    print(f"detection share: {near}/{len(naive['found'])} = {detection_share:.1%} within 0.5 s of a pipeline alert")

    # Revocations at random instants, from another thread (its own DB connection).
    rng = random.Random(5)
    delays, stored_after, reasons = [], 0, []
    # A camera of its own, so that only the case being revoked covers it.
    camera = usable_camera(users, "Bench camera 2")
    for _run in range(REVOCATIONS):
        run_case = approved_case(users, camera, people[:1])
        revoked = {}
        pause = rng.uniform(0.5, 4.0)

        def revoke(case_pk=run_case.pk, pause=pause, revoked=revoked):
            time.sleep(pause)
            from oversight.models import Case

            cases.case_revoke(actor=users[Role.JUDGE], case=Case.objects.get(pk=case_pk), reason="bench")
            revoked["at"] = timezone.now()
            connection.close()

        thread = threading.Thread(target=revoke)
        thread.start()
        run_outcome = worker.scan_run(camera_id=camera.pk, realtime=False, loop=True, max_seconds=60)
        thread.join()
        scan = Scan.objects.get(pk=run_outcome.scan_id)
        delay = max(0.0, (scan.last_frame_at - revoked["at"]).total_seconds()) if scan.last_frame_at else 0.0
        delays.append(delay)
        reasons.append(run_outcome.stop_reason)
        stored_after += Alert.objects.filter(case=run_case, captured_at__gt=revoked["at"]).count()
    print(
        f"revocations: {REVOCATIONS}, stop reasons {sorted(set(map(str, reasons)))}; longest delay from revocation "
        f"to last frame read {max(delays):.3f} s (mean {sum(delays) / len(delays):.3f} s); "
        f"alerts captured after a revocation: {stored_after}"
    )

    print(
        json.dumps(
            {
                "pipeline_realtime_factor": round(pipeline_rtf, 3),
                "naive_realtime_factor": round(naive_rtf, 3),
                "ratio": round(pipeline_rtf / naive_rtf, 2),
                "detection_share": round(detection_share, 4),
                "gate_and_audit_share": round(overhead_share, 4),
                "alert_storage_share": round(store_share, 4),
                "batch_commit_share": round(t["write"] / pipeline_wall, 4),
                "revocations": REVOCATIONS,
                "max_stop_delay_seconds": round(max(delays), 3),
                "results_after_revocation": stored_after,
                "sample_fps": float(os.environ.get("RECOGNITION_SAMPLE_FPS", 5.0)),
            }
        )
    )


if __name__ == "__main__":
    main()
