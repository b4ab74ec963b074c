"""Data-subject requests (R21): record, find, decide per item, carry out through THE deletion code, lift.

Only the data protection office (role dpo_reviewer) acts here. Every step is an audit event naming items by
identifier, never by content (the subject's name is not copied into the trail).
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.events import EventType
from audits.services import audit_record
from office.selectors import subject_item_descriptions
from office.services.holds import erasure_refusals
from office.services.retention import KINDS, _deletion_records
from oversight.models import (
    DataSubjectRequest,
    DataSubjectRequestItem,
    Person,
    SubjectRequestDecision,
    SubjectRequestKind,
)
from oversight.retention import Deleted, merge
from oversight.roles import Role, user_has_role
from oversight.services import person_rectify
from watchlists.retention import subject_probe_compare, subject_probe_delete, subject_probe_store

SUBJECT_ERASURE = "oversight.subject_erasure"
ERASED_NAME = "(erased)"
# What may be decided for an item of each kind: a case itself is never erased by a request (its free text is
# reduced); everything else may be erased or restricted.
DECISIONS = set(SubjectRequestDecision.values) - {SubjectRequestDecision.PENDING}


def _require_office(actor) -> None:
    if not user_has_role(actor, Role.DPO_REVIEWER):
        raise PermissionDenied(_("Only the data protection office handles data-subject requests."))


def name_key(name: str) -> str:
    """Names compare case-, accent- and spacing-insensitively: 'Jana  NOVÁKOVÁ' finds 'Jana Novakova'."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(text.replace("-", " ").split())


def _persons_named(subject_name: str) -> list[tuple[int, int]]:
    wanted = name_key(subject_name)
    return [
        (pk, case_id)
        for pk, case_id, name in Person.objects.values_list("pk", "case_id", "full_name")
        if name_key(name) == wanted
    ]


def _linked(person_ids: list[int]) -> list[tuple[str, int, int | None]]:
    """Everything the declared kinds hold about these persons: photos, alerts, reviews..."""
    found = []
    for label, kind in KINDS.items():
        if kind.of_persons is None or label == "oversight.Person" or not person_ids:
            continue
        pks = kind.of_persons(person_ids)
        cases = kind.case_of(pks) if kind.case_of and pks else {}
        found += [(label, pk, cases.get(pk)) for pk in pks]
    return found


def _add_items(request: DataSubjectRequest, found, found_by: str) -> list[str]:
    added = []
    for label, pk, case_id in found:
        try:
            with transaction.atomic():
                DataSubjectRequestItem.objects.create(
                    request=request, target_label=label, target_id=pk, case_id=case_id, found_by=found_by
                )
        except IntegrityError:
            continue  # found before (by name and by face): one item
        added.append(f"{label}:{pk}")
    return added


def subject_request_record(
    *, actor, kind: str, subject_name: str, details: str = "", photo: bytes | None = None, language: str = ""
) -> DataSubjectRequest:
    """Record a request about a person and find, by name, every case, person, photo, alert and review about them.

    Preconditions: the actor is the data protection office; a kind and a full name. A photo, if supplied, is
    kept encrypted only until the worker's face search (active cases only) has compared it; its findings are
    added then. Side effects: the request and its items; SUBJECT_REQUEST_RECORDED and SUBJECT_REQUEST_FINDINGS.
    """
    _require_office(actor)
    errors = {}
    if kind not in SubjectRequestKind.values:
        errors["kind"] = [_("Choose access, rectification, erasure or restriction.")]
    subject_name = " ".join((subject_name or "").split())
    if len(subject_name.split()) < 2:
        errors["subject_name"] = [_("Give the person's full name (given name and family name).")]
    if photo is not None and not photo:
        errors["photo"] = [_("The photo is empty.")]
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the offered languages for the answer.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = DataSubjectRequest.objects.create(
            kind=kind,
            subject_name=subject_name,
            details=(details or "").strip(),
            language=language,
            recorded_by=actor,
            recorded_at=timezone.now(),
            face_search="queued" if photo else "",
        )
        audit_record(
            actor=actor,
            event_type=EventType.SUBJECT_REQUEST_RECORDED,
            target_ref=request,
            data={"kind": kind, "photo_supplied": bool(photo)},
        )
        _find(request, found=[], found_by="name")
        if photo:
            subject_probe_queue(request, photo)
    return request


