"""The public register's pages and files (R23), and the deciding authorities' withholdings.

Public answers never touch the session, set no cookie (no CSRF token, no language cookie: the language is the URL's
or the browser's) and are the same for everyone, so they are cached whole: per register version, page and language
(transparency.selectors.register_current). Each client address gets TRANSPARENCY_REQUESTS_PER_MINUTE of them.
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache, wraps
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import second_factor_exempt
from accounts.throttle import address_key, client_address
from audits import signing, verify_export
from office.services.retention import SCHEDULE
from transparency import opendata, selectors, services
from transparency.charts import bar_chart
from transparency.forms import WithholdForm
from transparency.models import Withholding
from transparency.rules import case_rules, retention_lines

PAGES = {"index": "transparency/index.html", "rules": "transparency/rules.html", "data": "transparency/data.html"}
FILE_NAMES = {
    "csv": "deployments.csv",
    "json": "deployments.json",
    "key": "platform-public-key.pem",
    "verifier": "verify_export.py",
}
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def _too_many(request) -> HttpResponse | None:
    """A fixed one-minute window per client address (a keyed hash of it) in the shared cache."""
    window = int(time.time()) // 60
    key = f"transparency:rate:{address_key(client_address(request))}:{window}"
    if cache.add(key, 1, 120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, 120)
            count = 1
    if count <= settings.TRANSPARENCY_REQUESTS_PER_MINUTE:
        return None
    response = HttpResponse(
        _("Too many requests from your network: try again in a minute."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(60 - int(time.time()) % 60)
    return response


def public(view):
    """A public register answer: no sign-in, no second factor, rate-limited, cacheable by anyone for a minute."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refused = _too_many(request)
        if refused is not None:
            return refused
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["Cache-Control"] = "public, max-age=60"
            response.public_register = True  # accounts.middleware.NoStoreMiddleware leaves it cacheable
        return response

    wrapper.public_register = True  # what tests/accounts recognise as the one public, cacheable part of the site
    return second_factor_exempt(require_GET(wrapper))


# Settings the pages show (the rules) and the templates: a deployment that changes either gets new pages at once.
_PAGE_SETTINGS = (
    "CASE_MAX_CAMERAS",
    "CASE_MAX_DURATION_HOURS",
    "CASE_URGENCY_HOURS",
    "COMMISSION_QUORUM",
    "COMMISSION_MAJORITY",
    "MATCH_THRESHOLD_MAX",
    "RECOGNITION_MIN_FACE_PX",
    "AUDIT_RETENTION_DAYS",
    "TRANSPARENCY_WITHHOLDING_MAX_DAYS",
    "TIME_ZONE",
)


@lru_cache(maxsize=1)
def _templates_digest() -> str:
    digest = hashlib.sha256()
    for template in sorted((Path(__file__).resolve().parent.parent / "templates" / "transparency").glob("*.html")):
        digest.update(template.read_bytes())
    return digest.hexdigest()


def _build_tag() -> str:
    names = (*_PAGE_SETTINGS, *(rule.setting for rule in SCHEDULE))
    values = repr([(name, getattr(settings, name)) for name in names]) + _templates_digest()
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def _render_page(name: str, language: str, tag: str, register) -> bytes:
    key = f"{tag}:page:{name}:{language}:{_build_tag()}"
    body = cache.get(key)
    if body is None:
        with translation.override(language):
            body = render_to_string(PAGES[name], _context(name, language, register)).encode()
        cache.set(key, body, selectors.CACHE_SECONDS)
    return body


def _context(name: str, language: str, register) -> dict:
    context = {
        "register": register,
        "page": name,
        "language": language,
        "other_languages": [
            (code, label, reverse(f"transparency:{name}_lang", kwargs={"lang": code}))
            for code, label in settings.LANGUAGES
            if code != language
        ],
        "band_below": selectors.BAND_BELOW,
        "band_top": selectors.BAND_BELOW - 1,
        "banded": selectors.BANDED,
        "count_fields": selectors.COUNT_FIELDS,
        "rate_fields": selectors.RATE_FIELDS,
        "time_zone": settings.TIME_ZONE,
    }
    if name == "index":
        context["charts"] = [
            (title, bar_chart(chart_id=chart_id, title=title, description=description, rows=rows))
            for chart_id, title, description, rows in _monthly_charts(register.months)
        ]
    if name == "rules":
        context["case_rules"] = case_rules()
        context["retention"] = retention_lines()
        context["withholding_max_days"] = settings.TRANSPARENCY_WITHHOLDING_MAX_DAYS
    if name == "data":
        context["schema"] = opendata.FILE_SCHEMA
        context["licence_name"], context["licence_url"] = opendata.LICENCE_NAME, opendata.LICENCE_URL
        try:
            context["fingerprint"] = signing.fingerprint(signing.load_verify_key())
        except ImproperlyConfigured:  # no key yet (audits.W001 says so at start-up): the page says it
            context["fingerprint"] = None
        context["file_names"] = FILE_NAMES
        context["verify_command"] = (
            f"python {FILE_NAMES['verifier']} --file {FILE_NAMES['csv']} --public-key {FILE_NAMES['key']}"
        )
    return context


