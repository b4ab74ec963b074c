"""Reads of the recognition app: alerts as each user may see them (STYLE 4: others' alerts are 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from oversight.roles import Role, user_has_role
from oversight.selectors import case_access_basis, case_list_for_user, restricted_ids
from recognition.models import Alert, AlertReview, CameraOutage


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
    alert = _visible().select_related("case", "person", "camera").filter(pk=pk).first()
    if alert is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such alert.")
    basis = "alert_verifier" if _sees_every_alert(user) else case_access_basis(user=user, case=alert.case)
    if basis is None:
        raise Http404("No such alert.")
    alert.access_basis = basis
    return alert


def alert_reviews(*, alert: Alert):
    return alert.reviews.select_related("reviewer").order_by("id")


ALERT_SORTS = {"newest": ("-captured_at", "-id"), "oldest": ("captured_at", "id"), "distance": ("distance", "id")}


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


def alerts_awaiting_for_user(*, user) -> QuerySet[Alert]:
    """Alerts this verifier may review and has not: new, and no verdict of theirs yet (oldest first)."""
    if not user_has_role(user, Role.ALERT_VERIFIER):
        return Alert.objects.none()
    return alert_filter(alert_list_for_user(user=user), user=user, awaiting_me=True, sort="oldest")


def alert_queue_neighbours(*, user, alert: Alert) -> tuple[Alert | None, Alert | None]:
    """The alerts awaiting this verifier just before and after this one (oldest first): previous, next."""
    queue = alerts_awaiting_for_user(user=user).exclude(pk=alert.pk)
    previous = (
        queue.filter(captured_at__lt=alert.captured_at).order_by("-captured_at", "-id").first()
        if queue.exists()
        else None
    )
    following = queue.filter(captured_at__gte=alert.captured_at).order_by("captured_at", "id").first()
    return previous, following


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
