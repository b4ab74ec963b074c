"""Recognition's lines of the retention schedule (R19) and the deletion code of alerts, reviews and scans.

Registered into oversight's schedule by recognition/plugins.py. A new kind of recognition data (for example
sightings) adds one DeletableKind and one RetentionRule here; the run, the R9 purge, erasure, the dry run and the
system checks pick it up from the registry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from oversight.registry import DeletableKind, Deleted, RetentionRule, deletable_kind_register, retention_rule_register
from oversight.services.retention import case_ids_ended_before, grouped, held_ids, period, take
from recognition.models import Alert, AlertReview, Scan

ALERT = "recognition.Alert"
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


# ---------------------------------------------------------------- what is due


def _alerts_not_held():
    """Alerts a data-subject request holds (found for an open request, or restricted), directly or via their person."""
    return Alert.objects.exclude(pk__in=held_ids(label=ALERT)).exclude(person_id__in=held_ids(label="oversight.Person"))


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


_rules: dict[str, RetentionRule] = {}


def register_retention() -> None:
    deletable_kind_register(
        DeletableKind(
            label=ALERT,
            delete=alerts_delete,
            of_cases=lambda ids: list(Alert.objects.filter(case_id__in=ids).values_list("pk", flat=True)),
            of_persons=lambda ids: list(Alert.objects.filter(person_id__in=ids).values_list("pk", flat=True)),
            persons_holding=lambda ids: set(
                Alert.objects.filter(person_id__in=ids).values_list("person_id", flat=True)
            ),
            case_of=lambda pks: dict(Alert.objects.filter(pk__in=pks).values_list("pk", "case_id")),
        )
    )
    deletable_kind_register(
        DeletableKind(
            label=REVIEW,
            delete=reviews_delete,
            of_persons=lambda ids: list(
                AlertReview.objects.filter(alert__person_id__in=ids).values_list("pk", flat=True)
            ),
            case_of=lambda pks: dict(AlertReview.objects.filter(pk__in=pks).values_list("pk", "alert__case_id")),
        )
    )
    deletable_kind_register(DeletableKind(label=SCAN, delete=scans_delete))
    for rule in (
        RetentionRule(
            code="recognition.alerts_rejected",
            data="Rejected (false) alerts, their encrypted crops and their reviews with notes",
            clock="the rejection (the rejecting review's decision time)",
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
            data="Alerts nobody verified or rejected, with their crops (and any first verdict)",
            clock="case end (case_ended_at); an alert under review is held until RETENTION_UNDER_REVIEW_MAX_DAYS",
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
            data="Verified alerts, their crops and their reviews with notes",
            clock="the verification (the last review's decision time)",
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
            data="Scan rows (camera, worker, times, frame and face counts)",
            clock="the scan's stop",
            setting="RETENTION_SCAN_DAYS",
            unit="days",
            minimum=30,
            maximum=1095,
            action="delete",
            select=_scans_due,
            apply=scans_delete,
        ),
    ):
        _rules[rule.code] = rule
        retention_rule_register(rule)


# ---------------------------------------------------------------- proof: nothing of a case is left (issue 9, item 6)


def case_leftovers(*, case, needles: tuple[bytes, ...] = ()) -> dict[str, list]:
    """What is still stored of a case's personal data, by kind; empty lists everywhere means nothing is left.

    Looks at the rows of every registered kind linked to the case (persons, reference photos and templates,
    alerts with crops, reviews), the case's free text and impact assessment once reduced, files in the photo
    folder no row refers to, and, if given, byte strings (a crop, a template, a photo) in every media file.
    The test helper tests/oversight/retention_helpers.assert_nothing_left also searches a database dump.
    """
    from pathlib import Path

    from oversight.models import CASE_TEXT_REMOVED
    from oversight.registry import deletable_kinds
    from watchlists.models import ReferencePhoto
    from watchlists.services import PHOTO_DIR

    found: dict[str, list] = {}
    for label, kind in deletable_kinds().items():
        if kind.of_cases is not None:
            found[label] = sorted(kind.of_cases([case.pk]))
    found[REVIEW] = sorted(AlertReview.objects.filter(alert__case_id=case.pk).values_list("pk", flat=True))
    if case.text_reduced_at is not None:
        from oversight.models import CASE_FREE_TEXT_FIELDS

        found["case_text"] = [n for n in CASE_FREE_TEXT_FIELDS if getattr(case, n) not in ("", CASE_TEXT_REMOVED)]
        found["impact_assessment"] = [case.impact_assessment.name] if case.impact_assessment else []
    root = Path(settings.MEDIA_ROOT)
    known = set(ReferencePhoto.objects.exclude(photo_file="").values_list("photo_file", flat=True))
    folder = root / PHOTO_DIR
    found["orphan_photo_files"] = sorted(
        f"{PHOTO_DIR}/{p.name}"
        for p in (folder.iterdir() if folder.is_dir() else [])
        if f"{PHOTO_DIR}/{p.name}" not in known
    )
    hits = []
    if needles and root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                blob = path.read_bytes()
                hits += [str(path.relative_to(root)) for n in needles if n in blob]
    found["media_matches"] = sorted(set(hits))
    return found