def _find(request: DataSubjectRequest, *, found, found_by: str) -> list[str]:
    if found_by == "name":
        persons = _persons_named(request.subject_name)
        found = [("oversight.Person", pk, case_id) for pk, case_id in persons]
    person_ids = [pk for label, pk, _ in found if label == "oversight.Person"]
    case_ids = sorted({case_id for _, _, case_id in found if case_id is not None})
    found = [("oversight.Case", cid, cid) for cid in case_ids] + list(found)
    added = _add_items(request, found, found_by)
    added += _add_items(request, _linked(person_ids), "link")
    audit_record(
        actor=None if found_by == "face" else request.recorded_by,
        event_type=EventType.SUBJECT_REQUEST_FINDINGS,
        target_ref=request,
        data={"found_by": found_by, "items": added, "counts": dict(Counter(a.split(":")[0] for a in added))},
    )
    return added


def subject_request_findings_add(*, request_id: int, found, found_by: str, face_search_note: str = "") -> list[str]:
    """Add findings (from the face search) to an open request, with everything linked to the persons found."""
    with transaction.atomic():
        request = DataSubjectRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            return []
        added = _find(request, found=found, found_by=found_by) if request.status == "open" else []
        request.face_search, request.face_search_note = "done", face_search_note[:300]
        request.save(update_fields=["face_search", "face_search_note"])
    return added


GROUP_ALL = "all"


