"""Reads of cases, with their permissions, and THE GATE (R10).

Who sees a case:
- its requester (object permissions granted by case_create), and, when
  settings.CASE_UNIT_VISIBILITY is on, requesters of the same unit (read-only);
- its judge, or each commission member, once it is submitted or started
  urgently (object permissions granted then);
- the data protection office (global oversight.view_case), read-only;
- nobody else: missing and forbidden answer the same 404.

Object permissions live in django-guardian's tables; the case has its own
direct-foreign-key permission tables (CaseUserObjectPermission), so "cases
this user may see" is a join, not a scan of generic ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.text import capfirst

from oversight.conditions import permits_at_q
from oversight.models import (
    CASE_DRAFT_FIELDS,
    Camera,
    Case,
    CaseCamera,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Deployment,
    Objective,
    Person,
    Vote,
    case_field_label,
)
from oversight.models.deployments import USABLE_OPINIONS

Status = Case.Status

# Object permission codenames on a case.
VIEW = "view_case"
CHANGE = "change_case"
DECIDE = "decide_case"
VOTE = "vote_case"


# Statuses in which a case can no longer become active.
ENDED_STATUSES = frozenset({Status.DENIED, Status.EXPIRED, Status.REVOKED, Status.CLOSED})


def case_ended_at(*, case: Case, now: datetime) -> datetime | None:
    """The instant the case actually ended, or None while it has not: THE answer to "when did this case end".

    Expiry, watchlist destruction and every retention rule start their clock here. An approved case that is
    revoked or expires ends at its revocation or its window's end, never at its decision; a refused case at the
    refusal; a case closed or withdrawn before any decision at its closing. A case whose window (or urgency
    limit) has passed has ended at that instant even before the periodic expiry marks it.
    """
    if case.ended_at is not None:  # set by expiry: the window's end or the urgency limit
        return case.ended_at
    window_end = _window_end(case)
    if case.revoked_at is not None:
        return min(case.revoked_at, window_end) if window_end else case.revoked_at
    if case.decided_at is not None and case.approved_start is None:  # refused (then possibly closed)
        return case.decided_at
    if case.closed_at is not None:  # closed or withdrawn before any decision
        return case.closed_at
    if case.status in (Status.APPROVED, Status.URGENT, Status.SUBMITTED) and window_end and window_end <= now:
        return window_end
    return None


def case_use_start(*, case: Case) -> datetime | None:
    """When processing may begin for the case (R5, R9, R10), or None for a case never authorised or started.

    The urgent start (never before the requested start), else the later of the granted start and the grant itself:
    a window granted at 19:37 "from 19:00" is backdated, and no frame could be analysed before 19:37 (THE GATE is
    asked at the instant of analysis). An urgent start later authorised is one continuous use from the urgent start.
    """
    if case.urgent_started_at is not None:
        return max(case.urgent_started_at, case.requested_start)
    if case.approved_start is not None:
        return max(case.approved_start, case.decided_at) if case.decided_at else case.approved_start
    return None


def case_is_backdated(*, case: Case) -> bool:
    """Whether the granted window began before the grant (shown as such: the use begins at the grant)."""
    return (
        case.urgent_started_at is None
        and case.approved_start is not None
        and case.decided_at is not None
        and case.approved_start < case.decided_at
    )


def case_active_period(*, case: Case, now: datetime) -> tuple[datetime, datetime] | None:
    """When the case was (or is) in use: from case_use_start to case_ended_at (or `now` while it runs).

    None for a case that is not a use (R23): never activated (refused or withdrawn before any use, or pending),
    PLANNED (authorised, its window not begun at `now`), or ended before its window began (revoked early).
    """
    start = case_use_start(case=case)
    if start is None or start > now:
        return None
    end = case_ended_at(case=case, now=now)
    if end is not None and end <= start:
        return None
    return start, now if end is None else end


def case_is_planned(*, case: Case, now: datetime) -> bool:
    """Authorised (or started) but its use has not begun yet, and it has not ended: a planned use, not a use."""
    start = case_use_start(case=case)
    return start is not None and start > now and case_ended_at(case=case, now=now) is None


def _window_end(case: Case) -> datetime | None:
    """The end of the window the case was (or would be) active in."""
    if case.approved_end is not None:
        return case.approved_end
    if case.urgent_started_at is not None:
        return min(case.urgency_ends_at, case.requested_end)
    return case.requested_end


# ---------------------------------------------------------------- permissions


def case_object_perms(*, user, case: Case) -> frozenset[str]:
    """Codenames the user holds on this case through guardian object permissions (user or group).

    Deliberately no superuser shortcut: deciding on a case is a role, not an
    administrative power (R6, R7).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    direct = CaseUserObjectPermission.objects.filter(user=user, content_object=case).values_list(
        "permission__codename", flat=True
    )
    via_groups = CaseGroupObjectPermission.objects.filter(group__in=user.groups.all(), content_object=case).values_list(
        "permission__codename", flat=True
    )
    return frozenset(direct.union(via_groups))


