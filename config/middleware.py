"""Requests larger than any upload the platform accepts are refused before their body is read."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuses with 413 a request whose declared body exceeds REQUEST_MAX_BYTES, before anything reads it.

    Django never reads past the declared Content-Length (its LimitedStream), so the declaration bounds what a request
    can cost: a 200 MB upload is answered at once instead of being spooled to disk and read by a form. Placed before
    the middleware that reads the body (CSRF) and before sessions, so a refused request costs no database query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django treats an unreadable length as no body
        if declared > settings.REQUEST_MAX_BYTES:
            megabytes = f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):.0f}"
            message = _("The upload is too large: files up to %(megabytes)s MB are accepted.") % {
                "megabytes": megabytes
            }
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message}, status=413)
            else:
                response = render(request, "413.html", {"message": message}, status=413)
            response["Connection"] = "close"  # the unread body is not worth keeping the connection for
            return response
        return self.get_response(request)


class ApiErrorsAsJsonMiddleware:
    """Every error under /api/ answers JSON, whatever DEBUG says.

    With DEBUG off Django's own error handlers (config.views.error_400/404/500) already answer JSON on API paths; with
    DEBUG on Django answers a 404 without a matching route, a view's Http404, a BadRequest and an uncaught error with
    its technical HTML pages instead, so an API client (and the schema tests) would meet HTML in development. Placed
    first, this middleware sees every response, including those the inner layers made from exceptions, and replaces an
    HTML error under /api/ with the same JSON body the API's own refusals carry. The traceback is still logged by
    Django ("django.request") in both modes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            from config.views import api_error_response

            replaced = api_error_response(request, response.status_code)
            for header, value in response.items():  # caching, security and session headers of the inner layers
                if header.lower() not in ("content-type", "content-length"):
                    replaced[header] = value
            replaced.cookies = response.cookies
            return replaced
        return response
