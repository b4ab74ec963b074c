"""Reads of the data protection office: deployments and its inbox (R22), data-subject requests and their findings
(R21), and what left a case (R19).

Permission rules as everywhere (STYLE, habit 4): the office's objects answer 404 to everyone else.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from office.models import DeletionRecord
from oversight.models import Case, DataSubjectRequest, Deployment, OfficeNotification, Person
from oversight.roles import Role, user_has_role


def deployment_list() -> QuerySet[Deployment]:
    return Deployment.objects.prefetch_related("cameras").order_by("name")


def deployment_get_for_user(*, user, pk: int) -> Deployment:
    """The deployment, for users who may see deployments; Http404 otherwise (missing and forbidden alike)."""
    deployment = Deployment.objects.filter(pk=pk).prefetch_related("cameras").first()
    if deployment is None or not user.has_perm("oversight.view_deployment"):
        raise Http404("No such deployment.")
    return deployment


def notification_list_for_user(*, user) -> QuerySet[OfficeNotification]:
    if not user.has_perm("oversight.view_officenotification"):
        return OfficeNotification.objects.none()
    return OfficeNotification.objects.select_related("read_by").order_by("-created_at", "-id")


def notification_get_for_user(*, user, pk: int) -> OfficeNotification:
    notification = notification_list_for_user(user=user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def notification_unread_count(*, user) -> int:
    return notification_list_for_user(user=user).filter(read_at__isnull=True).count()


def _is_office(user) -> bool:
    return bool(getattr(user, "is_active", False)) and user_has_role(user, Role.DPO_REVIEWER)


def subject_request_list_for_user(*, user):
    if not _is_office(user):
        return DataSubjectRequest.objects.none()
    return DataSubjectRequest.objects.select_related("recorded_by").order_by("-recorded_at", "-id")


def subject_request_open_count(*, user) -> int:
    return subject_request_list_for_user(user=user).filter(status="open").count()


def subject_request_get_for_user(*, user, pk: int):
    """The request for the data protection office; Http404 for everyone else and for missing ones."""
    request = subject_request_list_for_user(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404("No such request.")
    return request


def subject_request_findings(*, request) -> list:
    """The request's items, each with a plain description of its object (or "no longer stored")."""
    items = list(request.items.select_related("case").order_by("target_label", "target_id"))
    persons = dict(
        Person.objects.filter(pk__in=[i.target_id for i in items if i.target_label == "oversight.Person"]).values_list(
            "pk", "full_name"
        )
    )
    for item in items:
        case_ref = item.case.reference if item.case_id else ""
        if item.target_label == "oversight.Case":
            item.description = _("Case %(reference)s") % {"reference": case_ref}
        elif item.target_label == "oversight.Person":
            name = persons.get(item.target_id)
            item.description = (
                _("Person %(name)s in case %(reference)s") % {"name": name, "reference": case_ref}
                if name
                else _("Person %(number)s (erased)") % {"number": item.target_id}
            )
        else:
            kind = item.target_label.split(".")[-1]
            item.description = _("%(kind)s %(number)s of case %(reference)s") % {
                "kind": kind,
                "number": item.target_id,
                "reference": case_ref,
            }
    return items


def case_deletion_records(*, case: Case):
    """What left this case, when and by which rule (the proof, issue 9 item 6): newest first, one query."""
    return DeletionRecord.objects.filter(case=case).order_by("-deleted_at", "-id")
