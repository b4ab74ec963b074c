"""Recognition's lines of the retention schedule (R19) and the deletion code of alerts, reviews and scans.

Plain declarations (RULES, KINDS) that the office's runner imports (office.services.retention). A new kind of
recognition data (for example sightings) adds one DeletableKind to KINDS and one RetentionRule to RULES here; the
run, the R9 purge, erasure, the dry run and the system checks pick it up from there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from oversight.models import Case
from oversight.retention import (
    DeletableKind,
    Deleted,
    RetentionRule,
    case_ids_ended_before,
    grouped,
    held_ids,
    period,
    take,
)
from recognition.models import Alert, AlertReview, Recording, Scan
from recognition.services.recordings import recording_path
from watchlists.models import ReferencePhoto

ALERT = "recognition.Alert"
RECORDING = "recognition.Recording"
REVIEW = "recognition.AlertReview"
SCAN = "recognition.Scan"


# ---------------------------------------------------------------- deletion code


def alerts_delete(*, pks: list[int]) -> Deleted:
    """Delete alerts with their encrypted crops and their reviews (verdicts and notes), in the caller's transaction."""
    rows = list(Alert.objects.filter(pk__in=pks).values_list("pk", "case_id"))
    reviews = list(AlertReview.objects.filter(alert_id__in=[r[0] for r in rows]).values_list("pk", "alert__case_id"))
    Alert.objects.filter(pk__in=[r[0] for r in rows]).delete()  # reviews cascade
    out: Deleted = {ALERT: grouped(rows)}
    if reviews:
        out[REVIEW] = grouped(reviews)
    return out


def reviews_delete(*, pks: list[int]) -> Deleted:
    rows = list(AlertReview.objects.filter(pk__in=pks).values_list("pk", "alert__case_id"))
    AlertReview.objects.filter(pk__in=[r[0] for r in rows]).delete()
    return {REVIEW: grouped(rows)}


def scans_delete(*, pks: list[int]) -> Deleted:
    """Scan rows hold no face, only a camera, a worker name, times and counts; alerts keep nothing of them."""
    ids = list(Scan.objects.filter(pk__in=pks, stopped_at__isnull=False).values_list("pk", flat=True))
    Scan.objects.filter(pk__in=ids).delete()
    return {SCAN: {None: ids}} if ids else {}


def recordings_delete(*, pks: list[int]) -> Deleted:
    """Destroy recordings' encrypted footage (R19, R24): the file goes after commit; the row stays destroyed with its
    hash, times and counts, the record of what was searched. Idempotent: a destroyed recording is left alone."""
    recordings = list(Recording.objects.filter(pk__in=pks, destroyed_at__isnull=True))
    paths = [recording_path(r) for r in recordings if r.file_path]
    ids = [r.pk for r in recordings]
    Recording.objects.filter(pk__in=ids).update(status=Recording.Status.DESTROYED, destroyed_at=timezone.now())
    transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return {RECORDING: grouped([(r.pk, r.case_id) for r in recordings])} if recordings else {}


def _recordings_of_cases(ids: list[int]) -> list[int]:
    return list(Recording.objects.filter(case_id__in=ids, destroyed_at__isnull=True).values_list("pk", flat=True))


# ---------------------------------------------------------------- what is due


# ---------------------------------------------------------------- what recognition holds (THE hold rule, R12, R14)


def _verification_window_open() -> list[int]:
    """Cases whose alerts may still be verified: not ended, or ended less than RETENTION_UNDER_REVIEW_MAX_DAYS ago
    (the bound: an abandoned verification never holds data for ever, R19)."""
    now = timezone.now()
    past = set(case_ids_ended_before(cutoff=now - timedelta(days=settings.RETENTION_UNDER_REVIEW_MAX_DAYS), now=now))
    return [pk for pk in Case.objects.values_list("pk", flat=True) if pk not in past]


def _under_review():
    """Alerts with a first verdict and no second one, in a case whose verification window is open."""
    started = AlertReview.objects.filter(alert=OuterRef("pk"))
    return Alert.objects.filter(status=Alert.Status.NEW, case_id__in=_verification_window_open()).filter(
        Exists(started)
    )


def review_in_progress_held(*, label: str, exclude_request: int | None = None) -> set[int]:
    """A review in progress holds its alert (with its crop) and the first verdict until the second one (R14)."""
    if label == ALERT:
        return set(_under_review().values_list("pk", flat=True))
    if label == REVIEW:
        return set(AlertReview.objects.filter(alert__in=_under_review()).values_list("pk", flat=True))
    return set()


def sighting_under_verification_held(*, label: str, exclude_request: int | None = None) -> set[int]:
    """A sighting awaiting verification holds its person's reference photos: the verifiers compare the crop with
    them (R12: destroyed after any retention the case needs for alerts under review)."""
    if label != "watchlists.ReferencePhoto":
        return set()
    waiting = Alert.objects.filter(status=Alert.Status.NEW, case_id__in=_verification_window_open())
    return set(ReferencePhoto.objects.filter(person_id__in=waiting.values("person_id")).values_list("pk", flat=True))


def _alerts_not_held():
    """Alerts THE hold rule keeps (oversight.holds: a restriction of the alert, its person or its case, an open
    request, a review in progress)."""
    return Alert.objects.exclude(pk__in=held_ids(label=ALERT))


