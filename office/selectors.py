"""Reads of the data protection office: deployments and its inbox (R22), data-subject requests and their findings
(R21), and what left a case (R19).

Permission rules as everywhere (STYLE, habit 4): the office's objects answer 404 to everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# What each kind of finding is, in words (never a model's name): one item, and a group of them in one case.
FINDING_KINDS = {
    "oversight.Case": (
        gettext_lazy("The record of case %(reference)s (legal basis, reasons, impact assessment)"),
        gettext_lazy("Case record"),
    ),
    "oversight.Person": (
        gettext_lazy("Entry of %(name)s as a sought person"),
        gettext_lazy("Entries as a sought person"),
    ),
    "watchlists.ReferencePhoto": (gettext_lazy("Reference photo no. %(number)s"), gettext_lazy("Reference photos")),
    "recognition.Alert": (
        gettext_lazy("Sighting no. %(number)s (an alert with its image)"),
        gettext_lazy("Sightings (alerts with their image)"),
    ),
    "recognition.AlertReview": (
        gettext_lazy("Verification no. %(number)s of a sighting"),
        gettext_lazy("Verifications of sightings"),
    ),
}
_KIND_ORDER = {label: n for n, label in enumerate(FINDING_KINDS)}


def group_key(label: str, case_id: int | None) -> str:
    """A group of findings: one kind of data in one case (the page shows it in words, never this key)."""
    return f"{label}|{case_id or ''}"


def subject_item_descriptions(items) -> dict[int, str]:
    """{item id: what it is, in plain words}: one query for the persons' names, none per item."""
    persons = dict(
        Person.objects.filter(pk__in=[i.target_id for i in items if i.target_label == "oversight.Person"]).values_list(
            "pk", "full_name"
        )
    )
    references = dict(
        Case.objects.filter(pk__in={i.case_id for i in items if i.case_id}).values_list("pk", "reference")
    )
    out = {}
    for item in items:
        reference = references.get(item.case_id, "")
        one = FINDING_KINDS.get(item.target_label, (gettext_lazy("Item no. %(number)s"), ""))[0]
        if item.target_label == "oversight.Person" and item.target_id not in persons:
            text = _("Entry no. %(number)s of a sought person (erased)") % {"number": item.target_id}
        else:
            text = one % {"reference": reference, "name": persons.get(item.target_id, ""), "number": item.target_id}
        if item.target_label != "oversight.Case" and reference:
            text = _("%(item)s, case %(reference)s") % {"item": text, "reference": reference}
        out[item.pk] = text
    return out


def subject_request_findings(*, request) -> list:
    """The request's items, each with a plain description of its object (or "no longer stored")."""
    items = list(request.items.select_related("case").order_by("target_label", "target_id"))
    words = subject_item_descriptions(items)
    for item in items:
        item.description = words[item.pk]
    return items


@dataclass
class FindingGroup:
    """One kind of data in one case, as the office decides it: its items, and what was decided so far."""

    key: str
    title: str
    items: list = field(default_factory=list)

    @property
    def undecided(self) -> int:
        return sum(1 for item in self.items if item.decision == "pending")

    @property
    def decisions(self) -> list[tuple[str, int]]:
        """[(decision in words, count)] for the group's summary line."""
        counts: dict[str, int] = {}
        for item in self.items:
            label = str(item.get_decision_display())
            counts[label] = counts.get(label, 0) + 1
        return sorted(counts.items())


def subject_request_groups(*, request) -> list[FindingGroup]:
    """The findings grouped by case, then by kind (case record, persons, photos, sightings, verifications)."""
    items = subject_request_findings(request=request)
    groups: dict[str, FindingGroup] = {}
    ordered = sorted(
        items,
        key=lambda i: (i.case.reference if i.case_id else "", _KIND_ORDER.get(i.target_label, 99), i.target_id),
    )
    for item in ordered:
        key = group_key(item.target_label, item.case_id)
        if key not in groups:
            plural = FINDING_KINDS.get(item.target_label, ("", gettext_lazy("Other data")))[1]
            title = (
                _("%(kind)s, case %(reference)s") % {"kind": plural, "reference": item.case.reference}
                if item.case_id
                else str(plural)
            )
            groups[key] = FindingGroup(key=key, title=title)
        groups[key].items.append(item)
    return list(groups.values())


def case_deletion_records(*, case: Case):
    """What left this case, when and by which rule (the proof): newest first, one query."""
    return DeletionRecord.objects.filter(case=case).order_by("-deleted_at", "-id")