def _monthly_charts(months) -> list[tuple]:
    """Three monthly charts: uses, faces processed, sightings (a banded count is drawn as no bar). None without uses."""
    if not months:
        return []
    labels = [p.start.strftime("%Y-%m") for p in months]
    return [
        (
            "chart-uses",
            _("Uses by month"),
            _("Number of uses that started in each month; the table below gives the same figures."),
            list(zip(labels, [p.uses for p in months], strict=True)),
        ),
        (
            "chart-faces",
            _("Faces processed by month"),
            _("Faces compared in each month's uses; the table below gives the same figures."),
            list(zip(labels, [p.counts["faces_processed"] for p in months], strict=True)),
        ),
        (
            "chart-sightings",
            _("Sightings by month"),
            _("Alerts raised in each month's uses; the table below gives the same figures."),
            list(zip(labels, [p.counts["sightings"] for p in months], strict=True)),
        ),
    ]


def _page_response(request, name: str, language: str, *, negotiated: bool) -> HttpResponse:
    tag, register = selectors.register_current()
    body = _render_page(name, language, tag, register)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Language"] = language
    response["ETag"] = etag
    if negotiated:
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _page(name: str):
    @public
    def negotiated(request):
        language = translation.get_language_from_request(request)
        return _page_response(
            request, name, language if language in LANGUAGE_CODES else LANGUAGE_CODES[0], negotiated=True
        )

    @public
    def chosen(request, lang: str):
        if lang not in LANGUAGE_CODES:
            raise Http404
        return _page_response(request, name, lang, negotiated=False)

    return negotiated, chosen


index, index_lang = _page("index")
rules, rules_lang = _page("rules")
data, data_lang = _page("data")


def _files(tag: str, register) -> dict[str, opendata.SignedFile]:
    key = f"{tag}:files"
    files = cache.get(key)
    if files is None:
        files = opendata.register_files(register)
        cache.set(key, files, selectors.CACHE_SECONDS)
    return files


def _unsigned() -> HttpResponse:
    response = HttpResponse(
        _("The files cannot be signed at the moment: please try again later."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "3600"
    return response


@public
def data_file(request, name: str, signature: bool = False):
    tag, register = selectors.register_current()
    try:
        signed = _files(tag, register)[name]
    except ImproperlyConfigured:  # the platform's key is missing: never publish an unsigned file
        return _unsigned()
    if signature:
        response = HttpResponse(signed.signature, content_type="application/json")
        filename = f"{name}.sig"
    else:
        response = HttpResponse(signed.content, content_type=signed.content_type)
        filename = name
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Last-Modified"] = register.produced_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@public
def public_key(request):
    try:
        key = signing.load_verify_key()
    except ImproperlyConfigured:
        return _unsigned()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="platform-public-key.pem"'
    return response


@public
def verifier(request):
    response = HttpResponse(Path(verify_export.__file__).read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify_export.py"'
    return response


# ---------------------------------------------------------------- withholdings (signed in; not public)


@login_required
@require_GET
def withholding_list(request):
    """The office reads every withholding; a deciding authority reads and makes its own. Anyone else: 404."""
    cases = selectors.cases_withholdable_for_user(user=request.user)
    office = request.user.has_perm("oversight.view_office_reports")
    if not cases and not office:
        raise Http404
    return render(
        request,
        "transparency/withholding_list.html",
        {"withholdings": selectors.withholdings_for_user(user=request.user), "cases": cases, "office": office},
    )


@login_required
@require_http_methods(["GET", "POST"])
def withhold(request, case_id: int):
    case = selectors.case_withholdable_get_for_user(user=request.user, case_id=case_id)
    form = WithholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.use_withhold(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("The use is withheld from the public register."))
            return redirect("transparency:withholding_list")
    return render(request, "transparency/withhold.html", {"case": case, "form": form})


@login_required
@require_POST
def withholding_lift(request, pk: int):
    withholding = get_object_or_404(Withholding.objects.select_related("case"), pk=pk)
    if not selectors.case_deciding_authority(user=request.user, case=withholding.case):
        raise Http404
    services.withholding_lift(actor=request.user, withholding=withholding)
    messages.success(request, _("The withholding is lifted: the use is published once it has ended."))
    return redirect("transparency:withholding_list")
