"""Reads of the recognition app: alerts as each user may see them (STYLE 4: others' alerts are 404)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404

from oversight.roles import Role, user_has_role
from oversight.selectors import case_access_basis, case_list_for_user, restricted_ids
from oversight.wording import time_left_at_pace
from recognition.models import Alert, AlertReview, CameraOutage, Recording


def _visible() -> QuerySet[Alert]:
    """Alerts anyone may still see: not of an urgent use awaiting its R9 purge, not restricted (R21)."""
    return (
        Alert.objects.filter(case__data_deletion_due_at__isnull=True)
        .exclude(pk__in=restricted_ids(label="recognition.Alert"))
        .exclude(person_id__in=restricted_ids(label="oversight.Person"))
    )


def _alerts() -> QuerySet[Alert]:
    return _visible().select_related("case", "person", "camera").defer("crop_blob")


def _sees_every_alert(user) -> bool:
    # The control room's verifiers review the alerts of every case (R14); they hold no case permissions.
    return user_has_role(user, Role.ALERT_VERIFIER)


def alert_list_for_user(*, user) -> QuerySet[Alert]:
    """Alerts of the cases the user may see (case_list_for_user), newest first, in one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Alert.objects.none()
    if _sees_every_alert(user):
        return _alerts().order_by("-captured_at", "-id")
    return _alerts().filter(case__in=case_list_for_user(user=user).values("pk")).order_by("-captured_at", "-id")


def alert_get_for_user(*, user, pk: int) -> Alert:
    """The alert if the user may see its case; Http404 for missing and forbidden alike.

    Sets ``alert.access_basis`` (recorded with each consultation, R17).
    """
    alert = _visible().select_related("case", "person", "camera", "recording").filter(pk=pk).first()
    if alert is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such alert.")
    basis = "alert_verifier" if _sees_every_alert(user) else case_access_basis(user=user, case=alert.case)
    if basis is None:
        raise Http404("No such alert.")
    alert.access_basis = basis
    return alert


def alert_continued(*, alert: Alert) -> Alert | None:
    """The reviewed sighting this one continues (R16), if there is one and it may still be seen."""
    if alert.continues_id is None:
        return None
    return _visible().filter(pk=alert.continues_id).first()


def alert_reviews(*, alert: Alert):
    return alert.reviews.select_related("reviewer").order_by("id")


# The verifier's queue: urgent cases first (R9: an urgent use runs before its authorisation), then the oldest.
QUEUE_ORDER = ("-case__is_urgent", "captured_at", "id")
ALERT_SORTS = {
    "newest": ("-captured_at", "-id"),
    "oldest": ("captured_at", "id"),
    "distance": ("distance", "id"),
    "queue": QUEUE_ORDER,
}


def alert_filter(qs: QuerySet[Alert], *, user, status="", case="", camera="", person="", awaiting_me=False, sort=""):
    """The alert list's filters, all optional: status, case reference, camera id, person name (part of it), only the
    alerts awaiting this user's verification, and the order."""
    if status in Alert.Status.values:
        qs = qs.filter(status=status)
    if case:
        qs = qs.filter(case__reference__iexact=case.strip())
    if str(camera).isdigit():
        qs = qs.filter(camera_id=int(camera))
    if person:
        qs = qs.filter(person__full_name__icontains=person.strip())
    if awaiting_me:
        qs = qs.filter(status=Alert.Status.NEW).exclude(reviews__reviewer=user)
    return qs.order_by(*ALERT_SORTS.get(sort, ALERT_SORTS["newest"]))


def alerts_awaiting_for_user(*, user, case: str = "", camera: str = "") -> QuerySet[Alert]:
    """Sightings this verifier may review and has not (new, no verdict of theirs yet), in queue order, optionally
    only of one case (reference) or one camera (id)."""
    if not user_has_role(user, Role.ALERT_VERIFIER):
        return Alert.objects.none()
    qs = alert_filter(alert_list_for_user(user=user), user=user, awaiting_me=True, case=case, camera=camera)
    return qs.order_by(*QUEUE_ORDER)


