"""oversight's lines of the retention schedule (R19) and the deletion code of the data it owns: persons and case
text, with the shapes every app declares its own lines in (RetentionRule, DeletableKind) and the clocks and holds
they share.

Plain module-level declarations (STYLE, habit 12): oversight, watchlists and recognition each declare RULES and
KINDS in their `retention` module; the office's runner (office.services.retention) imports them all, so the
schedule is visible where it is applied. Nothing here is registered at start-up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from oversight import holds
from oversight.models import (
    CASE_FREE_TEXT_FIELDS,
    CASE_TEXT_REMOVED,
    Case,
    CaseCamera,
    DataSubjectRequest,
    DataSubjectRequestItem,
    Decision,
    Person,
    Vote,
)
from oversight.selectors import case_ended_at

# What a deletion returns: {"app.Model": {case_id or None: [ids deleted]}}, identifiers only, never content.
Deleted = dict[str, dict[int | None, list[int]]]


@dataclass(frozen=True)
class RetentionRule:
    """One line of the retention schedule.

    select(now=, limit=, lock=) returns the primary keys due now, holds already excluded (alerts under review,
    items of an open data-subject request or under restriction); with lock=True the rows are locked FOR UPDATE
    SKIP LOCKED, so several workers running at once take disjoint rows. apply(pks=) deletes or reduces exactly
    those rows in the caller's transaction and says what went.
    """

    code: str
    data: str  # the kind of personal data, in words
    clock: str  # what starts the clock
    setting: str  # the settings name holding the period
    unit: str  # "days" or "hours"
    minimum: int  # legal bounds of the period, checked at start-up (oversight.E020)
    maximum: int
    action: str  # "delete" or "reduce"
    select: Callable[..., list[int]]
    apply: Callable[..., Deleted]


@dataclass(frozen=True)
class DeletableKind:
    """How to delete one kind of personal data: THE deletion code, shared by retention, the R9 purge and erasure.

    of_cases / of_persons give the primary keys of this kind that belong to cases / persons (None: not linked).
    """

    label: str  # "app.Model"
    delete: Callable[..., Deleted]  # delete(pks=) in the caller's transaction
    of_cases: Callable[[list[int]], list[int]] | None = None
    of_persons: Callable[[list[int]], list[int]] | None = None
    # persons_holding(person_ids) -> the persons that still have rows of this kind; such rows keep their person
    # (alerts leave by their own rules first; the person rule never cuts them short).
    persons_holding: Callable[[list[int]], set[int]] | None = None
    # case_of(pks) -> {pk: case_id}: which case each row belongs to (findings of data-subject requests).
    case_of: Callable[[list[int]], dict[int, int]] | None = None


# ---------------------------------------------------------------- clocks and holds


def period(rule: RetentionRule) -> timedelta:
    value = getattr(settings, rule.setting)
    return timedelta(hours=value) if rule.unit == "hours" else timedelta(days=value)


def case_ids_ended_before(*, cutoff: datetime, now: datetime) -> list[int]:
    """Cases that ended (case_ended_at: THE answer) at or before `cutoff`. Every case-end clock starts here.

    Evaluated per case in Python on purpose: case_ended_at is the one definition, and cases are few (thousands a
    year) next to the rows they own.
    """
    fields = (
        "pk",
        "status",
        "ended_at",
        "approved_start",
        "approved_end",
        "urgent_started_at",
        "requested_end",
        "revoked_at",
        "decided_at",
        "closed_at",
    )
    ids = []
    for case in Case.objects.only(*fields).order_by("pk").iterator(chunk_size=2000):
        ended = case_ended_at(case=case, now=now)
        if ended is not None and ended <= cutoff:
            ids.append(case.pk)
    return ids


def held_ids(*, label: str) -> set[int]:
    """Objects of this kind held back from retention: THE hold rule (oversight.holds), for the retention path."""
    return holds.held_ids(label=label, path=holds.DeletionPath.RETENTION)


def take(queryset, *, limit: int | None, lock: bool) -> list[int]:
    """Primary keys of the rows due, oldest first; locked SKIP LOCKED so concurrent runs take disjoint rows."""
    queryset = queryset.order_by("pk")
    if lock:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    pks = queryset.values_list("pk", flat=True)
    return list(pks[:limit] if limit else pks)


def merge(into: Deleted, more: Deleted) -> Deleted:
    for label, by_case in more.items():
        for case_id, ids in by_case.items():
            into.setdefault(label, {}).setdefault(case_id, []).extend(ids)
    return into


def grouped(rows) -> dict[int | None, list[int]]:
    """[(pk, case_id), ...] -> {case_id: [pk, ...]}."""
    out: dict[int | None, list[int]] = defaultdict(list)
    for pk, case_id in rows:
        out[case_id].append(pk)
    return dict(out)


# ---------------------------------------------------------------- what oversight owns: persons, case text

PERSON = "oversight.Person"
CASE = "oversight.Case"


def person_rows_delete(*, pks: list[int]) -> Deleted:
    """Delete the person rows only. What higher layers keep of a person (photos, alerts) goes first, by their own
    deletion code: the office's person eraser (office.services.retention.persons_delete) does both, in that order.
    """
    rows = list(Person.objects.filter(pk__in=pks).values_list("pk", "case_id"))
    Person.objects.filter(pk__in=[r[0] for r in rows]).delete()
    return {PERSON: grouped(rows)}


def persons_due_candidates(*, now: datetime) -> list[int]:
    """Persons of cases ended longer than RETENTION_PERSON_DAYS ago, not held. Whether a higher layer still keeps
    something that holds them (an alert under its own rule) is for the runner to ask (persons_holding)."""
    ended = case_ids_ended_before(cutoff=now - period(PERSONS_RULE), now=now)
    if not ended:
        return []
    candidates = Person.objects.filter(case_id__in=ended).exclude(pk__in=held_ids(label=PERSON))
    return take(candidates, limit=None, lock=False)


def _persons_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    return take(Person.objects.filter(pk__in=persons_due_candidates(now=now)), limit=limit, lock=lock)


def case_text_reduce(*, pks: list[int]) -> Deleted:
    """Reduce ended cases to their row and counts (R19): free text replaced, impact assessment file deleted."""
    cases = list(Case.objects.filter(pk__in=pks, text_reduced_at__isnull=True))
    files = []
    now = timezone.now()
    for case in cases:
        for name in CASE_FREE_TEXT_FIELDS:
            if getattr(case, name):
                setattr(case, name, CASE_TEXT_REMOVED)
        if case.impact_assessment:
            files.append(case.impact_assessment.name)
            case.impact_assessment = ""
        case.text_reduced_at = now
        case.save(update_fields=[*CASE_FREE_TEXT_FIELDS, "impact_assessment", "text_reduced_at", "updated_at"])
    if files:
        storage = Case._meta.get_field("impact_assessment").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return {CASE: {c.pk: [c.pk] for c in cases}}


def _case_text_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    ended = case_ids_ended_before(cutoff=now - period(CASE_TEXT_RULE), now=now)
    qs = Case.objects.filter(pk__in=ended, text_reduced_at__isnull=True).exclude(pk__in=held_ids(label=CASE))
    return take(qs, limit=limit, lock=lock)


PERSONS_RULE = RetentionRule(
    code="oversight.persons",
    data=gettext_noop("Persons named in ended cases (name, category, reason), with anything of theirs still stored"),
    clock=gettext_noop("case end (case_ended_at); held while any of their alerts remain"),
    setting="RETENTION_PERSON_DAYS",
    unit="days",
    minimum=0,
    maximum=1095,
    action="delete",
    # The office's runner applies this line with its person eraser, which deletes dependents first.
    select=_persons_due,
    apply=person_rows_delete,
)
CASE_TEXT_RULE = RetentionRule(
    code="oversight.case_text",
    data=gettext_noop(
        "The case's free text (legal basis, evidence, harm, rights impact, urgency and revocation reasons) "
        "and its impact assessment file"
    ),
    clock=gettext_noop("case end (case_ended_at)"),
    setting="RETENTION_CASE_TEXT_DAYS",
    unit="days",
    minimum=30,
    maximum=3650,
    action="reduce",
    select=_case_text_due,
    apply=case_text_reduce,
)


# ---------------------------------------------------------------- reasons outside the case row, requests' rows (R19)

DECISION, VOTE, CASE_CAMERA = "oversight.Decision", "oversight.Vote", "oversight.CaseCamera"
SUBJECT_REQUEST, SUBJECT_REQUEST_ITEM = "oversight.DataSubjectRequest", "oversight.DataSubjectRequestItem"
_REASONS = {DECISION: (Decision, "reasons"), VOTE: (Vote, "reasons"), CASE_CAMERA: (CaseCamera, "reason")}


def _reasons_reducer(label: str):
    model, field = _REASONS[label]

    def reduce(*, pks: list[int]) -> Deleted:
        """Replace the reasons with the placeholder the case's own text gets; the row (who, when, what scope) stays."""
        rows = list(model.objects.filter(pk__in=pks).exclude(**{field: CASE_TEXT_REMOVED}).values_list("pk", "case_id"))
        model.objects.filter(pk__in=[r[0] for r in rows]).update(**{field: CASE_TEXT_REMOVED})
        return {label: grouped(rows)} if rows else {}

    return reduce


