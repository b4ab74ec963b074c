"""Alert pages: the list of alerts the user may see, a detail page, the decrypted crop, and review.

Alerts of cases the user may not see answer 404 (alert_get_for_user). Each detail page and each
crop served records a consultation (ALERT_VIEWED, R17).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from oversight.roles import Role, user_has_role
from recognition import selectors, services


@login_required
@require_GET
def alert_list(request):
    alerts = selectors.alert_list_for_user(user=request.user)[:200]
    return render(request, "recognition/alert_list.html", {"alerts": alerts})


@login_required
@require_GET
def alert_detail(request, pk: int):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    services.alert_record_view(actor=request.user, alert=alert, interface="page", basis=alert.access_basis)
    reviews = list(selectors.alert_reviews(alert=alert))
    can_review = (
        user_has_role(request.user, Role.ALERT_VERIFIER)
        and alert.status == alert.Status.NEW
        and all(r.reviewer_id != request.user.pk for r in reviews)
    )
    can_record_outcome = user_has_role(request.user, Role.ALERT_VERIFIER) and alert.status == alert.Status.VERIFIED
    return render(
        request,
        "recognition/alert_detail.html",
        {
            "alert": alert,
            "reviews": reviews,
            "can_review": can_review,
            "can_record_outcome": can_record_outcome,
            "outcomes": alert.Outcome.choices,
        },
    )


@login_required
@require_GET
@never_cache
def alert_crop(request, pk: int):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    content = services.alert_crop_read(actor=request.user, alert=alert, interface="page", basis=alert.access_basis)
    if not content:
        return HttpResponse(status=404)
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def alert_review(request, pk: int):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    try:
        services.alert_review(
            actor=request.user, alert=alert, verdict=request.POST.get("verdict", ""), note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("recognition:alert_detail", pk=alert.pk)


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
            messages.error(request, message)
    else:
        messages.success(request, "Outcome recorded.")
    return redirect("recognition:alert_detail", pk=alert.pk)
