"""What recognition contributes to the office's reports (R16, R23): per-case figures and dossier sections.

Registered with oversight.registry in recognition/plugins.py; oversight never imports this module.

A scan leases a camera, not a case: a scan counts for a case when it ran on one of the case's cameras in scope and
started while the case was active (selectors.case_active_period). Two cases active on one camera at the same time
both count its faces (each case's authorisation covered them).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from oversight import selectors
from oversight.models import Case
from oversight.registry import DossierSection
from oversight.reports.figures import local_timestamp, plain
from recognition.models import Alert, AlertReview, Scan

# A slot for further kinds of results (a sighting model is being added): they register their own section
# between alerts (50) and deletions (60), e.g. order 55.
SCANS_ORDER = 40
ALERTS_ORDER = 50


def case_scans(case: Case, *, now=None):
    """The scans that ran for the case, oldest first."""
    now = now or timezone.now()
    period = selectors.case_active_period(case=case, now=now)
    if period is None:
        return Scan.objects.none()
    camera_ids = case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True)
    return (
        Scan.objects.filter(camera_id__in=camera_ids, started_at__gte=period[0], started_at__lt=period[1])
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
    return usage


def scans_section(case: Case) -> DossierSection:
    rows = tuple(
        (
            scan.camera.name,
            local_timestamp(scan.started_at),
            local_timestamp(scan.stopped_at) or _("running"),
            plain(scan.get_stop_reason_display()) if scan.stop_reason else "",
            scan.frames_read,
            scan.faces_seen,
            scan.matches,
        )
        for scan in case_scans(case)
    )
    return DossierSection(
        key="scans",
        title=_("Scans"),
        order=SCANS_ORDER,
        columns=(
            _("Camera"),
            _("Started"),
            _("Stopped"),
            _("Why it stopped"),
            _("Frames read"),
            _("Faces seen"),
            _("Matches"),
        ),
        rows=rows,
    )


def alerts_section(case: Case) -> DossierSection:
    alerts = (
        Alert.objects.filter(case=case)
        .select_related("camera", "person", "outcome_recorded_by")
        .prefetch_related(Prefetch("reviews", queryset=AlertReview.objects.select_related("reviewer").order_by("id")))
        .order_by("captured_at", "id")
    )
    rows = []
    for alert in alerts:
        reviews = "; ".join(
            (
                _("%(who)s confirmed %(when)s")
                if r.verdict == AlertReview.Verdict.CONFIRM
                else _("%(who)s rejected %(when)s")
            )
            % {"who": r.reviewer.get_username(), "when": local_timestamp(r.created_at)}
            for r in alert.reviews.all()
        )
        outcome = alert.get_outcome_display() if alert.outcome else ""
        rows.append(
            (
                alert.pk,
                local_timestamp(alert.captured_at),
                alert.camera.name,
                # The person by number and category: a dossier may travel, names stay on the case.
                _("person %(number)s (%(category)s)")
                % {"number": alert.person_id, "category": alert.person.get_category_display()},
                number_format(alert.distance, 3),
                plain(alert.get_status_display()),
                reviews or _("none"),
                outcome,
            )
        )
    return DossierSection(
        key="alerts",
        title=_("Alerts, their verification and outcomes"),
        order=ALERTS_ORDER,
        columns=(
            _("Alert"),
            _("Captured"),
            _("Camera"),
            _("Person sought"),
            _("Distance"),
            _("Status"),
            _("Verifications"),
            _("Outcome"),
        ),
        rows=tuple(rows),
    )