def _sees_every_case(user) -> bool:
    # Global (model) permission: the data protection office's read-only view.
    return user.has_perm("oversight.view_case")


def _sees_unit_cases(user) -> bool:
    # Only people who may draft cases see their unit's cases, and only if configured.
    return bool(settings.CASE_UNIT_VISIBILITY and user.unit and user.has_perm("oversight.add_case"))


def case_access_basis(*, user, case: Case, perms: frozenset[str] | None = None) -> str | None:
    """Why the user may see the case (recorded with each consultation, R17), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    perms = case_object_perms(user=user, case=case) if perms is None else perms
    if CHANGE in perms:
        return "requester"
    if DECIDE in perms:
        return "judge"
    if VOTE in perms:
        return "commission_member"
    if VIEW in perms:
        return "object_permission"
    if _sees_every_case(user):
        return "data_protection_review"
    if _sees_unit_cases(user) and case.unit == user.unit:
        return "unit"
    return None


def case_get_for_user(*, user, pk: int, perm: str = VIEW) -> Case:
    """The case, if the user holds `perm` on it; Http404 for missing and forbidden alike (STYLE 4).

    Sets `case.perms` (object permissions) and `case.access_basis` for the caller.
    """
    case = Case.objects.select_related("objective", "requester", "assigned_judge", "revoked_by").filter(pk=pk).first()
    if case is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such case.")
    perms = case_object_perms(user=user, case=case)
    basis = case_access_basis(user=user, case=case, perms=perms)
    if basis is None or (perm != VIEW and perm not in perms):
        raise Http404("No such case.")
    case.perms = perms
    case.access_basis = basis
    return case


def case_list_for_user(*, user) -> QuerySet[Case]:
    """Cases the user may see, newest first, in one query (plus the user's cached permissions)."""
    base = Case.objects.select_related("objective", "requester")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    if _sees_every_case(user):
        return base.order_by("-created_at", "-id")
    visible = Q(
        pk__in=CaseUserObjectPermission.objects.filter(user=user, permission__codename=VIEW).values("content_object_id")
    ) | Q(
        pk__in=CaseGroupObjectPermission.objects.filter(group__user=user, permission__codename=VIEW).values(
            "content_object_id"
        )
    )
    if _sees_unit_cases(user):
        visible |= Q(unit=user.unit)
    return base.filter(visible).order_by("-created_at", "-id")


def _held_through(user, codename: str) -> Q:
    """Cases on which the user holds `codename` directly or through a group."""
    return Q(
        pk__in=CaseUserObjectPermission.objects.filter(user=user, permission__codename=codename).values(
            "content_object_id"
        )
    ) | Q(
        pk__in=CaseGroupObjectPermission.objects.filter(group__user=user, permission__codename=codename).values(
            "content_object_id"
        )
    )


def case_awaiting_decision_for_user(*, user) -> QuerySet[Case]:
    """Submitted cases this judge must decide, urgent ones first, then the oldest request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    return (
        Case.objects.select_related("objective", "requester")
        .filter(_held_through(user, DECIDE), status=Status.SUBMITTED, decision__isnull=True)
        .exclude(requester=user)
        .order_by("-is_urgent", "submitted_at", "id")
    )


def case_awaiting_vote_for_user(*, user) -> QuerySet[Case]:
    """Submitted commission cases this member has not voted on yet, urgent ones first."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    return (
        Case.objects.select_related("objective", "requester")
        .filter(_held_through(user, VOTE), status=Status.SUBMITTED)
        .exclude(requester=user)
        .exclude(votes__member=user)
        .order_by("-is_urgent", "submitted_at", "id")
    )


def _awaiting_me(user) -> Q:
    """What waits for this user: a decision or a vote to give; for a requester, own drafts to finish and urgent
    starts to file before their limit."""
    awaiting = Q(pk__in=case_awaiting_decision_for_user(user=user).values("pk")) | Q(
        pk__in=case_awaiting_vote_for_user(user=user).values("pk")
    )
    awaiting |= Q(requester=user, status__in=[Status.DRAFT, Status.URGENT])
    return awaiting


