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
  delay from the revocation to the last frame read, and the number of alerts captured after it;
- post-event searches (R24): the sample clip and the 1080p crowd uploaded as recordings, checked, then analysed
  as fast as one core allows: ``post_event_speed_factor_clip`` / ``_1080p`` (seconds of recording per second of
  processing) and, on the clip, the share of the live pipeline's matched frames the post-event search matched
  (``--post-event-only`` runs just these).
The last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oversight_bench .venv/bin/python benchmarks/pipeline_bench.py

It drops and recreates its own database, never the application's.

Then, without a database, exactly the analyser + sighting code path the worker runs
(recognition.analysis.CameraAnalyser -> recognition.sightings.SightingBuilder), unpaced, on
one core (the process is pinned to CPU 0):

- on the sample clip: real-time factor and its ratio to the naive loop, sightings per
  appearance (appearances: runs of the naive loop's matches of Lin-Manuel Miranda at 0.6,
  joined across gaps up to the sighting gap), detection share (naive matches within 0.5 s
  of a frame a sighting matched), where the time goes;
- on ../shared/data/faces/video/marathon_1080p.mp4 (1920x1080 street crowd, read from
  shared data, never copied into the repository): a reference face of one runner cut from
  the middle frame, searched in the other frames by the pipeline and by the naive loop
  (every frame, full-resolution YuNet, every face of the minimum size encoded): both real-time factors, their ratio, the
  detection share for that runner and where the time goes.

    .venv/bin/python benchmarks/pipeline_bench.py --no-db          # only the DB-free figures
    .venv/bin/python benchmarks/pipeline_bench.py --video PATH --reference LABEL=PHOTO [...] \
        [--sightings-json OUT]                                       # one video, no database

With ``--video``, ``--sightings-json`` writes the sightings found as a JSON list of
objects with the keys label, first_frame, last_frame, frames and best_distance.
"""

import argparse
import json
import math
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
# The 1080p runner's reference face is cut from a CCTV-quality frame: smaller than a reference photo may be.
os.environ.setdefault("FACE_MIN_SIZE_PX", "30")
os.environ.pop("CACHE_URL", None)

LIVE_SECONDS = 20
REVOCATIONS = int(os.environ.get("BENCH_REVOCATIONS", "20"))
FACES = ROOT / "tests" / "fixtures" / "faces"
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
# Shared data sits next to the repository (<repo>/../shared), never at one machine's absolute path.
SHARED_VIDEO = Path(os.environ.get("BENCH_SHARED_VIDEO", ROOT.parent / "shared" / "data" / "faces" / "video"))
MARATHON_1080P = SHARED_VIDEO / "marathon_1080p.mp4"
NAIVE_THRESHOLD = 0.6
PIPELINE_THRESHOLD = 0.50  # MATCH_THRESHOLD_DEFAULT
SAMPLE_FPS = float(os.environ.get("RECOGNITION_SAMPLE_FPS", 5.0))
COVER_SECONDS = 0.5
# The reference loop detects on the full-resolution frame (YuNet, no reduced copy) and encodes every face at least
# the analyser's minimum size wide: faces below it are excluded from the figures on both sides (R13).
NAIVE_DETECT_WIDTH = 4096
MIN_FACE_PX = int(os.environ.get("RECOGNITION_MIN_FACE_PX", 50))


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


def usable_camera(users, name, source=None):
    """A camera in a deployment the data protection office gave a favourable opinion on (cases need one)."""
    from datetime import date

    from oversight import services as cases

    camera = cases.camera_create(
        actor=users["platform_admin"], name=name, location_label="b", source=str(source or CLIP)
    )
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


def approved_case(users, camera, people, photos=None):
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
            data=photos[photo] if photos and photo in photos else (FACES / "people" / photo).read_bytes(),
            source="bench",
            legal_basis="bench",
            captured_at=timezone.localdate(),
        )
        reference_photo_encode(photo_id=uploaded.pk)
    case = cases.case_submit(actor=users[Role.REQUESTER], case=case)
    return cases.case_decide(actor=users[Role.JUDGE], case=case, granted=True, reasons="bench")


def naive_loop(lin_encoding):
    """Every frame, full resolution, every face of the minimum size encoded, as face_recognition's video example."""
    from recognition import engine

    scope = engine.MatchScope.build([engine.Template("lin", "c", "lin", lin_encoding)], {"c": NAIVE_THRESHOLD})
    config = engine.EngineConfig(detect_width=NAIVE_DETECT_WIDTH)
    found = set()
    source = engine.VideoSource(CLIP)
    started, cpu_started = time.perf_counter(), time.process_time()
    frames = 0
    while True:
        ok, frame = source.read()
        if not ok:
            break
        if engine.process_frame(frame, scope, config, with_crops=False, min_face_px=MIN_FACE_PX).matches:
            found.add(frames)
        frames += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "frames": frames,
        "fps": source.fps,
        "wall": wall,
        "cpu": cpu,
        "media": frames / source.fps,
        "found": found,
    }


