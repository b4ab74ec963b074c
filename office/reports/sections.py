"""The dossier's sections on what recognition did for a case (R16, R23): its scans, and its alerts with their
verifications and outcomes. The office reads recognition's data directly (recognition.reports, recognition.models).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from office.reports.figures import DossierSection, local_timestamp, plain
from oversight.models import Case
from recognition.models import Alert, AlertReview, Recording
from recognition.reports import case_scans

# A slot for further kinds of results (a sighting model is being added): they add their own section between
# alerts (50) and deletions (60), e.g. order 55, to office.reports.dossier.SECTION_BUILDERS.
SCANS_ORDER = 40
RECORDINGS_ORDER = 45
ALERTS_ORDER = 50


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
                # R24: a sighting in recorded footage names the recording in place of the live camera.
                _("%(camera)s, recording %(number)s") % {"camera": alert.camera.name, "number": alert.recording_id}
                if alert.recording_id
                else alert.camera.name,
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


def recordings_section(case: Case) -> DossierSection | None:
    """R24: the footage a post-event search looked at: where and when it was recorded, where its capture time came
    from, its SHA-256 on arrival, how far it was analysed and when it was destroyed."""
    if not case.is_post_event:
        return None
    rows = []
    for r in Recording.objects.filter(case=case).select_related("camera").order_by("pk"):
        if r.capture_start:
            recorded = f"{local_timestamp(r.capture_start)} – {local_timestamp(r.capture_end)}"
        else:
            recorded = ""
        source = plain(r.get_capture_time_source_display()) if r.capture_time_source else ""
        if r.capture_time_source == Recording.TimeSource.DECLARED:
            source = f"{source}: {r.capture_evidence}"
        share = r.analysed_share
        rows.append(
            (
                r.pk,
                r.camera.name,
                recorded,
                source,
                # Four groups of 16 digits: it wraps in a page and a PDF, and reads aloud group by group.
                " ".join(r.sha256[i : i + 16] for i in range(0, len(r.sha256), 16)),
                r.declared_size,
                f"{r.container}/{r.codec}, {number_format(r.duration_seconds or 0, 1)} s" if r.codec else "",
                plain(r.get_status_display()) + (f": {r.failure_reason}" if r.failure_reason else ""),
                "" if share is None else f"{number_format(100 * share, 0)} %",
                local_timestamp(r.destroyed_at) or "",
            )
        )
    return DossierSection(
        key="recordings",
        title=_("Recordings searched (post-event search)"),
        order=RECORDINGS_ORDER,
        columns=(
            _("Recording"),
            _("Camera"),
            _("Recorded"),
            _("Capture time from"),
            _("SHA-256 on arrival"),
            _("Bytes"),
            _("Video"),
            _("State"),
            _("Analysed"),
            _("Destroyed"),
        ),
        rows=tuple(rows),
    )