def _reasons_due(label: str):
    model, field = _REASONS[label]

    def select(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
        # The same clock and period as the case's own text: these reasons are part of its legal record.
        ended = case_ids_ended_before(cutoff=now - period(CASE_TEXT_RULE), now=now)
        if not ended:
            return []
        qs = model.objects.filter(case_id__in=ended).exclude(**{field: ""}).exclude(**{field: CASE_TEXT_REMOVED})
        return take(qs.exclude(case_id__in=held_ids(label=CASE)), limit=limit, lock=lock)

    return select


def subject_requests_delete(*, pks: list[int]) -> Deleted:
    """Delete completed data-subject requests with their items (the decisions' record); DeletionRecords and the
    audit trail keep that they existed, by identifier."""
    items = list(DataSubjectRequestItem.objects.filter(request_id__in=pks).values_list("pk", "case_id"))
    ids = list(DataSubjectRequest.objects.filter(pk__in=pks).values_list("pk", flat=True))
    DataSubjectRequest.objects.filter(pk__in=ids).delete()  # items cascade
    out: Deleted = {SUBJECT_REQUEST: {None: ids}} if ids else {}
    if items:
        out[SUBJECT_REQUEST_ITEM] = grouped(items)
    return out


def _subject_requests_due(*, now: datetime, limit: int | None, lock: bool) -> list[int]:
    """Completed requests older than the period, except those whose restriction still holds something (the request
    is the restriction's record: it stays until every restriction of it is lifted)."""
    cutoff = now - period(SUBJECT_REQUESTS_RULE)
    restricting = DataSubjectRequestItem.objects.filter(
        decision="restrict", carried_out_at__isnull=False, lifted_at__isnull=True
    ).values("request_id")
    qs = DataSubjectRequest.objects.filter(status="completed", completed_at__lte=cutoff).exclude(pk__in=restricting)
    return take(qs, limit=limit, lock=lock)


REASONS_RULES = tuple(
    RetentionRule(
        code=code,
        data=data,
        clock=gettext_noop("case end (case_ended_at)"),
        setting="RETENTION_CASE_TEXT_DAYS",
        unit="days",
        minimum=30,
        maximum=3650,
        action="reduce",
        select=_reasons_due(label),
        apply=_reasons_reducer(label),
    )
    for code, label, data in (
        ("oversight.decision_reasons", DECISION, gettext_noop("A judge's reasons for a decision")),
        ("oversight.vote_reasons", VOTE, gettext_noop("Commission members' reasons for their votes")),
        (
            "oversight.camera_reasons",
            CASE_CAMERA,
            gettext_noop("Why the persons were expected at each camera of a case"),
        ),
    )
)
SUBJECT_REQUESTS_RULE = RetentionRule(
    code="oversight.subject_requests",
    data=gettext_noop("Data-subject requests (the person's name, their words) and the decisions on each finding"),
    clock=gettext_noop("the request's completion; held while a restriction it decided is not lifted"),
    setting="RETENTION_SUBJECT_REQUEST_DAYS",
    unit="days",
    minimum=365,
    maximum=3650,
    action="delete",
    select=_subject_requests_due,
    apply=subject_requests_delete,
)
RULES: tuple[RetentionRule, ...] = (PERSONS_RULE, CASE_TEXT_RULE, *REASONS_RULES, SUBJECT_REQUESTS_RULE)

KINDS: tuple[DeletableKind, ...] = (
    DeletableKind(
        label=PERSON,
        delete=person_rows_delete,
        of_cases=lambda case_ids: list(Person.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)),
    ),
    # Erasing a case's entry (a data-subject request) reduces its free text: the case row and its counts stay.
    DeletableKind(label=CASE, delete=case_text_reduce),
)
