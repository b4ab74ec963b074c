"""What recognition measured, by case (R16, R23): operating periods and usage figures.

Read by the office's reports (office.reports: figures and the dossier's sections import it directly) and, for the
case page's alert counts, registered with oversight.registry in recognition/plugins.py.

People read OPERATING PERIODS, not scan segments (STYLE habit 14): one period per case and camera, from the first
frame analysed to the last, with its totals (frames, faces, matches, sightings) and its interruptions summarised
inside it (changes of worker, gaps without analysis, camera outages). Segments (the ``Scan`` rows, one per 45 s
lease) stay the machine's internal record; a 72-hour case on six cameras has about 35,000 of them, so the periods
are built in the database in one query per case (a window function over the segments: gaps and islands), never by
looping over the rows in Python.

A segment leases a camera, not a case: it counts for a case when it ran on one of the case's cameras in scope and
started while the case was in use (oversight.selectors.case_active_period). Two cases in use on one camera at the
same time both count its faces (each case's authorisation covered them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from oversight import selectors
from oversight.models import Camera, Case
from recognition.models import Alert, CameraOutage, Recording, Scan


def interruption_seconds() -> int:
    """A gap between two segments longer than this is an interruption of analysis: a live worker hands a camera
    over within a dispatch period or two, a dead one is replaced after the stale heartbeat."""
    return settings.RECOGNITION_SCAN_STALE_SECONDS + 2 * settings.RECOGNITION_DISPATCH_SECONDS


@dataclass
class OperatingPeriod:
    """One camera's analysis for one case, as people read it (R16)."""

    camera: Camera
    first_frame_at: datetime | None
    last_frame_at: datetime | None
    running: bool
    frames_read: int = 0
    frames_analysed: int = 0
    faces: int = 0
    matches: int = 0
    sightings: int = 0
    segments: int = 0  # internal: how many leases the period took (never listed one by one)
    worker_changes: int = 0  # internal: hand-overs between workers (segments go to whichever worker is free)
    workers: int = 0
    interruptions: int = 0
    interrupted_seconds: float = 0.0
    outages: int = 0
    outage_seconds: float = 0.0
    outage_attempts: int = 0

    @property
    def seconds(self) -> float:
        if self.first_frame_at is None or self.last_frame_at is None:
            return 0.0
        return (self.last_frame_at - self.first_frame_at).total_seconds()


def _seconds_between(later: str, earlier: str) -> str:
    """SQL for the seconds from `earlier` to `later` (both columns), on the database in use."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


# Per camera, over the case's segments in time order: totals, and the gaps and changes of worker between
# consecutive segments (LAG over the camera's segments), in one pass of the (camera, started_at) index. A gap runs
# from the previous segment's last frame (its stop if it analysed none) to the next segment's start, so a worker that
# died mid-segment counts from its last frame, not from when the dispatcher noticed.
_PERIODS_SQL = """
WITH segment AS (
    SELECT camera_id, worker, started_at, stopped_at, {analysed_until} AS analysed_until, frames_read, frames_analysed,
           faces_seen, matches, LAG(COALESCE({analysed_until}, stopped_at)) OVER ordered AS previous_stop,
           LAG(worker) OVER ordered AS previous_worker
    FROM recognition_scan
    WHERE camera_id IN ({cameras}) AND {segments} AND started_at >= %s AND started_at < %s
    WINDOW ordered AS (PARTITION BY camera_id ORDER BY started_at, id)
), gap AS (
    SELECT segment.*, CASE WHEN previous_stop IS NULL THEN 0 ELSE {gap} END AS gap_seconds FROM segment
)
SELECT camera_id,
       COUNT(*),
       MIN(CASE WHEN frames_analysed > 0 THEN started_at END),
       MAX(analysed_until),
       SUM(CASE WHEN stopped_at IS NULL THEN 1 ELSE 0 END),
       SUM(frames_read), SUM(frames_analysed), SUM(faces_seen), SUM(matches),
       SUM(CASE WHEN previous_worker IS NOT NULL AND previous_worker <> worker THEN 1 ELSE 0 END),
       COUNT(DISTINCT worker),
       SUM(CASE WHEN gap_seconds > %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN gap_seconds > %s THEN gap_seconds ELSE 0 END)
