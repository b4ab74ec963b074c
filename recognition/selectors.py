"""Reads of the recognition app: alerts as each user may see them (STYLE 4: others' alerts are 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from oversight.roles import Role, user_has_role
from oversight.selectors import case_access_basis, case_list_for_user, restricted_ids
from recognition.models import Alert


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
