"""The binding decision (R6): a judge's grant or refusal, or the commission's votes and tally.

Both authorities go through the same steps: a proposed scope may only narrow the request (R5, R6);
an approval writes that scope onto the case and records CASE_APPROVED in one shape; a refusal records
CASE_DENIED in one shape and, after an urgent start, marks the use's data for deletion (R9).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.events import EventType
from audits.services import audit_record
from oversight.conditions import scope_condition_errors
from oversight.models import Camera, Case, Decision, NotificationKind, Vote
from oversight.registry import case_data_purge_queue
from oversight.roles import Role, user_has_role
from oversight.services._common import (
    COMMISSION_ACTOR,
    Authority,
    Status,
    TransitionNotAllowed,
    add_error,
    iso,
    lock_case,
    may_move,
    raise_if,
    record_deletion_due,
    require_not_requester,
    require_perm,
    status_word,
)
from oversight.services.notifications import case_notify_office
from oversight.services.validation import camera_usability_errors, check_threshold


def case_decide(
    *,
    actor,
    case: Case,
    granted: bool,
    reasons: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float | None = None,
    person_ids: list[int] | None = None,
    camera_ids: list[int] | None = None,
    capture_start: datetime | None = None,
    capture_end: datetime | None = None,
) -> Case:
    """The judge's binding decision (R6): submitted → approved or denied.

    Preconditions: the actor is the case's assigned judge (decide_case) and not its requester (R7); written
    reasons, for a grant as for a refusal (R6); a grant may narrow the scope (later start, earlier end,
    stricter threshold, fewer persons or cameras) but never widen it.
    Side effects: one Decision row (unique per case); the case's approved scope and persons/cameras out of
    scope; CASE_APPROVED or CASE_DENIED; a refused urgent case is marked for data deletion (R9).
    The same decision again returns the case unchanged; a different one is refused.
    """
    with transaction.atomic():
        case = lock_case(case)
        require_not_requester(actor, case)
        require_perm(actor, case, "decide_case", _("Only the judge assigned to this case may decide it."))
        if (
            case.authority != Authority.JUDGE
            or case.assigned_judge_id != actor.pk
            or not user_has_role(actor, Role.JUDGE)
        ):
            raise PermissionDenied(_("Only the judge assigned to this case may decide it."))
        target = Status.APPROVED if granted else Status.DENIED
        existing = Decision.objects.filter(case=case).first()
        if existing is not None:
            if existing.granted == bool(granted):
                return case  # the same decision again: the repeat changes nothing
            raise TransitionNotAllowed(case, target, _("The decision has been taken."))
        if not may_move(case, target):
            return case
        now = timezone.now()
        fields, scope = _proposal(
            case,
            now=now,
            granted=granted,
            reasons=reasons,
            what="A decision",
            start=start,
            end=end,
            threshold=threshold,
            person_ids=person_ids,
            camera_ids=camera_ids,
            capture_start=capture_start,
            capture_end=capture_end,
        )
        decision = Decision.objects.create(case=case, decided_by=actor, **fields)
        how = {"authority": Authority.JUDGE, "decided_by": actor.pk, "decision_id": decision.pk, "tally": None}
        if granted:
            _approve(case, scope, now, actor=actor, how=how)
        else:
            _deny(case, now, actor=actor, how=how)
    return case


def case_vote(
    *,
    actor,
    case: Case,
    granted: bool,
    reasons: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    threshold: float | None = None,
    person_ids: list[int] | None = None,
    camera_ids: list[int] | None = None,
    capture_start: datetime | None = None,
    capture_end: datetime | None = None,
) -> Case:
    """One commission member's vote (R6); the vote that reaches the quorum decides.

    Preconditions: the actor holds vote_case on the case (a commission member when it was submitted) and is
    not its requester (R7); the case is submitted; written reasons (R6); a vote in favour may narrow the
    scope, never widen it.
    Decision rule, read from settings at each vote: once COMMISSION_QUORUM votes are in, the case is approved
    if strictly more than COMMISSION_MAJORITY of them are in favour, with the INTERSECTION of the favourable
    votes' scopes (latest start, earliest end, lowest threshold, persons and cameras every favourable vote
    kept); otherwise, or if that intersection is empty, denied.
    Side effects: the Vote row (unique per case and member); CASE_VOTE_CAST; at the quorum CASE_APPROVED or
    CASE_DENIED. The same vote again changes nothing; a different one is refused (a vote is final).
    """
    with transaction.atomic():
        # The case row lock serialises concurrent votes: the tally sees them all.
        case = lock_case(case)
        require_not_requester(actor, case)
        require_perm(actor, case, "vote_case", _("Only commission members may vote on this case."))
        if case.authority != Authority.COMMISSION or not user_has_role(actor, Role.COMMISSION_MEMBER):
            raise PermissionDenied(_("Only commission members may vote on this case."))
        existing = Vote.objects.filter(case=case, member=actor).first()
        if existing is not None:
            if existing.granted == bool(granted):
                return case  # the same vote again: the repeat changes nothing
            raise ValidationError({"granted": [_("You have already voted on this case; a vote is final.")]})
        if case.status != Status.SUBMITTED:
            raise ValidationError(
                {"status": [_("Voting is closed: the case is %(status)s.") % {"status": status_word(case.status)}]}
            )
        now = timezone.now()
        fields, scope = _proposal(
            case,
            now=now,
            granted=granted,
            reasons=reasons,
            what="A vote",
            start=start,
            end=end,
            threshold=threshold,
            person_ids=person_ids,
            camera_ids=camera_ids,
            capture_start=capture_start,
            capture_end=capture_end,
        )
        vote = Vote.objects.create(case=case, member=actor, **fields)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_VOTE_CAST,
            case_ref=case,
            target_ref=vote,
            data={"vote_id": vote.pk, "granted": vote.granted, "narrowed": _narrowing(case, scope) if scope else {}},
        )
        _commission_tally(case, now=now)
    return case


def _proposal(case: Case, *, now, granted: bool, reasons: str, what: str, **scope_args) -> tuple[dict, dict | None]:
    """What a judge's decision and a commission vote both record: written reasons (R6) and, for a grant, a scope
    that may only narrow the request (R5). Returns the row's fields and the scope (None for a refusal)."""
    reasons = _required_reasons(reasons, granted=granted, what=what)
    scope = _proposed_scope(case, now=now, **scope_args) if granted else None
    fields = {"requester_id": case.requester_id, "granted": bool(granted), "reasons": reasons, **_scope_columns(scope)}
    return fields, scope


