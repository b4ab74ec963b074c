"""What recognition measured, by case (R16, R23): the scans that ran for a case and its usage figures.

Read by the office's reports (office.reports: figures and the dossier's scans and alerts sections import it
directly) and, for the case page's alert counts, registered with oversight.registry in recognition/plugins.py.

A scan leases a camera, not a case: a scan counts for a case when it ran on one of the case's cameras in scope and
started while the case was active (selectors.case_active_period). Two cases active on one camera at the same time
both count its faces (each case's authorisation covered them).
"""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils import timezone

from oversight import selectors
from oversight.models import Case
from recognition.models import Alert, Recording, Scan


def case_scans(case: Case, *, now=None):
    """The scans that ran for the case, oldest first."""
    now = now or timezone.now()
    period = selectors.case_active_period(case=case, now=now)
    if period is None:
        return Scan.objects.none()
    if case.is_post_event:
        # R24: a post-event search's scans are those of its own recordings, never the live camera's.
        scans = Scan.objects.filter(recording__case=case)
    else:
        camera_ids = case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True)
        scans = Scan.objects.filter(camera_id__in=camera_ids, recording__isnull=True)
    return (
        scans.filter(started_at__gte=period[0], started_at__lt=period[1])
        .select_related("camera")
        .order_by("started_at", "id")
    )


def usage_for_cases(cases: list[Case]) -> dict[int, dict[str, int]]:
    """Scans, frames, faces processed, matches, alerts by status and outcomes for each case."""
    now = timezone.now()
    usage: dict[int, dict[str, int]] = {}
    for case in cases:
        totals = case_scans(case, now=now).aggregate(
            scans=Count("id"), frames_read=Sum("frames_read"), faces_processed=Sum("faces_seen"), matches=Sum("matches")
        )
        usage[case.pk] = {key: int(value or 0) for key, value in totals.items()}
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