# Sort keys of the case list: what a person picks -> the columns.
CASE_LIST_ORDERS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "start": ("requested_start", "id"),
    "reference": ("reference",),
    "status": ("status", "-created_at", "-id"),
}


def case_list_filtered_for_user(
    *,
    user,
    status: str = "",
    objective: str = "",
    awaiting_me: bool = False,
    mine: bool = False,
    order: str = "newest",
) -> QuerySet[Case]:
    """case_list_for_user narrowed by status, objective, "awaiting me" and "requested by me", sorted by one of
    CASE_LIST_ORDERS."""
    cases = case_list_for_user(user=user)
    if mine:
        cases = cases.filter(requester=user)
    if status in Status.values:
        cases = cases.filter(status=status)
    if objective:
        cases = cases.filter(objective_id=objective)
    if awaiting_me:
        cases = cases.filter(_awaiting_me(user))
    return cases.order_by(*CASE_LIST_ORDERS.get(order, CASE_LIST_ORDERS["newest"]))


@dataclass(frozen=True)
class RequesterWork:
    drafts: int
    submitted: int
    urgent: list[Case]  # started before authorisation: to file before the limit
    active: list[Case]  # approved and running now, with `ends_at`
    recent_drafts: list[Case]


def requester_work(*, user, now: datetime) -> RequesterWork:
    """The requester's own cases by what they wait for (the home page): counts, and the running ones with their end."""
    own = Case.objects.filter(requester=user).select_related("objective")
    counts = dict(own.values_list("status").annotate(n=models.Count("id")).order_by())
    active = list(
        own.filter(status=Status.APPROVED, approved_start__lte=now, approved_end__gt=now).order_by("approved_end")
    )
    for case in active:
        case.ends_at = case.approved_end
    urgent = list(
        own.filter(status__in=[Status.URGENT, Status.SUBMITTED], is_urgent=True, urgent_started_at__isnull=False)
    )
    urgent = [c for c in urgent if c.urgency_ends_at > now]
    for case in urgent:
        case.ends_at = min(case.urgency_ends_at, case.requested_end)
    return RequesterWork(
        drafts=counts.get(Status.DRAFT, 0),
        submitted=counts.get(Status.SUBMITTED, 0),
        urgent=sorted(urgent, key=lambda c: c.ends_at),
        active=active,
        recent_drafts=list(own.filter(status=Status.DRAFT).order_by("-updated_at", "-id")[:5]),
    )


@dataclass(frozen=True)
class CameraHealth:
    with_errors: list[Camera]
    without_recent_frame: list[Camera]


def camera_health(*, now: datetime, stale_after: timedelta) -> CameraHealth:
    """Enabled cameras whose latest attempt failed (no frame since the error), and cameras an active case covers
    now that sent no frame within `stale_after` (a camera no case covers is not read, so it has no frames to miss).
    """
    enabled = list(Camera.objects.filter(enabled=True).order_by("name"))
    with_errors = [
        c for c in enabled if c.last_error and (c.last_frame_at is None or (c.last_error_at or now) >= c.last_frame_at)
    ]
    in_use = [c for c in enabled if case_scopes_for_camera(camera=c, at=now)]
    stale = [c for c in in_use if c.last_frame_at is None or c.last_frame_at < now - stale_after]
    return CameraHealth(with_errors=with_errors, without_recent_frame=stale)


def case_detail(*, case: Case) -> Case:
    """The case with its persons, cameras, decision and votes loaded (a fixed number of queries)."""
    return (
        Case.objects.select_related("objective", "requester", "assigned_judge", "revoked_by", "decision__decided_by")
        .prefetch_related(
            # A restricted person (R21) is held off the page until the restriction is lifted.
            Prefetch(
                "persons",
                queryset=Person.objects.exclude(pk__in=restricted_ids(label="oversight.Person")).order_by("id"),
            ),
            Prefetch("case_cameras", queryset=CaseCamera.objects.select_related("camera").order_by("id")),
            Prefetch("votes", queryset=Vote.objects.select_related("member").order_by("id")),
        )
        .get(pk=case.pk)
    )