# --------------------------------------------------------------------------- without a database


def pipeline_video(video, references, *, threshold=PIPELINE_THRESHOLD, sample_fps=SAMPLE_FPS, analyser_config=None):
    """The worker's analysis path on one video, unpaced: CameraAnalyser -> SightingBuilder.

    ``references``: {label: encoding}. Returns sightings (closed), wall and media seconds,
    the time split (decode, motion, detection, tracking, encoding, crops) and counters.
    """
    from datetime import UTC, datetime

    from recognition import engine
    from recognition.analysis import CameraAnalyser
    from recognition.sightings import SightingBuilder, coalesce

    scope = engine.MatchScope.build(
        [engine.Template(label, "bench-case", label, enc) for label, enc in references.items()],
        {"bench-case": threshold},
    )
    analyser, builder = CameraAnalyser(analyser_config), SightingBuilder("bench-camera")
    anchor = datetime(2026, 1, 1, tzinfo=UTC)
    events, decode = [], 0.0
    source = engine.VideoSource(video)
    frames = source.iter_sampled(sample_fps)
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        t0 = time.perf_counter()
        sample = next(frames, None)
        decode += time.perf_counter() - t0
        if sample is None:
            break
        captured_at = anchor + timedelta(seconds=sample.media_time_seconds)
        analysis = analyser.analyse(sample.frame, captured_at, sample.index, scope)
        events += builder.add_frame(sample.index, captured_at, [m.hit() for m in analysis.matches])
    events += builder.close_all()
    analyser.close()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    media = source.frames_read / source.fps
    sightings = [e.sighting for e in coalesce(events) if e.sighting.closed]
    seconds = {"decode": decode, **analyser.seconds}
    seconds["other"] = max(0.0, wall - sum(seconds.values()))
    return {
        "sightings": sightings,
        "wall": wall,
        "cpu": cpu,
        "media": media,
        "fps": source.fps,
        "frames": source.frames_read,
        "seconds": seconds,
        "totals": dict(analyser.totals),
    }


def naive_video(video, references, *, threshold=NAIVE_THRESHOLD):
    """Every frame at full resolution, every face of the minimum size encoded: {label: frames}.

    BENCH_NAIVE_CACHE=FILE keeps the result per video and labels (for tuning runs: the naive
    loop takes minutes at 1080p); the figures then say so.
    """
    cache_path = os.environ.get("BENCH_NAIVE_CACHE")
    key = f"{video}|{','.join(sorted(references))}|{threshold}"
    if cache_path and Path(cache_path).is_file():
        cached = json.loads(Path(cache_path).read_text()).get(key)
        if cached:
            print(f"  (naive loop of {Path(video).name} from {cache_path})")
            found = {k: set(v) for k, v in cached["found"].items()}
            distances = {k: {int(f): d for f, d in v.items()} for k, v in cached["distances"].items()}
            return {**cached, "found": found, "distances": distances}
    result = _naive_video(video, references, threshold)
    if cache_path:
        stored = json.loads(Path(cache_path).read_text()) if Path(cache_path).is_file() else {}
        stored[key] = {**result, "found": {k: sorted(v) for k, v in result["found"].items()}}
        Path(cache_path).write_text(json.dumps(stored))
    return result


