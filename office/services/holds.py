"""The office's part of THE hold rule (oversight.holds): what data-subject requests hold (R21).

The office reads every app's kinds of data (office.services.retention.KINDS), so it answers for the whole cascade:
a restriction of a case holds everything of that case, of a person everything of theirs (photos, alerts, reviews),
of an alert its reviews. An open request holds exactly what was found for it (its findings already list what is
linked to the persons found). Registered in OfficeConfig.ready(); erasure asks the same function before deleting.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from office.services.retention import KINDS
from oversight.holds import HOLDS_BY_CODE, DeletionPath, holds_of
from oversight.models import Case, DataSubjectRequestItem
from oversight.retention import CASE, PERSON
from oversight.selectors import case_ended_at
from recognition.models import Alert, AlertReview
from recognition.retention import ALERT, REVIEW
from watchlists.models import ReferencePhoto
from watchlists.retention import PHOTO


def _targets(items) -> dict[str, set[int]]:
    out: dict[str, set[int]] = defaultdict(set)
    for label, pk in items.values_list("target_label", "target_id"):
        out[label].add(pk)
    return out


def restriction_held(*, label: str, exclude_request: int | None = None) -> set[int]:
    """Rows under a restriction that is carried out and not lifted, directly or through their case, person or
    alert. A request's own restriction holds its items too (a restriction is never undone by its own request)."""
    restricted = _targets(
        DataSubjectRequestItem.objects.filter(decision="restrict", carried_out_at__isnull=False, lifted_at__isnull=True)
    )
    if not restricted:
        return set()
    held = set(restricted.get(label, ()))
    kind = KINDS.get(label)
    if kind is not None and kind.of_cases is not None and restricted.get(CASE):
        held |= set(kind.of_cases(sorted(restricted[CASE])))
    if kind is not None and kind.of_persons is not None and restricted.get(PERSON):
        held |= set(kind.of_persons(sorted(restricted[PERSON])))
    if label == REVIEW and restricted.get(ALERT):
        held |= set(AlertReview.objects.filter(alert_id__in=restricted[ALERT]).values_list("pk", flat=True))
    return held


def open_request_held(*, label: str, exclude_request: int | None = None) -> set[int]:
    """Rows found for a request still open (nothing its answer needs may vanish), other than `exclude_request`."""
    items = DataSubjectRequestItem.objects.filter(
        target_label=label, request__status="open", carried_out_at__isnull=True
    )
    if exclude_request is not None:
        items = items.exclude(request_id=exclude_request)
    return set(items.values_list("target_id", flat=True))


def _photos_freed_by_this_erasure(targets: dict[str, list[int]]) -> set[tuple[str, int]]:
    """Reference photos whose only waiting sightings go in this same erasure (the alerts erased, or their person):
    no verifier will need them, so the sighting hold does not refuse them."""
    erased_persons = set(targets.get(PERSON, []))
    erased_alerts = set(targets.get(ALERT, []))
    photos = ReferencePhoto.objects.filter(person_id__in=_persons_of_photos(targets))
    out = set()
    for photo_id, person_id in photos.values_list("pk", "person_id"):
        if person_id in erased_persons:
            out.add((PHOTO, photo_id))
            continue
        waiting = set(Alert.objects.filter(person_id=person_id, status=Alert.Status.NEW).values_list("pk", flat=True))
        if waiting <= erased_alerts:
            out.add((PHOTO, photo_id))
    return out


def _persons_of_photos(targets: dict[str, list[int]]) -> set[int]:
    photos = ReferencePhoto.objects.filter(pk__in=targets.get(PHOTO, [])).values_list("person_id", flat=True)
    return set(photos) | set(targets.get(PERSON, []))


def erasure_refusals(*, targets: dict[str, list[int]], request_id: int) -> dict[tuple[str, int], list[str]]:
    """{(label, id): [reasons in words]} for the rows an erasure must not touch now: THE hold rule for the erasure
    path (a person is held when anything of theirs is), and the legal record of a case that is still running."""
    out: dict[tuple[str, int], list[str]] = {}

    def held(label: str) -> dict[int, list[str]]:
        return holds_of(label=label, path=DeletionPath.ERASURE, exclude_request=request_id)

    moot = _photos_freed_by_this_erasure(targets)
    for label, pks in targets.items():
        by_pk = held(label)
        for pk in pks:
            for code in by_pk.get(pk, ()):
                if code == "sighting_under_verification" and (label, pk) in moot:
                    continue
                out.setdefault((label, pk), []).append(str(HOLDS_BY_CODE[code].reason))
    # A person's erasure takes everything of theirs: held when any of it is (persons of one request are few).
    for person in targets.get(PERSON, []):
        for label, kind in KINDS.items():
            if kind.of_persons is None or label == PERSON:
                continue
            dependents = set(kind.of_persons([person]))
            for pk, codes in held(label).items() if dependents else ():
                if pk not in dependents:
                    continue
                for code in codes:
                    if code == "sighting_under_verification" and (label, pk) in moot:
                        continue
                    reason = str(HOLDS_BY_CODE[code].reason)
                    if reason not in out.get((PERSON, person), []):
                        out.setdefault((PERSON, person), []).append(reason)
    # The legal record of a running case (legal basis, reasons, impact assessment) is never erased before its end.
    now = timezone.now()
    for case in Case.objects.filter(pk__in=targets.get(CASE, [])):
        if case_ended_at(case=case, now=now) is None:
            out.setdefault((CASE, case.pk), []).append(
                _(
                    "The case has not ended: its legal record (legal basis, reasons, impact assessment) is kept "
                    "until it ends; erase it then, or decide no action for now."
                )
            )
    return out
