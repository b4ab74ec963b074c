"""The answer to a data-subject request (R21, LED Art. 14): what is held about the person, why, for how long and where
it came from, as a PDF in the person's language (the one recorded with the request: Czech or English).

Only what is still stored is listed (an item erased or already deleted by retention is gone); periods are read from
the settings the retention schedule applies (office.services.retention.SCHEDULE), so the answer and the deletions
never disagree. Producing the answer is a disclosure to the person: SUBJECT_ANSWER_PRODUCED (R17), counts only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record
from office.reports.figures import plain
from office.reports.pdf import render_pdf
from office.services.subject_requests import _require_office
from oversight.models import Case, DataSubjectRequest, Person
from recognition.models import Alert, AlertReview
from watchlists.models import ReferencePhoto


def _when(value) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _periods() -> dict[str, str]:
    return {
        "person": _("until %(days)s days after the case ends") % {"days": settings.RETENTION_PERSON_DAYS},
        "photo": _(
            "until %(hours)s hours after the case ends; longer only while a sighting awaits its two verifiers "
            "(at most %(days)s days after the end)"
        )
        % {"hours": settings.WATCHLIST_RETENTION_HOURS_AFTER_END, "days": settings.RETENTION_UNDER_REVIEW_MAX_DAYS},
        "alert_new": _("until %(days)s days after the case ends, unless verified")
        % {"days": settings.RETENTION_UNREVIEWED_ALERT_DAYS},
        "alert_verified": _("until %(days)s days after its verification")
        % {"days": settings.RETENTION_VERIFIED_ALERT_DAYS},
        "alert_rejected": _("until %(days)s days after it was rejected")
        % {"days": settings.RETENTION_REJECTED_ALERT_DAYS},
        "case": _("the case's reasons until %(days)s days after it ends; its reference and dates stay")
        % {"days": settings.RETENTION_CASE_TEXT_DAYS},
    }


def subject_answer_rows(*, request: DataSubjectRequest) -> list[tuple[Case, list[tuple[str, str, str, str]]]]:
    """Per case: (what is held, why, for how long, where it came from), in the active language."""
    items = list(request.items.all())
    ids: dict[str, set[int]] = {}
    for item in items:
        ids.setdefault(item.target_label, set()).add(item.target_id)
    periods = _periods()
    persons = Person.objects.filter(pk__in=ids.get("oversight.Person", ())).select_related("case")
    photos = ReferencePhoto.objects.filter(pk__in=ids.get("watchlists.ReferencePhoto", ())).select_related("person")
    alerts = Alert.objects.filter(pk__in=ids.get("recognition.Alert", ())).select_related("camera")
    reviews = AlertReview.objects.filter(pk__in=ids.get("recognition.AlertReview", ())).select_related("alert")
    case_ids = {item.case_id for item in items if item.case_id}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=case_ids).select_related("objective")}
    rows: dict[int, list[tuple[str, str, str, str]]] = {pk: [] for pk in cases}

    def why(case: Case) -> str:
        return _("%(objective)s (case %(reference)s)") % {
            "objective": plain(case.objective.display_label) if case.objective_id else "",
            "reference": case.reference,
        }

    unit = {pk: c.unit or _("the requesting police unit") for pk, c in cases.items()}
    for case_id in sorted(ids.get("oversight.Case", set()) & set(cases)):
        case = cases[case_id]
        rows[case_id].append((_("A case naming you as a person sought"), why(case), periods["case"], unit[case_id]))
    for person in persons:
        if person.case_id in rows:
            rows[person.case_id].append(
                (
                    _("Your name and your category (%(category)s)") % {"category": person.get_category_display()},
                    why(cases[person.case_id]),
                    periods["person"],
                    unit[person.case_id],
                )
            )
    for photo in photos:
        case_id = photo.person.case_id
        if case_id in rows:
            rows[case_id].append(
                (
                    _("A reference photo of you and the face template computed from it"),
                    why(cases[case_id]),
                    periods["photo"],
                    _("%(source)s (taken %(date)s)")
                    % {"source": photo.source, "date": date_format(photo.captured_at, "SHORT_DATE_FORMAT")},
                )
            )
    for alert in alerts:
        if alert.case_id in rows:
            period = {"verified": periods["alert_verified"], "rejected": periods["alert_rejected"]}.get(
                alert.status, periods["alert_new"]
            )
            rows[alert.case_id].append(
                (
                    _("An image of you from a camera, %(when)s (a sighting)") % {"when": _when(alert.captured_at)},
                    why(cases[alert.case_id]),
                    period,
                    _("camera %(camera)s") % {"camera": alert.camera.name},
                )
            )
    for review in reviews:
        if review.alert.case_id in rows:
            rows[review.alert.case_id].append(
                (
                    _("A verifier's verdict on a sighting of you"),
                    why(cases[review.alert.case_id]),
                    _("as long as the sighting it concerns"),
                    _("a verifier of the police"),
                )
            )
    return [(cases[pk], rows[pk]) for pk in sorted(cases, key=lambda pk: cases[pk].reference) if rows[pk]]


def subject_answer_pdf(*, actor, request: DataSubjectRequest) -> bytes:
    """The answer as a PDF in the request's language; recorded as a disclosure to the person (R17)."""
    _require_office(actor)
    with translation.override(request.language):
        per_case = subject_answer_rows(request=request)
        title = _("Answer to request %(number)s: your data") % {"number": request.pk}
        blocks: list[tuple] = [
            ("title", title),
            (
                "text",
                _("Request of %(when)s. Produced %(now)s. The data protection office answers under LED Art. 14.")
                % {"when": _when(request.recorded_at), "now": _when(timezone.now())},
            ),
        ]
        if not per_case:
            blocks.append(("text", _("Nothing concerning you is stored.")))
        columns = (_("What is held"), _("Why"), _("For how long"), _("Where it came from"))
        for case, rows in per_case:
            blocks.append(("heading", _("Case %(reference)s") % {"reference": case.reference}))
            blocks.append(("table", columns, rows))
        data = render_pdf(title, blocks)
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.SUBJECT_ANSWER_PRODUCED,
            target_ref=request,
            data={
                "language": request.language,
                "recipients": "the data subject",
                "rows": sum(len(rows) for _case, rows in per_case),
            },
        )
    return data