def _naive_video(video, references, threshold):
    from recognition import engine

    scope = engine.MatchScope.build(
        [engine.Template(label, "c", label, enc) for label, enc in references.items()], {"c": threshold}
    )
    config = engine.EngineConfig(detect_width=NAIVE_DETECT_WIDTH)
    found = {label: set() for label in references}
    distances = {label: {} for label in references}  # frame -> distance, for the same-threshold share
    source = engine.VideoSource(video)
    started, cpu_started = time.perf_counter(), time.process_time()
    frames = 0
    while True:
        ok, frame = source.read()
        if not ok:
            break
        for m in engine.process_frame(frame, scope, config, with_crops=False, min_face_px=MIN_FACE_PX).matches:
            found[m.person_id].add(frames)
            distances[m.person_id][frames] = min(m.distance, distances[m.person_id].get(frames, 9.0))
        frames += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "frames": frames,
        "fps": source.fps,
        "wall": wall,
        "cpu": cpu,
        "media": frames / source.fps,
        "found": found,
        "distances": distances,
    }


def appearances(frames, fps, gap_seconds):
    """Runs of matched frames, joined across gaps of at most ``gap_seconds`` (the sighting gap)."""
    runs = []
    for frame in sorted(frames):
        if runs and (frame - runs[-1][-1]) / fps <= gap_seconds:
            runs[-1].append(frame)
        else:
            runs.append([frame])
    return runs


def covered_share(naive_frames, sightings, fps, exclude=()):
    """Share of the naive loop's matches within COVER_SECONDS of a frame a sighting matched."""
    matched = sorted(f for s in sightings for f in s.frames)
    window = COVER_SECONDS * fps
    wanted = [f for f in naive_frames if f not in exclude]
    near = sum(1 for f in wanted if any(abs(f - p) <= window for p in matched))
    return near / len(wanted) if wanted else 1.0, near, len(wanted)


def sightings_json(sightings):
    return [
        {
            "label": s.person_id,
            "first_frame": s.first_frame,
            "last_frame": s.last_frame,
            "frames": list(s.frames),
            "best_distance": round(s.best_distance, 4),
        }
        for s in sightings
    ]


def describe_time(result):
    """Where the time went (wall clock, shares of the whole; the stages run one after another)."""
    wall = result["wall"]
    return ", ".join(f"{k} {v:.2f} s ({v / wall:.0%})" for k, v in result["seconds"].items())


def sample_clip_figures(analyser_config=None):
    """The DB-free pipeline against the naive loop on the 640x360 sample clip."""
    from recognition import engine
    from recognition.sightings import SightingConfig

    people = {
        "Lin-Manuel Miranda": "lin_manuel_miranda_1.png",
        "Alex Lacamoire": "alex_lacamoire_1.png",
        "Barack Obama": "obama_1.jpg",
    }
    references = {
        label: engine.encode_reference_image((FACES / "people" / p).read_bytes()) for label, p in people.items()
    }
    result = pipeline_video(CLIP, references, analyser_config=analyser_config)
    naive = naive_video(CLIP, {"Lin-Manuel Miranda": references["Lin-Manuel Miranda"]})
    lin = [s for s in result["sightings"] if s.person_id == "Lin-Manuel Miranda"]
    others = [s for s in result["sightings"] if s.person_id != "Lin-Manuel Miranda"]
    runs = appearances(naive["found"]["Lin-Manuel Miranda"], naive["fps"], SightingConfig().gap_seconds)
    share, near, wanted = covered_share(naive["found"]["Lin-Manuel Miranda"], lin, naive["fps"])
    rtf, naive_rtf = result["media"] / result["cpu"], naive["media"] / naive["cpu"]
    rtf_wall, naive_rtf_wall = result["media"] / result["wall"], naive["media"] / naive["wall"]
    per_appearance = len(lin) / len(runs) if runs else float(len(lin))
    minutes = result["media"] / 60
    print(
        f"sample clip, no database, one core: {result['media']:.1f} s of video in {result['cpu']:.2f} s CPU = "
        f"{rtf:.2f}x real time; naive {naive['cpu']:.1f} s CPU = {naive_rtf:.3f}x; ratio {rtf / naive_rtf:.1f} "
        f"(wall clock on this shared machine: {rtf_wall:.2f}x and {naive_rtf_wall:.3f}x)"
    )
    print(
        f"  sightings of Lin-Manuel: {[(s.first_frame, s.last_frame, s.frames_matched) for s in lin]} for "
        f"{len(runs)} appearance(s) {[(r[0], r[-1]) for r in runs]}; of others: {len(others)}; detection share "
        f"{near}/{wanted} = {share:.1%}; alerts (one per sighting) per minute of video "
        f"{len(result['sightings']) / minutes:.1f}"
    )
    print(f"  time: {describe_time(result)}; counts {result['totals']}")
    return {
        "clip_realtime_factor_nodb": round(rtf, 3),
        "clip_naive_realtime_factor": round(naive_rtf, 3),
        "clip_ratio_nodb": round(rtf / naive_rtf, 2),
        "clip_realtime_factor_nodb_wall": round(rtf_wall, 3),
        "clip_naive_realtime_factor_wall": round(naive_rtf_wall, 3),
        "clip_detection_share_nodb": round(share, 4),
        "sightings_per_appearance": round(per_appearance, 3),
        "alerts_per_minute": round(len(result["sightings"]) / minutes, 2),
        "clip_false_sightings": len(others),
        "clip_encodings_per_video_second": round(result["totals"]["encodings"] / result["media"], 2),
        "clip_time_shares": {k: round(v / result["wall"], 3) for k, v in result["seconds"].items()},
    }


