"""Alerts after they are stored: consultation records, crops, two-person verification (R14, R17)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record, consultation_list_record, consultation_token_valid
from oversight.models.text import FREE_TEXT_MAX_LENGTH
from oversight.roles import Role, user_has_role
from recognition.models import Alert, AlertReview
from watchlists import crypto
from watchlists.services import PhotoContent, reference_photo_consult

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- alerts


def alert_crops_reencrypt(new_key_id: str) -> dict:
    """Re-encrypt every alert crop under the current key (called by watchlists' data_key_rotate)."""
    count = 0
    for pk in Alert.objects.filter(crop_blob__isnull=False).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            alert = Alert.objects.select_for_update().only("pk", "crop_blob").get(pk=pk)
            blob = bytes(alert.crop_blob)
            fresh = crypto.reencrypt(blob, aad=alert.aad("crop"))
            if fresh is not blob:
                alert.crop_blob = fresh
                alert.save(update_fields=["crop_blob"])
                count += 1
    stale = [
        a.pk
        for a in Alert.objects.filter(crop_blob__isnull=False).only("pk", "crop_blob")
        if crypto.blob_key_id(bytes(a.crop_blob)) != new_key_id
    ]
    if stale:
        raise RuntimeError(f"rotation incomplete: alerts {stale[:10]} still on an old key")
    return {"alert_crops": count}


def alert_record_view(
    *, actor, alert: Alert, interface: str, part: str = "details", basis: str = "", reference_photos=()
) -> None:
    """R17: a consultation of an alert (who, when, which part, on what basis, which reference photos beside it)."""
    data = {"part": part, "interface": interface, "access_basis": basis}
    if reference_photos:
        data["reference_photos"] = list(reference_photos)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.ALERT_VIEWED,
            case_ref=alert.case.reference,
            target_ref=alert,
            data=data,
        )


def alert_crop_read(
    *, actor, alert: Alert, interface: str, basis: str = "", consultation_token: str | None = None, session=None
) -> bytes:
    """Decrypt the alert's crop for display and record the consultation (R17), unless it comes with a valid token
    of the page that showed it and recorded it already (audits.services.consultation_token_url). Empty if none."""
    if alert.crop_blob is None:
        return b""
    content = crypto.decrypt(bytes(alert.crop_blob), aad=alert.aad("crop"))
    if not consultation_token_valid(token=consultation_token, user=actor, target=alert, session=session):
        alert_record_view(actor=actor, alert=alert, interface=interface, part="crop", basis=basis)
    return content


def alert_reference_photo_read(
    *, actor, alert: Alert, photo_pk: int, consultation_token: str | None, session=None
) -> PhotoContent:
    """A reference photo of the alert's person, for the verifier comparing it with the crop (R14): the consultation
    is recorded (PHOTO_VIEWED) unless the alert page recorded it already (valid token). LookupError if it is not
    one of the person's photos that still holds an image."""
    return reference_photo_consult(
        actor=actor,
        case=alert.case,
        person=alert.person,
        photo_pk=photo_pk,
        via="alert_review",
        consultation_token=consultation_token,
        session=session,
    )


def alert_list_record_view(*, actor, alerts, interface: str, filters: dict | None = None, total: int | None = None):
    """R17: one consultation per list shown, naming the alerts (ids) and the cases they belong to."""
    alerts = list(alerts)
    consultation_list_record(
        actor=actor,
        event_type=EventType.ALERT_LIST_VIEWED,
        interface=interface,
        ids=[a.pk for a in alerts],
        filters=filters or {},
        total=total,
        case_refs=sorted({a.case.reference for a in alerts}),
    )


CONFIRMATIONS_REQUIRED = 2


def _note_bounded(note: str | None) -> None:
    if len(note or "") > FREE_TEXT_MAX_LENGTH:
        message = _("Keep the note under %(limit)s characters.") % {"limit": FREE_TEXT_MAX_LENGTH}
        raise ValidationError({"note": [message]})


