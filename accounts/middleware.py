"""Request-wide security: no caching of anything Django answers."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Nothing Django answers may be kept by a browser or proxy: pages and API answers carry
    personal data or decisions about it. Static files are answered earlier by whitenoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
