"""The dossier's sections on what recognition did for a case (R16, R23): its operating periods, and its sightings
grouped per person and camera with their verifications and outcomes. The office reads recognition's data directly
(recognition.reports, recognition.models).

Both grow with what happened, not with time (STYLE habit 14): one row per camera analysed, whatever the number of
45-second segments behind it, and one group per person and camera with one line per sighting.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from office.reports.figures import DossierSection, grouped, local_timestamp, plain
from oversight.models import Case
from recognition.models import Alert, AlertReview, Recording
from recognition.reports import OperatingPeriod, operating_periods

# A slot for further kinds of results: they add their own section between sightings (50) and deletions (60),
# e.g. order 55, to office.reports.dossier.SECTION_BUILDERS.
PERIODS_ORDER = 40
RECORDINGS_ORDER = 45
SIGHTINGS_ORDER = 50


def duration_words(seconds: float) -> str:
    """A duration as people say it: "2 h 05 min", "12 min", "40 s"."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": grouped(hours), "minutes": minutes}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


def interruptions_text(period: OperatingPeriod) -> str:
    """Worker changes, gaps without analysis and camera outages inside one period, in one line ("" if none)."""
    parts = []
    if period.interruptions:
        parts.append(
            ngettext(
                "%(count)s gap without analysis (%(duration)s)",
                "%(count)s gaps without analysis (%(duration)s in all)",
                period.interruptions,
            )
            % {"count": grouped(period.interruptions), "duration": duration_words(period.interrupted_seconds)}
        )
    if period.outages:
        parts.append(
            ngettext(
                "%(count)s camera outage (%(duration)s, %(attempts)s attempts to reconnect)",
                "%(count)s camera outages (%(duration)s in all, %(attempts)s attempts to reconnect)",
                period.outages,
            )
            % {
                "count": grouped(period.outages),
                "duration": duration_words(period.outage_seconds),
                "attempts": grouped(period.outage_attempts),
            }
        )
    return "; ".join(parts)


def workers_text(period: OperatingPeriod) -> str:
    if not period.workers:
        return ""
    return ngettext("analysed by %(count)s worker", "analysed by %(count)s workers", period.workers) % {
        "count": grouped(period.workers)
    }


def period_span(period: OperatingPeriod) -> str:
    if period.first_frame_at is None:
        return _("never analysed")
    end = _("running") if period.running else local_timestamp(period.last_frame_at)
    return _("%(start)s to %(end)s") % {"start": local_timestamp(period.first_frame_at), "end": end}


def period_summary(period: OperatingPeriod) -> str:
    """One camera's period in one sentence, for the dossier's summary."""
    text = _("%(span)s: %(frames)s frames analysed, %(faces)s faces, %(matches)s matches, %(sightings)s sightings") % {
        "span": period_span(period),
        "frames": grouped(period.frames_analysed),
        "faces": grouped(period.faces),
        "matches": grouped(period.matches),
        "sightings": grouped(period.sightings),
    }
    interruptions = interruptions_text(period) or _("no interruption")
    return f"{text}; {interruptions}"


def periods_section(case: Case, periods: list[OperatingPeriod] | None = None) -> DossierSection:
    periods = operating_periods(case) if periods is None else periods
    rows = tuple(
        (
            period.camera.name,
            period_span(period),
            duration_words(period.seconds) if period.first_frame_at else "",
            grouped(period.frames_analysed),
            grouped(period.faces),
            grouped(period.matches),
            grouped(period.sightings),
            "; ".join(filter(None, (interruptions_text(period) or _("none"), workers_text(period)))),
        )
        for period in periods
    )
    return DossierSection(
        key="periods",
        title=_("Operating periods"),
        order=PERIODS_ORDER,
        columns=(
            _("Camera"),
            _("From the first frame to the last"),
            _("Duration"),
            _("Frames analysed"),
            _("Faces seen"),
            _("Matches"),
            _("Sightings"),
            _("Interruptions"),
        ),
        rows=rows,
        note=_(
            "One period per camera: from the first frame analysed to the last. The platform analyses a camera in "
            "short segments handed between workers; interruptions inside a period are summarised, not listed."
        ),
    )