def case_actions_for_user(*, user, case: Case, perms: frozenset[str]) -> frozenset[str]:
    """What the user may do now (drives which forms the detail page shows; services re-check)."""
    actions = set()
    is_requester = CHANGE in perms and case.requester_id == user.pk
    if is_requester:
        if case.status == Status.DRAFT:
            actions |= {"edit", "submit", "start_urgent", "close"}
        if case.status == Status.URGENT:
            actions |= {"submit", "withdraw"}
        if case.status in (Status.SUBMITTED, Status.APPROVED):
            actions.add("withdraw")
        if case.status in (Status.DENIED, Status.EXPIRED, Status.REVOKED):
            actions.add("close")
    if user.pk != case.requester_id:
        if DECIDE in perms and case.status == Status.SUBMITTED and not hasattr(case, "decision"):
            actions.add("decide")
        if VOTE in perms and case.status == Status.SUBMITTED and not case.votes.filter(member=user).exists():
            actions.add("vote")
        if (DECIDE in perms or VOTE in perms) and case.status in (Status.APPROVED, Status.URGENT):
            actions.add("revoke")
    return frozenset(actions)


# ---------------------------------------------------------------- the gate (R10)


@dataclass(frozen=True)
class CaseScope:
    """One active authorisation covering one camera at one instant."""

    case_id: int
    reference: str
    threshold: float  # approved threshold, or the requested one while urgent (R13)
    person_ids: tuple[int, ...]  # persons in scope
    camera_id: int


def case_scopes_for_camera(*, camera: Camera | int, at: datetime) -> list[CaseScope]:
    """THE GATE: the authorisations that let a worker analyse this camera at instant `at`.

    Active means (R5, R9, R10):
    - approved, and approved_start <= at < approved_end; or
    - urgent before authorisation (status `urgent`, or `submitted` with
      is_urgent: filing the request within the 24 hours keeps it running until
      the authority answers, but never past the 24 hours), and
      urgent_started_at <= at < urgent_started_at + CASE_URGENCY_HOURS,
      and requested_start <= at < requested_end;
    - the camera enabled and in the case's (approved) scope;
    - at least one person in scope (no persons: nothing to search for).
    Every other status (draft, denied, expired, revoked, closed) is inactive.

    Decided from the stored times alone, never from a periodic job having run:
    an approved case past its end is inactive even if its status still says
    approved. Two queries at most (one when nothing is active): workers ask
    every half second.
    """
    camera_id = camera if isinstance(camera, int) else camera.pk
    urgency = timedelta(hours=settings.CASE_URGENCY_HOURS)
    approved = Q(
        case__status=Status.APPROVED,
        case__approved_start__lte=at,
        case__approved_end__gt=at,
    )
    urgent = Q(
        case__status__in=[Status.URGENT, Status.SUBMITTED],
        case__is_urgent=True,
        case__urgent_started_at__lte=at,
        case__urgent_started_at__gt=at - urgency,  # at < started + 24 h
        case__requested_start__lte=at,
        case__requested_end__gt=at,
    )
    # The office's hours and days (oversight.conditions): the camera must belong to a deployment with a usable
    # opinion that permits processing at this instant; a revised, unfavourable opinion stops it too (R10).
    permitted = Deployment.objects.filter(cameras=OuterRef("camera_id"), opinion__in=USABLE_OPINIONS).filter(
        permits_at_q(at)
    )
    rows = list(
        # R24: a post-event search never opens a live camera; its own gate is case_scope_for_recording.
        CaseCamera.objects.filter(camera_id=camera_id, camera__enabled=True, in_scope=True, case__kind=Case.Kind.LIVE)
        .filter(approved | urgent)
        .filter(Exists(permitted))
        .values_list("case_id", "case__reference", "case__status", "case__approved_threshold", "case__match_threshold")
        .order_by("case_id")
    )
    if not rows:
        return []
    persons: dict[int, list[int]] = {}
    for case_id, person_id in (
        Person.objects.filter(case_id__in=[r[0] for r in rows], in_scope=True)
        .order_by("case_id", "id")
        .values_list("case_id", "id")
    ):
        persons.setdefault(case_id, []).append(person_id)
    scopes = []
    for case_id, reference, status, approved_threshold, match_threshold in rows:
        if case_id not in persons:
            continue
        threshold = approved_threshold if status == Status.APPROVED else match_threshold
        scopes.append(
            CaseScope(
                case_id=case_id,
                reference=reference,
                threshold=threshold,
                person_ids=tuple(persons[case_id]),
                camera_id=camera_id,
            )
        )
    return scopes


