"""The home page: what waits for each role, from the selectors of the apps that own the data.

config sits above every app, so this is the one place that may gather counts from all of them.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from rest_framework import exceptions as api_exceptions

from audits.selectors import audit_export_recent_for_user, audit_trail_status
from office import selectors as office_selectors
from oversight import selectors as oversight_selectors
from oversight.roles import Role
from recognition.selectors import alert_review_recent_for_user, alerts_awaiting_for_user, camera_outages_open
from watchlists.selectors import photos_pending_count_for_requester

# A camera an active case covers is read continuously; no frame for this long means something is wrong.
CAMERA_FRAME_STALE = timedelta(seconds=60)


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    role_names = {g.name for g in user.groups.all()}
    labels = dict(Role.choices)
    context = {
        "roles": sorted(str(labels.get(name, name)) for name in role_names),
        "now": now,
        "time_zone": settings.TIME_ZONE,
    }
    if Role.REQUESTER in role_names:
        context["requester"] = oversight_selectors.requester_work(user=user, now=now)
        context["photos_pending"] = photos_pending_count_for_requester(user=user)
    if Role.JUDGE in role_names:
        context["to_decide"] = list(oversight_selectors.case_awaiting_decision_for_user(user=user)[:20])
    if Role.COMMISSION_MEMBER in role_names:
        context["to_vote"] = list(oversight_selectors.case_awaiting_vote_for_user(user=user)[:20])
    if Role.ALERT_VERIFIER in role_names:
        context["alerts_awaiting"] = alerts_awaiting_for_user(user=user).count()
        context["my_reviews"] = alert_review_recent_for_user(user=user)
    if Role.DPO_REVIEWER in role_names:
        context["office"] = {
            "unread_notifications": office_selectors.notification_unread_count(user=user),
            "open_subject_requests": office_selectors.subject_request_open_count(user=user),
            "exports": audit_export_recent_for_user(user=user),
            "trail": audit_trail_status(),
        }
    if Role.PLATFORM_ADMIN in role_names:
        context["cameras"] = oversight_selectors.camera_health(now=now, stale_after=CAMERA_FRAME_STALE)
        context["outages"] = camera_outages_open()
    return render(request, "home.html", context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Errors Django answers itself (no view matched, a view failed): JSON on API paths, as every API answer is, and the
# site's pages elsewhere. The API's own refusals are answered by DRF (config.api.exception_handler).


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_error_response(request, status: int):
    """The JSON answer to an error on an API path, in the words (and translations) DRF and Django's handlers use."""
    if status == 400:
        return api_exceptions.bad_request(request, None)
    if status >= 500:
        response = api_exceptions.server_error(request)
        response.status_code = status
        return response
    details = {
        401: api_exceptions.NotAuthenticated.default_detail,
        403: api_exceptions.PermissionDenied.default_detail,
        404: api_exceptions.NotFound.default_detail,
        405: str(api_exceptions.MethodNotAllowed.default_detail).format(method=request.method),
    }
    detail = details.get(status, api_exceptions.ValidationError.default_detail)
    return JsonResponse({"detail": str(detail)}, status=status)


def error_404(request, exception):
    if _is_api(request):
        return api_error_response(request, 404)
    return defaults.page_not_found(request, exception)


def error_500(request):
    if _is_api(request):
        return api_exceptions.server_error(request)
    return defaults.server_error(request)


def error_400(request, exception):
    if _is_api(request):
        return api_exceptions.bad_request(request, exception)
    return defaults.bad_request(request, exception)
