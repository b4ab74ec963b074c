"""The dossier's sections on what recognition did for a case (R16, R23): its scans, and its alerts with their
verifications and outcomes. The office reads recognition's data directly (recognition.reports, recognition.models).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from office.reports.figures import DossierSection, local_timestamp, plain
from oversight.models import Case
from recognition.models import Alert, AlertReview
from recognition.reports import case_scans

# A slot for further kinds of results (a sighting model is being added): they add their own section between
# alerts (50) and deletions (60), e.g. order 55, to office.reports.dossier.SECTION_BUILDERS.
SCANS_ORDER = 40
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