FROM gap
GROUP BY camera_id
"""


def case_camera_ids(case: Case) -> list[int]:
    """The cameras whose analysis belongs to the case: those in scope, and for a post-event search (R24) also the
    cameras that recorded its footage."""
    cameras = set(case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True))
    if case.is_post_event:
        cameras |= set(Recording.objects.filter(case=case).values_list("camera_id", flat=True))
    return sorted(cameras)


def case_segments(case: Case, *, now=None):
    """The scan segments that ran for the case (internal records: counted, never listed to people)."""
    now = now or timezone.now()
    period = selectors.case_active_period(case=case, now=now)
    if period is None:
        return Scan.objects.none()
    return _case_scans(case).filter(started_at__gte=period[0], started_at__lt=period[1])


def _case_scans(case: Case):
    if case.is_post_event:
        # R24: a post-event search's segments are those of its own recordings, never the live camera's.
        return Scan.objects.filter(recording__case=case)
    return Scan.objects.filter(camera_id__in=case_camera_ids(case), recording__isnull=True)


def _outages(camera_ids: list[int], start: datetime, end: datetime) -> dict[int, list[CameraOutage]]:
    found: dict[int, list[CameraOutage]] = {}
    for outage in CameraOutage.objects.filter(camera_id__in=camera_ids, started_at__lt=end).exclude(
        ended_at__lte=start
    ):
        found.setdefault(outage.camera_id, []).append(outage)
    return found


def operating_periods(case: Case, *, now=None) -> list[OperatingPeriod]:
    """One operating period per camera of the case that was analysed while it was in use, by camera name.

    Cameras in scope that were never analysed (never reachable, no worker) appear with no frame, so a reader sees
    them too; their outages are summarised like any other. Three queries whatever the number of segments.
    """
    now = now or timezone.now()
    period = selectors.case_active_period(case=case, now=now)
    camera_ids = case_camera_ids(case)
    if period is None or not camera_ids:
        return []
    start, end = period
    limit = interruption_seconds()
    # Live cases count the live segments of their cameras; a post-event search (R24) the segments of its recordings,
    # whose last frame is a capture time of the footage: their period runs on the wall clock, to the segment's stop.
    if case.is_post_event:
        segments = "recording_id IN (SELECT id FROM recognition_recording WHERE case_id = %s)"
        segment_params, analysed_until = [case.pk], "COALESCE(stopped_at, last_heartbeat_at)"
    else:
        segments, segment_params, analysed_until = "recording_id IS NULL", [], "last_frame_at"
    sql = _PERIODS_SQL.format(
        cameras=", ".join(["%s"] * len(camera_ids)),
        segments=segments,
        analysed_until=analysed_until,
        gap=_seconds_between("started_at", "previous_stop"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*camera_ids, *segment_params, start, end, limit, limit])
        rows = {row[0]: row for row in cursor.fetchall()}
    sightings = dict(
        Alert.objects.filter(case=case).values_list("camera_id").annotate(n=Count("id")).order_by("camera_id")
    )
    outages = _outages(camera_ids, start, end)
    periods = []
    for camera in Camera.objects.filter(pk__in=camera_ids).order_by("name", "pk"):
        row = rows.get(camera.pk)
        first, last = (_aware(row[2]), _aware(row[3])) if row else (None, None)
        item = OperatingPeriod(camera=camera, first_frame_at=first, last_frame_at=last, running=bool(row and row[4]))
        if row:
            item.segments = int(row[1])
            item.frames_read, item.frames_analysed, item.faces, item.matches = (int(v or 0) for v in row[5:9])
            item.worker_changes, item.workers = int(row[9] or 0), int(row[10] or 0)
            item.interruptions, item.interrupted_seconds = int(row[11] or 0), float(row[12] or 0)
        item.sightings = sightings.get(camera.pk, 0)
        for outage in outages.get(camera.pk, ()):
            item.outages += 1
            item.outage_attempts += outage.attempts
            clipped_end = min(outage.ended_at or now, end)
            item.outage_seconds += max(0.0, (clipped_end - max(outage.started_at, start)).total_seconds())
        periods.append(item)
    return periods


def _aware(value) -> datetime | None:
    """A raw query's timestamp as an aware datetime (SQLite answers text in UTC, PostgreSQL aware datetimes)."""
    if value is not None and not isinstance(value, datetime):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def usage_for_cases(cases: list[Case]) -> dict[int, dict[str, int]]:
    """Operating periods, frames, faces processed, matches, alerts by status and outcomes for each case."""
    now = timezone.now()
    usage: dict[int, dict[str, int]] = {}
    for case in cases:
        periods = operating_periods(case, now=now)
        analysed = [p for p in periods if p.first_frame_at is not None]
        usage[case.pk] = {
            "operating_periods": len(analysed),
            "frames_read": sum(p.frames_read for p in analysed),
            "faces_processed": sum(p.faces for p in analysed),
            "matches": sum(p.matches for p in analysed),
        }
    rows = (
        Alert.objects.filter(case_id__in=[c.pk for c in cases])
        .values_list("case_id", "status", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for case_id, status, outcome, n in rows:
        figures = usage[case_id]
        figures["alerts"] = figures.get("alerts", 0) + n
        key = {
            Alert.Status.VERIFIED: "alerts_verified",
            Alert.Status.REJECTED: "alerts_false",
            Alert.Status.NEW: "alerts_pending",
        }[status]
        figures[key] = figures.get(key, 0) + n
        if status == Alert.Status.VERIFIED:
            outcome_key = f"outcome_{outcome}" if outcome else "outcome_not_recorded"
            figures[outcome_key] = figures.get(outcome_key, 0) + n
    # R24: the footage of post-event searches, for the progress the case page shows (milliseconds of media time).
    footage = (
        Recording.objects.filter(case_id__in=[c.pk for c in cases], status=Recording.Status.READY)
        .values("case_id")
        .annotate(
            n=Count("id"),
            total=Sum("duration_seconds"),
            done=Sum("analysed_until_seconds"),
            spent=Sum("analysis_seconds"),
        )
        .order_by()
    )
    for row in footage:
        figures = usage[row["case_id"]]
        figures["recordings"] = row["n"]
        figures["footage_ms"] = int((row["total"] or 0) * 1000)
        figures["footage_analysed_ms"] = int((row["done"] or 0) * 1000)
        figures["footage_analysis_ms"] = int((row["spent"] or 0) * 1000)
    return usage