def _person_words(alert: Alert) -> str:
    # The person by number and category: a dossier may travel, names stay on the case.
    return _("person %(number)s (%(category)s)") % {
        "number": alert.person_id,
        "category": alert.person.get_category_display(),
    }


def _where(alert: Alert) -> str:
    # R24: a sighting in recorded footage names the recording in place of the live camera.
    if alert.recording_id:
        return _("%(camera)s, recording %(number)s") % {"camera": alert.camera.name, "number": alert.recording_id}
    return alert.camera.name


def _clock(value) -> str:
    return date_format(value, "TIME_FORMAT") if value else ""


def _verifications(alert: Alert) -> str:
    """Who confirmed or rejected, and when (the day only when it differs from the sighting's)."""
    from django.utils import timezone

    day = timezone.localtime(alert.captured_at).date()
    words = []
    for review in alert.reviews.all():
        when = timezone.localtime(review.created_at)
        moment = _clock(when) if when.date() == day else local_timestamp(review.created_at)
        template = _("%(who)s confirmed %(when)s") if review.verdict == "confirm" else _("%(who)s rejected %(when)s")
        words.append(template % {"who": review.reviewer.get_username(), "when": moment})
    return "; ".join(words) or _("none")


def sighting_alerts(case: Case):
    return (
        Alert.objects.filter(case=case)
        .select_related("camera", "person")
        .defer("crop_blob", "frames")
        .prefetch_related(Prefetch("reviews", queryset=AlertReview.objects.select_related("reviewer").order_by("id")))
        .order_by("person_id", "camera__name", "captured_at", "id")
    )


def sightings_groups_section(case: Case, alerts: list[Alert] | None = None) -> DossierSection:
    """Per person and camera: how many sightings, when, how they were verified and what came of them."""
    alerts = list(sighting_alerts(case)) if alerts is None else alerts
    groups: dict[tuple, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault((alert.person_id, _where(alert)), []).append(alert)
    rows = []
    for (_person, camera), members in groups.items():
        statuses = Counter(a.status for a in members)
        outcomes = Counter(a.get_outcome_display() for a in members if a.outcome)
        rows.append(
            (
                _person_words(members[0]),
                camera,
                grouped(len(members)),
                _("%(first)s to %(last)s")
                % {
                    "first": local_timestamp(min(a.captured_at for a in members)),
                    "last": local_timestamp(max(a.last_seen_at or a.captured_at for a in members)),
                },
                grouped(statuses[Alert.Status.VERIFIED]),
                grouped(statuses[Alert.Status.REJECTED]),
                grouped(statuses[Alert.Status.NEW]),
                ", ".join(f"{name}: {grouped(n)}" for name, n in sorted(outcomes.items())) or _("none"),
            )
        )
    return DossierSection(
        key="sightings",
        title=_("Sightings per person and camera"),
        order=SIGHTINGS_ORDER,
        columns=(
            _("Person sought"),
            _("Camera"),
            _("Sightings"),
            _("First and last seen"),
            _("Verified"),
            _("False"),
            _("Awaiting"),
            _("Outcomes"),
        ),
        rows=tuple(rows),
    )


def sightings_section(case: Case, alerts: list[Alert] | None = None) -> DossierSection:
    """Every sighting on one line, grouped by person and camera (the order of the groups above)."""
    alerts = list(sighting_alerts(case)) if alerts is None else alerts
    rows = tuple(
        (
            _("person %(number)s") % {"number": alert.person_id},
            _where(alert),
            local_timestamp(alert.captured_at),
            duration_words(alert.duration_seconds),
            number_format(alert.distance, 3),
            plain(alert.get_status_display()),
            _verifications(alert),
            alert.get_outcome_display() if alert.outcome else "",
        )
        for alert in alerts
    )
    return DossierSection(
        key="sighting_details",
        title=_("Each sighting, its verification and outcome"),
        order=SIGHTINGS_ORDER + 1,
        columns=(
            _("Person sought"),
            _("Camera"),
            _("First seen"),
            _("In view"),
            _("Distance"),
            _("Status"),
            _("Verifications"),
            _("Outcome"),
        ),
        rows=rows,
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