_REASONS_NEEDED = {
    ("A decision", True): gettext_lazy("A decision needs written reasons; give the reasons for this grant."),
    ("A decision", False): gettext_lazy("A decision needs written reasons; give the reasons for this refusal."),
    ("A vote", True): gettext_lazy("A vote needs written reasons; give the reasons for this grant."),
    ("A vote", False): gettext_lazy("A vote needs written reasons; give the reasons for this refusal."),
}


def _required_reasons(reasons: str, *, granted: bool, what: str) -> str:
    # R6: the decision states its reasons, a grant as much as a refusal.
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": [str(_REASONS_NEEDED[what, bool(granted)])]})
    return reasons


def _commission_tally(case: Case, *, now: datetime) -> None:
    votes = list(case.votes.order_by("id"))
    if len(votes) < settings.COMMISSION_QUORUM:
        return
    in_favour = [v for v in votes if v.granted]
    how = {
        "authority": Authority.COMMISSION,
        "decided_by": COMMISSION_ACTOR,
        "decision_id": None,
        "tally": {
            "votes": len(votes),
            "in_favour": len(in_favour),
            "against": len(votes) - len(in_favour),
            "vote_ids": [v.pk for v in votes],
            "quorum": settings.COMMISSION_QUORUM,
            "majority_above": settings.COMMISSION_MAJORITY,
        },
    }
    if not len(in_favour) / len(votes) > settings.COMMISSION_MAJORITY:
        _deny(case, now, actor=COMMISSION_ACTOR, how=how)
        return
    # The strictest scope every favourable vote accepts.
    scope = {
        "start": max(v.scope_start for v in in_favour),
        "end": min(v.scope_end for v in in_favour),
        "threshold": min(v.scope_threshold for v in in_favour),
        "person_ids": sorted(set.intersection(*(set(v.scope_person_ids) for v in in_favour))),
        "camera_ids": sorted(set.intersection(*(set(v.scope_camera_ids) for v in in_favour))),
        "capture_start": None,
        "capture_end": None,
    }
    if case.is_post_event:
        # R24: the capture-time range every favourable vote accepts.
        scope["capture_start"] = max(v.scope_capture_start for v in in_favour)
        scope["capture_end"] = min(v.scope_capture_end for v in in_favour)
    no_footage = case.is_post_event and scope["capture_end"] <= scope["capture_start"]
    if scope["end"] <= scope["start"] or not scope["person_ids"] or not scope["camera_ids"] or no_footage:
        # Fail closed: the majority agrees on no common scope.
        _deny(case, now, actor=COMMISSION_ACTOR, how={**how, "why": "no common scope"})
        return
    _approve(case, scope, now, actor=COMMISSION_ACTOR, how=how)


# ---------------------------------------------------------------- the steps both authorities share