def _rejected_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    cutoff = now - period(_rules["recognition.alerts_rejected"])
    rejected_before = AlertReview.objects.filter(
        alert=OuterRef("pk"), verdict=AlertReview.Verdict.REJECT, created_at__lte=cutoff
    )
    return take(
        _alerts_not_held().filter(status=Alert.Status.REJECTED).filter(Exists(rejected_before)),
        limit=limit,
        lock=lock,
    )


def _unreviewed_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    ended = case_ids_ended_before(cutoff=now - period(_rules["recognition.alerts_unreviewed"]), now=now)
    if not ended:
        return []
    # An alert with a first verdict is under review: held until RETENTION_UNDER_REVIEW_MAX_DAYS after the case end.
    hold_over = set(
        case_ids_ended_before(cutoff=now - timedelta(days=settings.RETENTION_UNDER_REVIEW_MAX_DAYS), now=now)
    )
    started = AlertReview.objects.filter(alert=OuterRef("pk"))
    qs = _alerts_not_held().filter(status=Alert.Status.NEW, case_id__in=ended)
    qs = qs.filter(~Exists(started) | Q(case_id__in=hold_over))
    return take(qs, limit=limit, lock=lock)


def _verified_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    cutoff = now - period(_rules["recognition.alerts_verified"])
    later = AlertReview.objects.filter(alert=OuterRef("pk"), created_at__gt=cutoff)
    return take(_alerts_not_held().filter(status=Alert.Status.VERIFIED).filter(~Exists(later)), limit=limit, lock=lock)


def _scans_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    cutoff = now - period(_rules["recognition.scans"])
    return take(Scan.objects.filter(stopped_at__lte=cutoff), limit=limit, lock=lock)


def _recordings_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    ended = case_ids_ended_before(cutoff=now - period(_rules["recognition.recordings"]), now=now)
    if not ended:
        return []
    qs = Recording.objects.filter(case_id__in=ended, destroyed_at__isnull=True).exclude(
        pk__in=held_ids(label=RECORDING)
    )
    return take(qs, limit=limit, lock=lock)


KINDS: tuple[DeletableKind, ...] = (
    DeletableKind(
        label=ALERT,
        delete=alerts_delete,
        of_cases=lambda ids: list(Alert.objects.filter(case_id__in=ids).values_list("pk", flat=True)),
        of_persons=lambda ids: list(Alert.objects.filter(person_id__in=ids).values_list("pk", flat=True)),
        persons_holding=lambda ids: set(Alert.objects.filter(person_id__in=ids).values_list("person_id", flat=True)),
        case_of=lambda pks: dict(Alert.objects.filter(pk__in=pks).values_list("pk", "case_id")),
    ),
    DeletableKind(
        label=REVIEW,
        delete=reviews_delete,
        of_persons=lambda ids: list(AlertReview.objects.filter(alert__person_id__in=ids).values_list("pk", flat=True)),
        case_of=lambda pks: dict(AlertReview.objects.filter(pk__in=pks).values_list("pk", "alert__case_id")),
    ),
    DeletableKind(label=SCAN, delete=scans_delete),
    DeletableKind(
        label=RECORDING,
        delete=recordings_delete,
        of_cases=_recordings_of_cases,
        case_of=lambda pks: dict(Recording.objects.filter(pk__in=pks).values_list("pk", "case_id")),
    ),
)
RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        code="recognition.alerts_rejected",
        data=gettext_noop("Rejected (false) alerts, their encrypted crops and their reviews with notes"),
        clock=gettext_noop("the rejection (the rejecting review's decision time)"),
        setting="RETENTION_REJECTED_ALERT_DAYS",
        unit="days",
        minimum=0,
        maximum=90,
        action="delete",
        select=_rejected_due,
        apply=alerts_delete,
    ),
    RetentionRule(
        code="recognition.alerts_unreviewed",
        data=gettext_noop("Alerts nobody verified or rejected, with their crops (and any first verdict)"),
        clock=gettext_noop(
            "case end (case_ended_at); an alert under review is held until RETENTION_UNDER_REVIEW_MAX_DAYS"
        ),
        setting="RETENTION_UNREVIEWED_ALERT_DAYS",
        unit="days",
        minimum=0,
        maximum=180,
        action="delete",
        select=_unreviewed_due,
        apply=alerts_delete,
    ),
    RetentionRule(
        code="recognition.alerts_verified",
        data=gettext_noop("Verified alerts, their crops and their reviews with notes"),
        clock=gettext_noop("the verification (the last review's decision time)"),
        setting="RETENTION_VERIFIED_ALERT_DAYS",
        unit="days",
        minimum=1,
        maximum=1095,
        action="delete",
        select=_verified_due,
        apply=alerts_delete,
    ),
    RetentionRule(
        code="recognition.scans",
        data=gettext_noop("Scan rows (camera, worker, times, frame and face counts)"),
        clock=gettext_noop("the scan's stop"),
        setting="RETENTION_SCAN_DAYS",
        unit="days",
        minimum=30,
        maximum=1095,
        action="delete",
        select=_scans_due,
        apply=scans_delete,
    ),
    RetentionRule(
        code="recognition.recordings",
        data=gettext_noop(
            "Recorded footage of post-event searches (the encrypted file; the row keeps hash, times and counts)"
        ),
        clock=gettext_noop("case end (case_ended_at)"),
        setting="RECORDING_RETENTION_HOURS_AFTER_END",
        unit="hours",
        minimum=0,
        maximum=720,
        action="delete",
        select=_recordings_due,
        apply=recordings_delete,
    ),
)
_rules = {rule.code: rule for rule in RULES}