def marathon_figures(video=MARATHON_1080P, reference_frame=None, analyser_config=None):
    """One runner of the 1080p crowd: reference cut from one frame, searched in the others."""
    from recognition import engine
    from recognition.sightings import SightingConfig

    if not Path(video).is_file():
        print(f"1080p crowd: {video} is missing (shared data not mounted?); skipped")
        return {}
    source = engine.VideoSource(video)
    middle = (source.frame_count or 138) // 2 if reference_frame is None else reference_frame
    reference_frame, frame = next((s.index, s.frame) for s in source.iter_sampled(source.fps) if s.index == middle)
    source.close()
    boxes = engine.detect_faces(frame, engine.EngineConfig(detect_width=NAIVE_DETECT_WIDTH))
    box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))  # the runner seen largest
    reference = engine.encode_faces(frame, [box])[0]
    del frame
    references = {"runner": reference}
    result = pipeline_video(video, references, analyser_config=analyser_config)
    naive = naive_video(video, references)
    found = naive["found"]["runner"]
    runner = result["sightings"]
    runs = appearances(found - {reference_frame}, naive["fps"], SightingConfig().gap_seconds)
    share, near, wanted = covered_share(found, runner, naive["fps"], exclude={reference_frame})
    # The naive loop matches at 0.6 (face_recognition's default), the pipeline at the case's
    # 0.55: also the share of the naive loop's matches at 0.55, the same threshold.
    strict = {f for f, d in naive["distances"]["runner"].items() if d <= PIPELINE_THRESHOLD}
    share_strict, near_strict, wanted_strict = covered_share(strict, runner, naive["fps"], exclude={reference_frame})
    rtf, naive_rtf = result["media"] / result["cpu"], naive["media"] / naive["cpu"]
    rtf_wall, naive_rtf_wall = result["media"] / result["wall"], naive["media"] / naive["wall"]
    size = math.sqrt((box[2] - box[0]) * (box[1] - box[3]))
    print(
        f"1080p crowd, no database, one core: {result['media']:.2f} s of video in {result['cpu']:.2f} s CPU = "
        f"{rtf:.2f}x real time; naive {naive['cpu']:.1f} s CPU = {naive_rtf:.3f}x; ratio {rtf / naive_rtf:.1f} "
        f"(wall clock on this shared machine: {rtf_wall:.2f}x and {naive_rtf_wall:.4f}x)"
    )
    print(
        f"  runner: reference face of {size:.0f} px from frame {reference_frame}; naive matches in {len(found)} "
        f"frames in {len(runs)} appearance(s); "
        f"sightings {[(s.first_frame, s.last_frame, s.frames_matched) for s in runner]}; "
        f"detection share {near}/{wanted} = {share:.1%}; of the naive matches at {PIPELINE_THRESHOLD}: "
        f"{near_strict}/{wanted_strict} = {share_strict:.1%}"
    )
    print(
        f"  time: {describe_time(result)}; counts {result['totals']}; "
        f"{result['totals']['encodings'] / result['media']:.2f} encodings per second of video"
    )
    return {
        "realtime_factor_1080p": round(rtf, 3),
        "naive_realtime_factor_1080p": round(naive_rtf, 4),
        "ratio_1080p": round(rtf / naive_rtf, 2),
        "realtime_factor_1080p_wall": round(rtf_wall, 3),
        "naive_realtime_factor_1080p_wall": round(naive_rtf_wall, 4),
        "detection_share_1080p": round(share, 4),
        "detection_share_1080p_same_threshold": round(share_strict, 4),
        "sightings_per_appearance_1080p": round(len(runner) / len(runs), 3) if runs else None,
        "time_shares_1080p": {k: round(v / result["wall"], 3) for k, v in result["seconds"].items()},
        "encodings_per_video_second_1080p": round(result["totals"]["encodings"] / result["media"], 2),
        # What one core would carry if it did nothing else: the analysis keeps up with a camera sampled at
        # SAMPLE_FPS as long as it runs at least at real time, so N times real time is N cameras (CPU time,
        # independent of what else the machine runs; cameras_per_core_1080p is the live measurement).
        "cameras_per_core_1080p_cpu_bound": math.floor(rtf),
        "faces_too_small_share_1080p": round(
            result["totals"]["faces_too_small"] / max(1, result["totals"]["faces_in_frames"]), 3
        ),
    }


