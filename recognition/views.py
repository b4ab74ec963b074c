"""Alert pages: the list of alerts the user may see, a detail page, the decrypted crop, and review.

Alerts of cases the user may not see answer 404 (alert_get_for_user). Each detail page and each
crop served records a consultation (ALERT_VIEWED, R17).
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audits.services import CONSULTATION_TOKEN_PARAM, consultation_token_url
from oversight.roles import Role, user_has_role
from oversight.selectors import camera_list
from oversight.wording import without_requirement_codes
from recognition import selectors, services
from recognition.models import Alert

ALERTS_PER_PAGE = 25
FILTERS = ("status", "case", "camera", "person", "awaiting", "sort")


@login_required
@require_GET
def alert_list(request):
    """Alerts (one per sighting) the user may see: filters, sorting and pages of 25."""
    params = {name: request.GET.get(name, "") for name in FILTERS}
    if params["awaiting"] == "1" and not params["sort"]:
        params["sort"] = "queue"  # the verifier's own queue: urgent cases first, then the oldest
    alerts = selectors.alert_filter(
        selectors.alert_list_for_user(user=request.user),
        user=request.user,
        status=params["status"],
        case=params["case"],
        camera=params["camera"],
        person=params["person"],
        awaiting_me=params["awaiting"] == "1",
        sort=params["sort"],
    )
    page = Paginator(alerts, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    is_verifier = user_has_role(request.user, Role.ALERT_VERIFIER)
    query = urlencode({k: v for k, v in params.items() if v})
    # R17: one consultation per list shown, naming the alerts on this page.
    services.alert_list_record_view(
        actor=request.user,
        alerts=page.object_list,
        interface="page",
        filters={k: v for k, v in params.items() if v},
        total=page.paginator.count,
    )
    return render(
        request,
        "recognition/alert_list.html",
        {
            "page": page,
            "alerts": page.object_list,
            "params": params,
            "query": query,
            "statuses": Alert.Status.choices,
            "cameras": camera_list(),
            "is_verifier": is_verifier,
            "waiting": selectors.alerts_awaiting_for_user(user=request.user, **_queue_filters(request.GET)).count()
            if is_verifier
            else 0,
        },
    )


@login_required
@require_GET
def alert_detail(request, pk: int):
    """The verification screen: the best crop beside the reference photos, the facts in words, the verdicts so
    far, and the previous and next alerts awaiting this verifier. One consultation is recorded for the page and
    the images it shows (their URLs carry a short-lived token, so fetching them records nothing more)."""
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    is_verifier = user_has_role(request.user, Role.ALERT_VERIFIER)
    photos = list(selectors.alert_reference_photos(alert=alert)) if is_verifier else []
    continues = selectors.alert_continued(alert=alert)
    earlier_crop = continues is not None and alert.crop_blob is None and continues.crop_blob is not None
    services.alert_record_view(
        actor=request.user,
        alert=alert,
        interface="page",
        part="details and crop"
        + (f", crop of the earlier sighting {continues.pk}" if earlier_crop else "")
        + (", reference photos" if photos else ""),
        reference_photos=[p.pk for p in photos],
        basis=alert.access_basis,
    )
    reviews = list(selectors.alert_reviews(alert=alert))
    confirmations = sum(1 for r in reviews if r.verdict == "confirm")
    can_review = (
        is_verifier and alert.status == alert.Status.NEW and all(r.reviewer_id != request.user.pk for r in reviews)
    )
    queue = _queue_filters(request.GET)
    previous, following = (
        selectors.alert_queue_neighbours(user=request.user, alert=alert, **queue) if is_verifier else (None, None)
    )
    encounter = selectors.alert_encounter(
        alert=alert, gap=timedelta(minutes=settings.RECOGNITION_ENCOUNTER_GAP_MINUTES)
    )
    return render(
        request,
        "recognition/alert_detail.html",
        {
            "alert": alert,
            "reviews": reviews,
            "confirmations": confirmations,
            "confirmations_required": services.CONFIRMATIONS_REQUIRED,
            "can_review": can_review,
            "can_record_outcome": is_verifier and alert.status == alert.Status.VERIFIED,
            "outcomes": alert.Outcome.choices,
            "crop_url": consultation_token_url(
                reverse("recognition:alert_crop", args=[alert.pk]),
                user=request.user,
                target=alert,
                session=request.session,
            ),
            "photos": [
                (
                    photo,
                    consultation_token_url(
                        reverse("recognition:alert_reference_photo", args=[alert.pk, photo.pk]),
                        user=request.user,
                        target=photo,
                        session=request.session,
                    ),
                )
                for photo in photos
            ],
            "previous": previous,
            "next": following,
            "queue_query": urlencode({k: v for k, v in queue.items() if v}),
            "queue": queue,
            "waiting": selectors.alerts_awaiting_for_user(user=request.user, **queue).count() if is_verifier else 0,
            "encounter": encounter if len(encounter) > 1 else [],
            "encounter_gap": settings.RECOGNITION_ENCOUNTER_GAP_MINUTES,
            "continues": continues,
            "continues_crop_url": consultation_token_url(
                reverse("recognition:alert_crop", args=[continues.pk]),
                user=request.user,
                target=continues,
                session=request.session,
            )
            if earlier_crop
            else "",
            "continuations": [a for a in encounter if a.continues_id == alert.pk],
            "reviews_by": _reviewers(reviews),
            "margin": round(alert.threshold - alert.distance, 3),
        },
    )


@login_required
@require_GET
@never_cache
def alert_crop(request, pk: int):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    content = services.alert_crop_read(
        actor=request.user,
        alert=alert,
        interface="page",
        basis=alert.access_basis,
        consultation_token=request.GET.get(CONSULTATION_TOKEN_PARAM),
        session=request.session,
    )
    if not content:
        return HttpResponse(status=404)
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
@never_cache
def alert_reference_photo(request, pk: int, photo_pk: int):
    """A reference photo of the alert's person, for verifiers only (they compare it with the crop)."""
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    if not user_has_role(request.user, Role.ALERT_VERIFIER):
        raise Http404(_("No such photo."))
    try:
        photo = services.alert_reference_photo_read(
            actor=request.user,
            alert=alert,
            photo_pk=photo_pk,
            consultation_token=request.GET.get(CONSULTATION_TOKEN_PARAM),
            session=request.session,
        )
    except LookupError:
        raise Http404(_("No such photo.")) from None
    response = HttpResponse(photo.content, content_type=photo.content_type)
    response["Cache-Control"] = "no-store, private"
    return response