def _check_decision(decision: str, reasons: str, labels: set[str], rectification: dict | None) -> dict:
    """The decision is valid for items of these kinds; returns the cleaned rectification (persons only)."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision == "no_action" and not (reasons or "").strip():
        raise ValidationError({"reasons": [_("Say why no action is taken.")]})
    if decision != "rectify":
        return {}
    if labels - {"oversight.Person"}:
        raise ValidationError(
            {"decision": [_("Only a person's entry (name or category) can be rectified; decide the others apart.")]}
        )
    values = {
        k: " ".join(str(v or "").split()) for k, v in (rectification or {}).items() if k in ("full_name", "category")
    }
    values = {k: v for k, v in values.items() if v}
    if not values:
        raise ValidationError({"rectification": [_("Give the corrected full name or category.")]})
    if values.get("category") and values["category"] not in Person.Category.values:
        raise ValidationError({"rectification": [_("Choose one of the categories.")]})
    if values.get("full_name") and len(values["full_name"].split()) < 2:
        raise ValidationError({"rectification": [_("Give the person's full name (given name and family name).")]})
    return values


def _lock_open(request_id: int) -> DataSubjectRequest:
    request = DataSubjectRequest.objects.select_for_update().get(pk=request_id)
    if request.status != "open":
        raise ValidationError({"decision": [_("This request is completed; its decisions are final.")]})
    return request


def subject_request_item_decide(
    *, actor, item: DataSubjectRequestItem, decision: str, reasons: str = "", rectification: dict | None = None
) -> None:
    """The office decides what happens to one item; nothing is carried out until the request is.

    A decision for one item overrides any decision for its group, now and later (decided_individually).
    """
    _require_office(actor)
    reasons = (reasons or "").strip()
    with transaction.atomic():
        item = DataSubjectRequestItem.objects.select_for_update().select_related("request").get(pk=item.pk)
        if item.request.status != "open" or item.carried_out_at is not None:
            raise ValidationError({"decision": [_("This request is completed; its decisions are final.")]})
        values = _check_decision(decision, reasons, {item.target_label}, rectification)
        if item.decision == decision and item.reasons == reasons and item.rectification == values:
            return
        item.decision, item.reasons, item.rectification = decision, reasons, values
        item.decided_by, item.decided_at, item.decided_individually = actor, timezone.now(), True
        item.save(
            update_fields=["decision", "reasons", "rectification", "decided_by", "decided_at", "decided_individually"]
        )
        audit_record(
            actor=actor,
            event_type=EventType.SUBJECT_REQUEST_DECIDED,
            target_ref=item.target_ref,
            data={"request": item.request_id, "decision": decision, "items": [item.target_ref]},
        )


def subject_request_items_decide(
    *, actor, request: DataSubjectRequest, decision: str, reasons: str = "", group: str = GROUP_ALL
) -> list[int]:
    """One decision for a whole group of findings (one kind in one case) or for all of them, in one step (R21).

    Items decided one by one keep their own decision (the per-item override); every other item of the group takes
    this one. Side effects: the items (one UPDATE); ONE SUBJECT_REQUEST_DECIDED event listing the items decided.
    Returns the ids of the items decided.
    """
    _require_office(actor)
    reasons = (reasons or "").strip()
    with transaction.atomic():
        request = _lock_open(request.pk)
        items = request.items.filter(carried_out_at__isnull=True, decided_individually=False)
        if group != GROUP_ALL:
            label, _sep, case = (group or "").partition("|")
            items = items.filter(target_label=label, case_id=int(case) if case.isdigit() else None)
        rows = list(items.order_by("pk").values_list("pk", "target_label", "target_id"))
        if not rows:
            return []
        _check_decision(decision, reasons, {label for _pk, label, _id in rows}, None)
        DataSubjectRequestItem.objects.filter(pk__in=[r[0] for r in rows]).update(
            decision=decision, reasons=reasons, rectification={}, decided_by=actor, decided_at=timezone.now()
        )
        audit_record(
            actor=actor,
            event_type=EventType.SUBJECT_REQUEST_DECIDED,
            target_ref=request,
            data={
                "request": request.pk,
                "decision": decision,
                "group": "all" if group == GROUP_ALL else group,
                "items": [f"{label}:{pk}" for _pk, label, pk in rows],
            },
        )
    return [r[0] for r in rows]


def subject_request_carry_out(*, actor, request: DataSubjectRequest) -> dict:
    """Carry out every decision at once and complete the request (R21).

    Preconditions: the office; every item decided; no item to erase held by THE hold rule (oversight.holds: a
    restriction or another open request, a verification in progress) nor the legal record of a case that has not
    ended: such an erasure is refused with the reasons and nothing changes (decide no action, or wait). Erasures go
    through THE deletion code of their kind (the same the retention schedule uses); rectifications are applied
    through the person's service (oversight.services.person_rectify, with its own event); restrictions take effect
    (held from retention, off every page and API) until lifted. An erasure request ends with the subject's name and
    the free text reduced. Idempotent: a completed request is left alone. Side effects: DeletionRecords (rule
    oversight.subject_erasure); SUBJECT_REQUEST_CARRIED_OUT listing decisions and identifiers.
    """
    _require_office(actor)
    with transaction.atomic():
        request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != "open":
            return {}
        items = list(request.items.select_for_update().order_by("pk"))
        pending = [i.target_ref for i in items if i.decision == "pending"]
        if pending:
            raise ValidationError(
                {
                    "items": [
                        ngettext(
                            "Decide every item first (%(count)d undecided).",
                            "Decide every item first (%(count)d undecided).",
                            len(pending),
                        )
                        % {"count": len(pending)}
                    ]
                }
            )
        now = timezone.now()
        deleted: Deleted = {}
        erase = [i for i in items if i.decision == "erase"]
        targets: dict[str, list[int]] = {}
        for item in erase:
            targets.setdefault(item.target_label, []).append(item.target_id)
        refusals = erasure_refusals(targets=targets, request_id=request.pk)
        if refusals:
            words = subject_item_descriptions([i for i in erase if (i.target_label, i.target_id) in refusals])
            raise ValidationError(
                {
                    "items": [
                        _("%(item)s cannot be erased now: %(reasons)s")
                        % {"item": words[i.pk], "reasons": " ".join(refusals[(i.target_label, i.target_id)])}
                        for i in erase
                        if (i.target_label, i.target_id) in refusals
                    ]
                }
            )
        for item in items:
            if item.decision == "rectify" and item.target_label == "oversight.Person":
                person_rectify(actor=actor, person_id=item.target_id, request_id=request.pk, **item.rectification)
        # Dependents before persons, so each row is counted under its own kind.
        order = {"oversight.Case": 2, "oversight.Person": 1}
        for label in sorted({i.target_label for i in erase}, key=lambda lb: order.get(lb, 0)):
            kind = KINDS.get(label)
            if kind is None:
                raise ValidationError({"items": [_("Nothing knows how to erase %(kind)s.") % {"kind": label}]})
            merge(deleted, kind.delete(pks=[i.target_id for i in erase if i.target_label == label]))
        for item in items:
            item.carried_out_at = now
        DataSubjectRequestItem.objects.bulk_update(items, ["carried_out_at"])
        request.status, request.completed_by, request.completed_at = "completed", actor, now
        fields = ["status", "completed_by", "completed_at"]
        if erase or request.kind == SubjectRequestKind.ERASURE:
            request.subject_name, request.details = ERASED_NAME, ""
            fields += ["subject_name", "details"]
        request.save(update_fields=fields)
        event = audit_record(
            actor=actor,
            event_type=EventType.SUBJECT_REQUEST_CARRIED_OUT,
            target_ref=request,
            data={
                "kind": request.kind,
                "decisions": {
                    d: sorted(i.target_ref for i in items if i.decision == d) for d in {i.decision for i in items}
                },
                "deleted": {lb: sum(len(v) for v in by_case.values()) for lb, by_case in deleted.items()},
            },
            need_seq=True,
        )
        _deletion_records(SUBJECT_ERASURE, "delete", deleted, now=now, seq=event.seq)
    return {lb: sum(len(v) for v in by_case.values()) for lb, by_case in deleted.items()}


def subject_restriction_lift(*, actor, item: DataSubjectRequestItem, reason: str) -> None:
    """Lift a restriction: the item returns to pages, APIs and the retention schedule."""
    _require_office(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the restriction is lifted.")]})
    with transaction.atomic():
        item = DataSubjectRequestItem.objects.select_for_update().get(pk=item.pk)
        if not item.is_restricted:
            return
        item.lifted_at = timezone.now()
        item.lift_reason = reason.strip()[:2000]
        item.save(update_fields=["lifted_at", "lift_reason"])
        audit_record(
            actor=actor,
            event_type=EventType.SUBJECT_RESTRICTION_LIFTED,
            target_ref=item.target_ref,
            # The reason stays on the item; the event names the item (audits.texts shows the reason from there).
            data={"request": item.request_id, "item": f"{item._meta.label}:{item.pk}"},
        )


def subject_request_record_view(*, actor, request: DataSubjectRequest) -> None:
    """R17: the findings name a person and list their data; each consultation is recorded."""
    _require_office(actor)
    with transaction.atomic():
        audit_record(actor=actor, event_type=EventType.SUBJECT_REQUEST_VIEWED, target_ref=request, data={})


# ---------------------------------------------------------------- the face search (R21)


def subject_probe_queue(request: DataSubjectRequest, data: bytes) -> None:
    """Keep the probe encrypted (watchlists owns the keyring) and queue the worker's face search once the request
    is committed."""
    subject_probe_store(request=request, data=data)

    def _queue():
        from office.tasks import subject_face_search as task

        task.delay(request.pk)

    transaction.on_commit(_queue)


def subject_face_search(*, request_id: int) -> dict:
    """Worker: find the persons of ACTIVE cases whose stored template matches the supplied face (R21).

    Idempotent: without a probe photo there is nothing to do. The probe is deleted in the same transaction as the
    findings are recorded, whatever the outcome (refused image, no match, matches).
    """
    compared = subject_probe_compare(request_id=request_id)
    if compared is None:
        return {}
    probe_id, found, note = compared
    with transaction.atomic():
        subject_probe_delete(probe_id=probe_id)
        subject_request_findings_add(request_id=request_id, found=found, found_by="face", face_search_note=note)
    return {"matches": sum(1 for label, _pk, _case in found if label == "oversight.Person")}