def _proposed_scope(
    case: Case, *, now, start, end, threshold, person_ids, camera_ids, capture_start=None, capture_end=None
) -> dict:
    """A decision or vote may narrow the request, never widen it (R5, R6). None means "as requested".

    Returns the scope; raises ValidationError naming the field.
    """
    errors: dict[str, list[str]] = {}
    start = case.requested_start if start is None else start
    end = case.requested_end if end is None else end
    if start < case.requested_start:
        add_error(
            errors, "start", _("A decision may only narrow the request: the start cannot be earlier than requested.")
        )
    if end > case.requested_end:
        add_error(errors, "end", _("A decision may only narrow the request: the end cannot be later than requested."))
    if end <= start:
        add_error(errors, "end", _("The end must be after the start."))
    elif end <= now:
        add_error(errors, "end", _("This window has already ended: nothing can be authorised in it."))
    if threshold is None:
        threshold = case.match_threshold
    else:
        threshold = check_threshold(threshold, errors, field="threshold")
        if threshold is not None and threshold > case.match_threshold:
            add_error(
                errors,
                "threshold",
                _(
                    "A decision may only narrow the request: the threshold cannot be laxer (higher) than the "
                    "requested %(threshold)s (R13)."
                )
                % {"threshold": number_format(case.match_threshold)},
            )
    requested_persons, requested_cameras = _requested_ids(case)
    persons = _subset(person_ids, requested_persons, "person_ids", "person", errors)
    cameras = _subset(camera_ids, requested_cameras, "camera_ids", "camera", errors)
    for message in _unusable_cameras(cameras):
        add_error(errors, "camera_ids", message)
    # The office's conditions as rules: a grant longer or laxer than they allow is refused, the condition named.
    for message in scope_condition_errors(camera_ids=cameras, start=start, end=end, threshold=threshold):
        add_error(errors, "camera_ids", message)
    capture = _proposed_capture_range(case, capture_start, capture_end, errors)
    raise_if(errors)
    return {
        "start": start,
        "end": end,
        "threshold": threshold,
        "person_ids": persons,
        "camera_ids": cameras,
        "capture_start": capture[0],
        "capture_end": capture[1],
    }


def _proposed_capture_range(case: Case, start, end, errors) -> tuple[datetime | None, datetime | None]:
    """R24: a post-event grant may narrow the footage's capture-time range, never widen it."""
    if not case.is_post_event:
        if start is not None or end is not None:
            add_error(errors, "capture_start", _("Only a post-event search has a capture-time range."))
        return None, None
    start = case.capture_start if start is None else start
    end = case.capture_end if end is None else end
    if start < case.capture_start:
        add_error(
            errors,
            "capture_start",
            _("A decision may only narrow the request: the footage cannot start earlier than requested."),
        )
    if end > case.capture_end:
        add_error(
            errors,
            "capture_end",
            _("A decision may only narrow the request: the footage cannot end later than requested."),
        )
    if end <= start:
        add_error(errors, "capture_end", _("The end must be after the start."))
    return start, end


def _unusable_cameras(camera_ids: list[int]) -> list[str]:
    # The office's opinion on the deployment may have changed since submission: checked again at each grant.
    return camera_usability_errors(Camera.objects.filter(pk__in=camera_ids).order_by("pk"))


def _requested_ids(case: Case) -> tuple[list[int], list[int]]:
    persons = sorted(case.persons.filter(in_scope=True).values_list("pk", flat=True))
    cameras = sorted(case.case_cameras.filter(in_scope=True).values_list("camera_id", flat=True))
    return persons, cameras


def _narrowing(case: Case, scope: dict) -> dict:
    """How a scope is narrower than the request, in one shape whoever decided."""
    requested_persons, requested_cameras = _requested_ids(case)
    narrowed: dict = {}
    if scope["start"] != case.requested_start:
        narrowed["start"] = {"requested": iso(case.requested_start), "allowed": iso(scope["start"])}
    if scope["end"] != case.requested_end:
        narrowed["end"] = {"requested": iso(case.requested_end), "allowed": iso(scope["end"])}
    if scope["threshold"] != case.match_threshold:
        narrowed["threshold"] = {"requested": case.match_threshold, "allowed": scope["threshold"]}
    if set(requested_persons) - set(scope["person_ids"]):
        narrowed["persons_excluded"] = sorted(set(requested_persons) - set(scope["person_ids"]))
    if set(requested_cameras) - set(scope["camera_ids"]):
        narrowed["cameras_excluded"] = sorted(set(requested_cameras) - set(scope["camera_ids"]))
    if case.is_post_event and scope["capture_start"] != case.capture_start:
        narrowed["capture_start"] = {"requested": iso(case.capture_start), "allowed": iso(scope["capture_start"])}
    if case.is_post_event and scope["capture_end"] != case.capture_end:
        narrowed["capture_end"] = {"requested": iso(case.capture_end), "allowed": iso(scope["capture_end"])}
    return narrowed