def _queue_filters(data) -> dict[str, str]:
    """The verifier's queue filters, carried from the list to each sighting and through each review."""
    return {"case": (data.get("case") or "").strip(), "camera": (data.get("camera") or "").strip()}


def _reviewers(reviews) -> str:
    return ", ".join(r.reviewer.get_username() for r in reviews)


def _recorded(alert: Alert, verdict: str) -> str:
    """What a review just recorded, naming the sighting, in words that match its new state."""
    names = {"number": alert.pk, "person": alert.person.full_name, "camera": alert.camera.name}
    if alert.status == Alert.Status.VERIFIED:
        return (
            _(
                "Alert %(number)s (%(person)s on %(camera)s): your confirmation is recorded; two people have now "
                "verified it."
            )
            % names
        )
    if alert.status == Alert.Status.REJECTED and verdict == "reject":
        return (
            _(
                "Alert %(number)s (%(person)s on %(camera)s): your rejection is recorded; it is closed as not this "
                "person and nobody acts on it."
            )
            % names
        )
    return (
        _(
            "Alert %(number)s (%(person)s on %(camera)s): your confirmation is recorded; a second verifier must "
            "confirm it before anyone acts."
        )
        % names
    )


@login_required
@require_POST
def alert_review(request, pk: int):
    """One verdict, then straight on to the next sighting waiting for this verifier (one step per decision)."""
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    queue = _queue_filters(request.POST)
    verdict = request.POST.get("verdict", "")
    try:
        services.alert_review(actor=request.user, alert=alert, verdict=verdict, note=request.POST.get("note", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, without_requirement_codes(message))
        return redirect(_with_query(reverse("recognition:alert_detail", args=[alert.pk]), queue))
    alert.refresh_from_db(fields=["status"])
    messages.success(request, _recorded(alert, verdict))
    following = selectors.alert_queue_head(user=request.user, **queue)
    if following is None:
        messages.info(request, _("No other alert is waiting for you."))
        return redirect(_with_query(reverse("recognition:alert_list"), {"awaiting": "1", **queue}))
    return redirect(_with_query(reverse("recognition:alert_detail", args=[following.pk]), queue))


def _with_query(url: str, params: dict[str, str]) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def alert_outcome(request, pk: int):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    try:
        services.alert_record_outcome(
            actor=request.user,
            alert=alert,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, without_requirement_codes(message))
    else:
        messages.success(request, _("Outcome recorded."))
    return redirect("recognition:alert_detail", pk=alert.pk)