def one_video(video, reference_args, out):
    from recognition import engine

    references = {}
    for item in reference_args:
        label, _, photo = item.partition("=")
        if not label or not photo:
            raise SystemExit(f"--reference {item!r}: expected LABEL=PHOTO")
        references[label] = engine.encode_reference_image(Path(photo).read_bytes())
    result = pipeline_video(video, references)
    listed = sightings_json(result["sightings"])
    for item in listed:
        print(
            f"{item['label']}: frames {item['first_frame']}-{item['last_frame']}, {len(item['frames'])} matched, "
            f"best distance {item['best_distance']}"
        )
    print(f"time: {describe_time(result)}; counts {result['totals']}")
    if out:
        Path(out).write_text(json.dumps(listed, indent=1))
    print(
        json.dumps(
            {
                "video": str(video),
                "realtime_factor": round(result["media"] / result["wall"], 3),
                "sightings": len(listed),
                "time_shares": {k: round(v / result["wall"], 3) for k, v in result["seconds"].items()},
            }
        )
    )


def db_figures():
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
    lin_sightings = list(Alert.objects.filter(case=case, person_id=lin_id).order_by("captured_at"))
    live_lin_frames = {f for a in lin_sightings for f in a.frames}
    post_event = post_event_figures(users, people, live_lin_frames)
    spans = [(a.frame_index, max(a.frames or [a.frame_index])) for a in lin_sightings]
    others = Alert.objects.filter(case=case).exclude(person_id=lin_id).count()
    print(
        f"pipeline: {outcome.media_seconds:.1f} s of video in {pipeline_wall:.1f} s = {pipeline_rtf:.2f}x real time; "
        f"{outcome.frames_analysed} frames analysed of {outcome.frames_read}; "
        f"{len(lin_sightings)} sighting(s) of Lin-Manuel (frames {spans}), {others} of others"
    )
    print("pipeline time: " + ", ".join(f"{k} {v:.3f} s" for k, v in outcome.timings.items()))
    print(
        f"gate {t['gate']:.3f} s + fence {t['fence']:.3f} s + audit writes {t['audit']:.3f} s = {overhead:.3f} s "
        f"= {overhead_share:.2%} of the time; storing sightings and encrypted crops {t['store']:.3f} s "
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
    near = sum(1 for f in naive["found"] if any(a - window <= f <= b + window for a, b in spans))
    detection_share = near / len(naive["found"]) if naive["found"] else 1.0
    from recognition.sightings import SightingConfig

    runs = appearances(set(naive["found"]), naive["fps"], SightingConfig().gap_seconds)
    db_sightings_per_appearance = len(lin_sightings) / len(runs) if runs else None
    db_alerts_per_minute = (len(lin_sightings) + others) / (outcome.media_seconds / 60)
    print(
        f"detection share: {near}/{len(naive['found'])} = {detection_share:.1%} within 0.5 s of a stored sighting; "
        f"{len(runs)} appearance(s) -> {len(lin_sightings)} sighting(s); "
        f"{db_alerts_per_minute:.1f} alerts per minute of video"
    )
    live = capture_to_alert(users, people)
    live.update(cameras_per_core(users))

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
        # A live feed, as cameras are: frames are stamped when they are read, never ahead of the clock.
        run_outcome = worker.scan_run(camera_id=camera.pk, realtime=True, loop=True, max_seconds=60)
        thread.join()
        scan = Scan.objects.get(pk=run_outcome.scan_id)
        delay = max(0.0, (scan.last_frame_at - revoked["at"]).total_seconds()) if scan.last_frame_at else 0.0
        delays.append(delay)
        reasons.append(run_outcome.stop_reason)
        # Nothing captured after the revocation: no sighting opened, and no last-seen time, after it.
        stored_after += Alert.objects.filter(case=run_case, last_seen_at__gt=revoked["at"]).count()
    print(
        f"revocations: {REVOCATIONS}, stop reasons {sorted(set(map(str, reasons)))}; longest delay from revocation "
        f"to last frame read {max(delays):.3f} s (mean {sum(delays) / len(delays):.3f} s); "
        f"alerts captured after a revocation: {stored_after}"
    )

    return {
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
        "db_sightings_per_appearance": round(db_sightings_per_appearance, 3) if runs else None,
        "db_alerts_per_minute": round(db_alerts_per_minute, 2),
        **live,
        **post_event,
    }


def post_event_case(users, camera, people, photos=None):
    """A post-event search (R24) of the camera's footage recorded 3 to 1 hours ago, authorised by the judge."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from oversight import services as cases
    from oversight.models import Person
    from oversight.roles import Role
    from watchlists.services import reference_photo_encode, reference_photo_upload

    now = timezone.now()
    case = cases.case_create(
        actor=users[Role.REQUESTER],
        kind="post_event",
        objective="suspect",
        offence="Armed robbery",
        offence_max_sentence_years=12,
        requested_start=now,
        requested_end=now + timedelta(hours=24),
        capture_start=now - timedelta(hours=3),
        capture_end=now - timedelta(hours=1),
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
            data=photos[photo] if photos and photo in photos else (FACES / "people" / photo).read_bytes(),
            source="bench",
            legal_basis="bench",
            captured_at=timezone.localdate(),
        )
        reference_photo_encode(photo_id=uploaded.pk)
    case = cases.case_submit(actor=users[Role.REQUESTER], case=case)
    return cases.case_decide(actor=users[Role.JUDGE], case=case, granted=True, reasons="bench")


def post_event_figures(users, people, live_frames=None):
    """Post-event searches (R24): a recording uploaded in chunks, checked and hashed by the engine, then analysed by
    the worker as fast as one core allows, in batches behind the gate. ``post_event_speed_factor_*``: seconds of
    recording per second of processing (the analysis task: decryption to a private file, the gate before each batch,
    analysis and fenced writes; not the upload or the check). On the clip, the detection share is the share of the
    frames the live pipeline matched Lin-Manuel in that the post-event search matched too."""
    from django.conf import settings
    from django.utils import timezone

    from oversight.roles import Role
    from recognition import engine
    from recognition.models import Alert
    from recognition.recording_worker import recording_analyse_run, recording_check_run
    from recognition.services.recordings import recording_chunk_append, recording_complete, recording_create

    runs = [("clip", CLIP, people, None)]
    if MARATHON_1080P.is_file():
        source = engine.VideoSource(MARATHON_1080P)
        frame = next(s.frame for s in source.iter_sampled(source.fps) if s.index == 69)
        source.close()
        box = max(engine.detect_faces(frame), key=engine.face_size)
        photo = engine.crop_with_others_blurred(frame, box, [], margin=0.6)
        runs.append(("1080p", MARATHON_1080P, [("Ronald Runner", "runner.jpg")], {"runner.jpg": photo}))
    figures = {}
    for label, video, sought, photos in runs:
        camera = usable_camera(users, f"Recorded {label}", source=video)
        case = post_event_case(users, camera, sought, photos=photos)
        data = Path(video).read_bytes()
        recording = recording_create(
            actor=users[Role.REQUESTER],
            case=case,
            camera_id=camera.pk,
            file_name=Path(video).name,
            size=len(data),
            declared_capture_start=timezone.now() - timedelta(hours=2),
            capture_evidence="bench",
        )
        chunk = settings.RECORDING_CHUNK_BYTES
        started = time.perf_counter()
        for offset in range(0, len(data), chunk):
            recording_chunk_append(
                actor=users[Role.REQUESTER],
                recording_id=recording.pk,
                offset=offset,
                data=data[offset : offset + chunk],
            )
        recording_complete(actor=users[Role.REQUESTER], recording_id=recording.pk)
        upload_wall = time.perf_counter() - started
        started = time.perf_counter()
        status = recording_check_run(recording_id=recording.pk)
        check_wall = time.perf_counter() - started
        assert status == "ready", status
        media, wall, segments, frames = 0.0, 0.0, 0, 0
        while True:
            started = time.perf_counter()
            outcome = recording_analyse_run(recording_id=recording.pk, max_seconds=1e9)
            wall += time.perf_counter() - started
            media += outcome.media_seconds
            frames += outcome.frames_analysed
            segments += 1
            if outcome.stop_reason != "segment_end":
                break
        factor = media / wall
        alerts = list(Alert.objects.filter(case=case))
        print(
            f"post-event {label}: {len(data) / 1e6:.1f} MB uploaded in {upload_wall:.2f} s, checked and hashed in "
            f"{check_wall:.2f} s; {media:.1f} s of recording analysed in {wall:.2f} s = {factor:.2f}x "
            f"(one core; {frames} frames analysed, {len(alerts)} sighting(s), stop {outcome.stop_reason})"
        )
        figures[f"post_event_speed_factor_{label}"] = round(factor, 3)
        figures[f"post_event_sightings_{label}"] = len(alerts)
        if label == "clip" and live_frames:
            matched = {f for a in alerts for f in a.frames}
            share = len(matched & live_frames) / len(live_frames)
            print(f"post-event clip: {share:.1%} of the frames the live pipeline matched Lin-Manuel in matched too")
            figures["post_event_detection_share_vs_live"] = round(share, 4)
    return figures


def capture_to_alert(users, people):
    """Live feeds through the real worker (wall-clock pacing, newest frame first): the delay from a sighting's
    first capture to its stored alert, on the sample clip and on the 1080p crowd (one runner sought)."""
    from recognition import engine, worker
    from recognition.models import Alert

    figures, worst = {}, 0.0
    runs = [("clip", CLIP, people, None)]
    if MARATHON_1080P.is_file():
        source = engine.VideoSource(MARATHON_1080P)
        frame = next(s.frame for s in source.iter_sampled(source.fps) if s.index == 69)
        source.close()
        box = max(engine.detect_faces(frame), key=engine.face_size)
        photo = engine.crop_with_others_blurred(frame, box, [], margin=0.6)
        runs.append(("1080p", MARATHON_1080P, [("Ronald Runner", "runner.jpg")], {"runner.jpg": photo}))
    for label, video, sought, photos in runs:
        camera = usable_camera(users, f"Live {label}", source=video)
        case = approved_case(users, camera, sought, photos=photos)
        outcome = worker.scan_run(camera_id=camera.pk, realtime=True, loop=True, max_seconds=LIVE_SECONDS)
        alerts = list(Alert.objects.filter(case=case))
        delays = [(a.created_at - a.captured_at).total_seconds() for a in alerts]
        skipped = outcome.frames_skipped / max(1, outcome.frames_skipped + outcome.frames_analysed)
        print(
            f"live {label}: {outcome.frames_analysed} frames analysed in {LIVE_SECONDS} s "
            f"({outcome.frames_analysed / LIVE_SECONDS:.1f}/s), {skipped:.0%} of sampled frames skipped; "
            f"{len(alerts)} alert(s), capture-to-alert {', '.join(f'{d:.2f}' for d in delays) or 'none'} s"
        )
        figures[f"analysed_fps_live_{label}"] = round(outcome.frames_analysed / LIVE_SECONDS, 2)
        figures[f"skipped_share_live_{label}"] = round(skipped, 3)
        figures[f"alerts_live_{label}"] = len(alerts)
        worst = max([worst, *delays])
    figures["max_capture_to_alert_seconds"] = round(worst, 3)
    return figures


def _live_feed_worker(camera_id, cpu, results):
    """One scan worker process on one core: the worker's own scan loop on a live feed, as a deployment runs it."""
    os.sched_setaffinity(0, {cpu})
    from django.db import connections

    from recognition import engine, worker

    engine.encode_reference_image((FACES / "people" / "obama_1.jpg").read_bytes())  # models loaded before the feed
    outcome = worker.scan_run(camera_id=camera_id, realtime=True, loop=True, max_seconds=LIVE_SECONDS)
    results.put((camera_id, outcome.frames_analysed, outcome.frames_skipped, outcome.stop_reason))
    connections.close_all()


def cameras_per_core(users, max_cameras=6):
    """N simulated live full-HD feeds (marathon_1080p.mp4 on a loop, one runner sought on each) through N real scan
    worker processes, all pinned to one core, for N = 1, 2, ...: the largest N at which every feed is analysed with
    under 10 % of its sampled frames skipped and every alert stored within 2 s of its capture."""
    import multiprocessing

    from django.db import connections

    from recognition import engine
    from recognition.models import Alert

    if not MARATHON_1080P.is_file():
        return {}
    source = engine.VideoSource(MARATHON_1080P)
    frame = next(s.frame for s in source.iter_sampled(source.fps) if s.index == 69)
    source.close()
    box = max(engine.detect_faces(frame), key=engine.face_size)
    photo = engine.crop_with_others_blurred(frame, box, [], margin=0.6)
    cpu = sorted(os.sched_getaffinity(0))[0]
    passed, rows = 0, []
    for count in range(1, max_cameras + 1):
        cases, cameras = [], []
        for i in range(count):
            camera = usable_camera(users, f"Capacity {count}-{i}", source=MARATHON_1080P)
            cases.append(approved_case(users, camera, [("Ronald Runner", "runner.jpg")], photos={"runner.jpg": photo}))
            cameras.append(camera.pk)
        connections.close_all()  # the children open their own
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        children = [context.Process(target=_live_feed_worker, args=(pk, cpu, results)) for pk in cameras]
        for child in children:
            child.start()
        outcomes = [results.get() for _ in children]
        for child in children:
            child.join()
        skipped = max(s / max(1, s + a) for _, a, s, _ in outcomes)
        fps = min(a / LIVE_SECONDS for _, a, _, _ in outcomes)
        delays = [(a.created_at - a.captured_at).total_seconds() for a in Alert.objects.filter(case__in=cases)]
        worst = max(delays, default=float("inf"))
        ok = skipped < 0.10 and worst < 2.0
        rows.append({"cameras": count, "min_fps": round(fps, 2), "max_skipped": round(skipped, 3), "worst": worst})
        print(
            f"capacity: {count} full-HD feed(s) on one core: slowest analysed {fps:.1f} frames/s, worst skipped "
            f"{skipped:.0%}, {len(delays)} alert(s), worst capture-to-alert {worst:.2f} s -> {'ok' if ok else 'over'}"
        )
        if not ok:
            break
        passed = count
    return {"cameras_per_core_1080p": passed, "capacity_runs_1080p": rows, "capacity_load_average": os.getloadavg()[0]}


def post_event_only() -> dict:
    for sub in ("queue", "processed"):
        Path(os.environ["OVERSIGHT_VAR_DIR"], "broker", sub).mkdir(parents=True, exist_ok=True)
    ensure_database()
    users = setup()
    from recognition import engine

    engine.encode_reference_image((FACES / "people" / "obama_1.jpg").read_bytes())  # models loaded first
    from recognition import worker
    from recognition.models import Alert

    people = [("Lin-Manuel Miranda", "lin_manuel_miranda_1.png")]
    # The live pipeline on the same clip, for the detection share the post-event search must equal.
    case = approved_case(users, usable_camera(users, "Live clip for comparison"), people)
    outcome = worker.scan_run(camera_id=case.case_cameras.get().camera_id, realtime=False, loop=False, max_seconds=1e9)
    assert outcome.stop_reason == "source_ended", outcome
    live_frames = {f for a in Alert.objects.filter(case=case) for f in a.frames}
    return post_event_figures(users, people, live_frames)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, help="analyse this video only, without a database")
    parser.add_argument("--reference", action="append", default=[], metavar="LABEL=PHOTO", help="repeatable")
    parser.add_argument("--sightings-json", metavar="OUT", help="with --video: write the sightings here")
    parser.add_argument("--no-db", action="store_true", help="skip the figures that need PostgreSQL")
    parser.add_argument("--no-1080p", action="store_true", help="skip the 1080p crowd")
    parser.add_argument("--no-clip", action="store_true", help="skip the DB-free figures of the sample clip")
    parser.add_argument("--post-event-only", action="store_true", help="only the post-event search figures (R24)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the aims say
    if args.video:
        one_video(args.video, args.reference, args.sightings_json)
        return
    if args.post_event_only:
        print(json.dumps(post_event_only()))
        return
    figures = {} if args.no_db else db_figures()
    if not args.no_clip:
        figures.update(sample_clip_figures())
    if not args.no_1080p:
        figures.update(marathon_figures())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