def alert_review(*, actor, alert: Alert, verdict: str, note: str = "") -> Alert:
    """One verifier's verdict on an alert (R14, R15).

    Preconditions: the actor holds the alert_verifier role; the alert is new; the actor has not
    reviewed it before (two *different* people, never the same one twice). Repeating one's own
    identical verdict is a no-op. A rejection closes the alert as rejected; the second
    confirmation by a different verifier makes it verified (actionable).
    Side effects: an AlertReview row; ALERT_VERIFIED or ALERT_REJECTED.
    """
    if not user_has_role(actor, Role.ALERT_VERIFIER):
        raise PermissionDenied(_("Only alert verifiers may verify alerts."))
    if verdict not in AlertReview.Verdict.values:
        raise ValidationError({"verdict": [_("Choose confirm or reject.")]})
    _note_bounded(note)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
        mine = AlertReview.objects.filter(alert=alert, reviewer=actor).first()
        if mine is not None:
            if mine.verdict == verdict:
                return alert
            raise ValidationError(
                {"verdict": [_("You have already reviewed this alert; a different person must (R14).")]}
            )
        if alert.status != Alert.Status.NEW:
            already = {
                Alert.Status.VERIFIED: _("The alert is already verified."),
                Alert.Status.REJECTED: _("The alert is already rejected."),
            }[alert.status]
            raise ValidationError({"status": [already]})
        AlertReview.objects.create(alert=alert, reviewer=actor, verdict=verdict, note=note.strip())
        confirmations = AlertReview.objects.filter(alert=alert, verdict=AlertReview.Verdict.CONFIRM).count()
        previous = alert.status
        if verdict == AlertReview.Verdict.REJECT:
            alert.status = Alert.Status.REJECTED
        elif confirmations >= CONFIRMATIONS_REQUIRED:
            alert.status = Alert.Status.VERIFIED
        if alert.status != previous:
            alert.save(update_fields=["status"])
        audit_record(
            actor=actor,
            event_type=EventType.ALERT_REJECTED if verdict == AlertReview.Verdict.REJECT else EventType.ALERT_VERIFIED,
            case_ref=alert.case.reference,
            target_ref=alert,
            data={"verdict": verdict, "confirmations": confirmations, "from": previous, "to": alert.status},
        )
    return alert


def alert_record_outcome(*, actor, alert: Alert, outcome: str, note: str = "") -> Alert:
    """What happened after a verified alert (R23): no action, engaged, arrested or other.

    Preconditions: the actor holds the alert_verifier role; the alert is verified (two confirmations);
    "other" needs a note. A later call corrects the outcome; the same outcome and note again change nothing.
    Side effects: the alert's outcome fields; ALERT_OUTCOME_RECORDED (the outcome, never the note's text).
    """
    if not user_has_role(actor, Role.ALERT_VERIFIER):
        raise PermissionDenied(_("Only alert verifiers may record what happened after an alert."))
    note = (note or "").strip()
    _note_bounded(note)
    errors: dict[str, list[str]] = {}
    if outcome not in Alert.Outcome.values:
        errors["outcome"] = [_("Choose no action, engaged, arrested or other.")]
    elif outcome == Alert.Outcome.OTHER and not note:
        errors["note"] = [_("Say briefly what happened.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("case").get(pk=alert.pk)
        if alert.status != Alert.Status.VERIFIED:
            raise ValidationError(
                {"outcome": [_("An outcome can be recorded only once two people verified the alert.")]}
            )
        if alert.outcome == outcome and alert.outcome_note == note:
            return alert
        previous = alert.outcome
        alert.outcome = outcome
        alert.outcome_note = note
        alert.outcome_recorded_at = timezone.now()
        alert.outcome_recorded_by = actor
        alert.save(update_fields=["outcome", "outcome_note", "outcome_recorded_at", "outcome_recorded_by"])
        audit_record(
            actor=actor,
            event_type=EventType.ALERT_OUTCOME_RECORDED,
            case_ref=alert.case.reference,
            target_ref=alert,
            data={"from": previous, "to": outcome, "note_given": bool(note)},
        )
    return alert