_SUBSET_MESSAGES = {
    "person": {
        "numbers": gettext_lazy("Give person ids as numbers."),
        "outside": gettext_lazy("A decision may only narrow the request: persons %(ids)s are not in the request."),
        "empty": gettext_lazy("Keep at least one person, or refuse the request."),
    },
    "camera": {
        "numbers": gettext_lazy("Give camera ids as numbers."),
        "outside": gettext_lazy("A decision may only narrow the request: cameras %(ids)s are not in the request."),
        "empty": gettext_lazy("Keep at least one camera, or refuse the request."),
    },
}


def _subset(chosen, requested: list[int], field: str, noun: str, errors) -> list[int]:
    if chosen is None:
        return list(requested)
    try:
        ids = sorted({int(x) for x in chosen})
    except (TypeError, ValueError):
        add_error(errors, field, str(_SUBSET_MESSAGES[noun]["numbers"]))
        return []
    outside = [i for i in ids if i not in requested]
    if outside:
        add_error(errors, field, _SUBSET_MESSAGES[noun]["outside"] % {"ids": outside})
    if not ids:
        add_error(errors, field, str(_SUBSET_MESSAGES[noun]["empty"]))
    return ids


def _scope_columns(scope: dict | None) -> dict:
    """A proposed scope as the columns of a Decision or Vote (none for a refusal)."""
    if scope is None:
        return {}
    return {
        "scope_start": scope["start"],
        "scope_end": scope["end"],
        "scope_threshold": scope["threshold"],
        "scope_person_ids": scope["person_ids"],
        "scope_camera_ids": scope["camera_ids"],
        "scope_capture_start": scope["capture_start"],
        "scope_capture_end": scope["capture_end"],
    }


def _approve(case: Case, scope: dict, now: datetime, *, actor, how: dict) -> None:
    """submitted → approved with `scope`; CASE_APPROVED has the same keys whoever decided."""
    # Never approved on cameras without a usable office opinion (the commission's tally reaches here directly).
    unusable = _unusable_cameras(scope["camera_ids"])
    if unusable:
        raise ValidationError({"camera_ids": unusable})
    narrowed = _narrowing(case, scope)
    case.approved_start = scope["start"]
    case.approved_end = scope["end"]
    case.approved_threshold = scope["threshold"]
    case.approved_capture_start = scope["capture_start"]
    case.approved_capture_end = scope["capture_end"]
    case.persons.exclude(pk__in=scope["person_ids"]).update(in_scope=False)
    case.case_cameras.exclude(camera_id__in=scope["camera_ids"]).update(in_scope=False)
    case.status = Status.APPROVED
    case.decided_at = now
    case.save(
        update_fields=[
            "status",
            "decided_at",
            "approved_start",
            "approved_end",
            "approved_threshold",
            "approved_capture_start",
            "approved_capture_end",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_APPROVED,
        case_ref=case,
        target_ref=case,
        data={
            "from": Status.SUBMITTED,
            "to": Status.APPROVED,
            **how,
            "narrowed": narrowed,
            "approved_start": iso(case.approved_start),
            "approved_end": iso(case.approved_end),
            "approved_threshold": case.approved_threshold,
            "person_ids": scope["person_ids"],
            "camera_ids": scope["camera_ids"],
            "kind": case.kind,
            "approved_capture_start": iso(case.approved_capture_start),
            "approved_capture_end": iso(case.approved_capture_end),
        },
    )
    # R22: the office is told of every authorised use.
    case_notify_office(case=case, kind=NotificationKind.APPROVED, actor=actor)
    if case.urgent_started_at is not None and narrowed.get("persons_excluded"):
        # R9: matching the excluded persons during the urgent phase was never authorised: their data goes as for a
        # refusal, right after this grant commits (the office's purge; its retention run sweeps up a lost task).
        case_data_purge_queue(case, person_ids=narrowed["persons_excluded"])


def _deny(case: Case, now: datetime, *, actor, how: dict) -> None:
    """submitted → denied; after an urgent start the use's data is due for deletion (R9)."""
    previous = case.status
    case.status = Status.DENIED
    case.decided_at = now
    fields = ["status", "decided_at", "updated_at"]
    if case.is_urgent:
        case.data_deletion_due_at = now
        fields.append("data_deletion_due_at")
    case.save(update_fields=fields)
    audit_record(
        actor=actor,
        event_type=EventType.CASE_DENIED,
        case_ref=case,
        target_ref=case,
        data={"from": previous, "to": case.status, "why": "", **how},
    )
    if case.is_urgent:
        # R9: refused after an urgent start: processing stops at once (the gate sees `denied`).
        record_deletion_due(case, actor=actor, why="refused")
        # R22: the urgent use the office was told of has ended.
        case_notify_office(case=case, kind=NotificationKind.ENDED, actor=actor)