def alert_queue_neighbours(
    *, user, alert: Alert, case: str = "", camera: str = ""
) -> tuple[Alert | None, Alert | None]:
    """The sightings awaiting this verifier just before and after this one in queue order: previous, next.
    When this one is not (or no longer) in the queue, the next is the head of the queue."""
    queue = list(alerts_awaiting_for_user(user=user, case=case, camera=camera).values_list("pk", flat=True))
    if alert.pk in queue:
        position = queue.index(alert.pk)
        before, after = queue[position - 1] if position else None, queue[position + 1 : position + 2]
    else:
        before, after = None, queue[:1]
    wanted = [pk for pk in (before, *after) if pk is not None]
    found = {a.pk: a for a in Alert.objects.filter(pk__in=wanted)}
    return found.get(before), found.get(after[0]) if after else None


def alert_queue_head(*, user, case: str = "", camera: str = "") -> Alert | None:
    """The sighting this verifier should look at next: the head of their queue."""
    return alerts_awaiting_for_user(user=user, case=case, camera=camera).first()


def alert_encounter(*, alert: Alert, gap: timedelta) -> list[Alert]:
    """The ENCOUNTER this sighting belongs to: the visible sightings of the same person on the same case, on any
    camera, that follow each other with gaps of at most `gap` (from one's last sighting to the next's first),
    oldest first. A single sighting is an encounter of one."""
    window = timedelta(days=1)
    candidates = list(
        _visible()
        .filter(
            case_id=alert.case_id,
            person_id=alert.person_id,
            captured_at__gte=alert.captured_at - window,
            captured_at__lte=(alert.last_seen_at or alert.captured_at) + window,
        )
        .select_related("camera")
        .order_by("captured_at", "id")
    )
    groups: list[list[Alert]] = []
    reach = None
    for candidate in candidates:
        if reach is None or candidate.captured_at - reach > gap:
            groups.append([])
            reach = candidate.last_seen_at or candidate.captured_at
        groups[-1].append(candidate)
        reach = max(reach, candidate.last_seen_at or candidate.captured_at)
    return next((group for group in groups if any(a.pk == alert.pk for a in group)), [alert])


def alert_reference_photos(*, alert: Alert):
    """The reference photos of the alert's person that still hold an image (the verifier compares them)."""
    return alert.person.photos.exclude(photo_file="").filter(status="ready").order_by("pk")


def alert_review_recent_for_user(*, user, limit: int = 5):
    """The verifier's own latest verdicts, newest first (the home page)."""
    return list(
        AlertReview.objects.filter(reviewer=user, alert__in=_visible())
        .select_related("alert__camera", "alert__case")
        .order_by("-created_at", "-id")[:limit]
    )


def camera_outages_open() -> list[CameraOutage]:
    """Cameras in an outage now, longest first, with their camera (for the administrators' home page)."""
    return list(CameraOutage.objects.filter(ended_at__isnull=True).select_related("camera").order_by("started_at"))


# ---------------------------------------------------------------- recordings of post-event searches (R24)


def recordings_of_case(*, case) -> QuerySet[Recording]:
    """A case's recordings in upload order (the caller checked the user may see the case)."""
    return Recording.objects.filter(case=case).select_related("camera").order_by("pk")


def recording_get_for_user(*, user, pk: int) -> Recording:
    """A recording of a case the user may see; anyone else's answers 404 (STYLE 4)."""
    from oversight.selectors import case_get_for_user

    recording = Recording.objects.select_related("case", "camera").filter(pk=pk).first()
    if recording is None:
        raise Http404
    case_get_for_user(user=user, pk=recording.case_id)  # 404 for a case the user may not see
    return recording


def recording_time_left_seconds(recording: Recording, *, authorised_seconds: float | None = None) -> float | None:
    """Estimated wall time left to analyse a recording, from the pace so far (None before any progress)."""
    total = recording.duration_seconds if authorised_seconds is None else authorised_seconds
    if recording.analysis_finished_at:
        return 0.0
    if not total:
        return None
    return time_left_at_pace(total, recording.analysed_until_seconds, recording.analysis_seconds)