@dataclass(frozen=True)
class RecordingScope:
    """What a post-event case allows on the footage of one camera now (R24): persons, threshold and the
    capture-time range [capture_start, capture_end)."""

    case_id: int
    reference: str
    threshold: float
    person_ids: tuple[int, ...]
    camera_id: int
    capture_start: datetime
    capture_end: datetime


def case_scope_for_recording(*, case_id: int, camera_id: int, at: datetime) -> RecordingScope | None:
    """THE GATE for recorded footage (R24, R9, R10): whether the post-event case `case_id` lets a worker analyse the
    footage of `camera_id` at wall-clock instant `at`, and within which capture-time range.

    Active means: a post-event case, approved with approved_start <= at < approved_end (the decision's capture
    range applies), or urgent before authorisation (status `urgent`, or `submitted` with is_urgent) within
    POST_EVENT_URGENCY_HOURS of its urgent start and its requested window (the requested capture range applies);
    the camera in the case's scope; at least one person in scope. Decided from stored times alone, uncached: the
    worker asks before every batch, so a revocation or refusal stops the analysis within one batch.
    """
    urgency = timedelta(hours=settings.POST_EVENT_URGENCY_HOURS)
    approved = Q(status=Status.APPROVED, approved_start__lte=at, approved_end__gt=at)
    urgent = Q(
        status__in=[Status.URGENT, Status.SUBMITTED],
        is_urgent=True,
        urgent_started_at__lte=at,
        urgent_started_at__gt=at - urgency,
        requested_start__lte=at,
        requested_end__gt=at,
    )
    case = (
        Case.objects.filter(pk=case_id, kind=Case.Kind.POST_EVENT)
        .filter(approved | urgent)
        .filter(case_cameras__camera_id=camera_id, case_cameras__in_scope=True)
        .first()
    )
    if case is None:
        return None
    person_ids = tuple(case.persons.filter(in_scope=True).order_by("id").values_list("id", flat=True))
    start, end = case.effective_capture_range
    if not person_ids or start is None or end is None:
        return None
    return RecordingScope(
        case_id=case.pk,
        reference=case.reference,
        threshold=case.effective_threshold,
        person_ids=person_ids,
        camera_id=camera_id,
        capture_start=start,
        capture_end=end,
    )


# ---------------------------------------------------------------- configuration


def case_deployments(*, case: Case) -> list[Deployment]:
    """The deployments of the case's cameras, with their office opinion and conditions (shown on the case page)."""
    return list(
        Deployment.objects.filter(cameras__case_cameras__case=case)
        .distinct()
        .prefetch_related("cameras")
        .order_by("name")
    )


def objective_list() -> QuerySet[Objective]:
    return Objective.objects.order_by("code")


def camera_list() -> QuerySet[Camera]:
    """Cameras by name, each with ``open_outages``: the outage a recognition worker recorded and has not ended."""
    # The outage model belongs to recognition, a layer above; it is reached through the relation it declares on
    # Camera, never imported here (STYLE habit 11).
    outages = Camera._meta.get_field("outages").related_model.objects.filter(ended_at__isnull=True)
    return Camera.objects.order_by("name").prefetch_related(
        Prefetch("outages", queryset=outages, to_attr="open_outages")
    )


def camera_enabled_list() -> QuerySet[Camera]:
    return Camera.objects.filter(enabled=True).order_by("name")


def case_request_rows(*, case: Case) -> list[dict]:
    """The request's fields for the case page, in CASE_DRAFT_FIELDS order, labelled by the model."""
    rows = []
    for name in CASE_DRAFT_FIELDS:
        field = Case._meta.get_field(name)
        value = getattr(case, f"get_{name}_display")() if field.choices else getattr(case, name)
        rows.append(
            {
                "name": name,
                "label": capfirst(case_field_label(name)),
                "value": value,
                "multiline": isinstance(field, models.TextField),
                "document": isinstance(field, models.FileField),
                "datetime": isinstance(field, models.DateTimeField),
            }
        )
    return rows


# ---------------------------------------------------------------- retention and data-subject requests (R9, R19, R21)


def restricted_ids(*, label: str) -> QuerySet:
    """Ids of objects of this kind ("app.Model") under a restriction not lifted: held off every page and API (R21).

    A lazy subquery: filtering with it adds no query of its own.
    """
    from oversight.models import DataSubjectRequestItem

    return DataSubjectRequestItem.objects.filter(
        target_label=label, decision="restrict", carried_out_at__isnull=False, lifted_at__isnull=True
    ).values_list("target_id", flat=True)
