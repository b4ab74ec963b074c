"""Pages of sign-in security: confirm a sign-in, enrol an authenticator, recovery codes."""

from __future__ import annotations

import io
from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.qr import write_qrcode_image

from accounts import enrolment, services, throttle
from accounts.forms import CodeForm, EnrolCodeForm, EnrolmentCodeForm, EnrolmentCodeIssueForm
from accounts.middleware import second_factor_exempt
from accounts.policy import ENROLMENT_CODE_KEY, EXPIRED_REASON_KEY, second_factor_required
from oversight.roles import Role, user_has_role

EXPIRED_MESSAGES = {
    "idle": gettext_lazy("You were signed out after a period without activity. Please sign in again."),
    "absolute": gettext_lazy(
        "You were signed out because your session reached its maximum length. Please sign in again."
    ),
}


class LoginView(auth_views.LoginView):
    """Django's sign-in page, saying why the last session ended when a timeout ended it.

    An address that used up its failed sign-ins (accounts.throttle) is answered 429 before the form is read.
    """

    def post(self, request, *args, **kwargs):
        if throttle.sign_in_refused(request):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return render(
                request,
                "registration/sign_in_throttled.html",
                {"failure_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT, "minutes": minutes},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(EXPIRED_REASON_KEY, None)
        context["expired_message"] = EXPIRED_MESSAGES.get(reason, "")
        return context


def _next_url(request) -> str:
    """The page to go on to after confirming, if it is one of ours; else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _enrolment_code_proved(request) -> int | None:
    """The id of the open enrolment code this session typed correctly, if it is still open."""
    code_id = request.session.get(ENROLMENT_CODE_KEY)
    open_code = enrolment.enrolment_code_open(user=request.user)
    return code_id if open_code is not None and open_code.pk == code_id else None


def _may_enrol(request) -> bool:
    """A new authenticator only from a session already confirmed, or for an account without one; a privileged
    account also needs an enrolment code: a password alone must never bind or replace someone's authenticator."""
    if request.user.is_verified():
        return True
    if services.totp_device_for_user(user=request.user) is not None:
        return False
    return not enrolment.enrolment_code_required(request.user) or _enrolment_code_proved(request) is not None


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Confirm this sign-in with a code (the page everyone who needs a second factor lands on)."""
    if services.totp_device_for_user(user=request.user) is None and not services.recovery_codes_remaining(
        user=request.user
    ):
        return redirect(_with_next("accounts:second_factor_setup", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, message = services.second_factor_verify(request=request, token=form.cleaned_data["code"])
        if ok:
            return redirect(_next_url(request) or "home")
        form.add_error("code", message)
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "next": _next_url(request), "required": True},
    )


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then type back a code."""
    if not _may_enrol(request):
        if services.totp_device_for_user(user=request.user) is None:
            return redirect(_with_next("accounts:enrolment_code", request))
        return redirect(_with_next("accounts:second_factor", request))
    device = services.totp_device_pending_for_user(user=request.user)
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.second_factor_enrol(
            request=request, token=form.cleaned_data["code"], enrolment_code_id=_enrolment_code_proved(request)
        )
        if codes is not None:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request) or reverse("home"), "just_enrolled": True},
            )
        form.add_error(
            "code", _("That code is not right. Check the app shows this account, then type its current code.")
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": _next_url(request),
            "required": second_factor_required(request.user, request.session),
        },
    )


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def enrolment_code(request):
    """A privileged account without an authenticator types the enrolment code an administrator gave it; without an
    open code the page only says whom to ask."""
    if _may_enrol(request):
        return redirect(_with_next("accounts:second_factor_setup", request))
    if services.totp_device_for_user(user=request.user) is not None:
        return redirect(_with_next("accounts:second_factor", request))
    open_code = enrolment.enrolment_code_open(user=request.user)
    form = EnrolmentCodeForm(request.POST or None) if open_code is not None else None
    if form is not None and request.method == "POST" and form.is_valid():
        proved = enrolment.enrolment_code_check(user=request.user, code=form.cleaned_data["enrolment_code"])
        if proved is not None:
            request.session[ENROLMENT_CODE_KEY] = proved.pk
            return redirect(_with_next("accounts:second_factor_setup", request))
        form.add_error("enrolment_code", _("That is not your enrolment code, or it is no longer valid."))
        if enrolment.enrolment_code_open(user=request.user) is None:
            form = None
    administrators = [
        user.get_full_name() or user.get_username()
        for user in get_user_model()
        .objects.filter(groups__name=Role.PLATFORM_ADMIN, is_active=True)
        .order_by("last_name", "username")
    ]
    return render(
        request,
        "accounts/enrolment_code.html",
        {"form": form, "administrators": administrators, "next": _next_url(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_code_issue(request):
    """Platform administrators issue an enrolment code for an account (shown once on the answer page)."""
    if not user_has_role(request.user, Role.PLATFORM_ADMIN):
        raise Http404
    form = EnrolmentCodeIssueForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"], is_active=True).first()
        if user is None:
            form.add_error("username", _("There is no active account with this username."))
        else:
            issued = {
                "username": user.get_username(),
                "code": enrolment.enrolment_code_issue(user=user, issued_by=request.user),
            }
    return render(
        request,
        "accounts/enrolment_code_issue.html",
        {"form": form, "issued": issued, "hours": settings.ENROLMENT_CODE_HOURS},
    )


@second_factor_exempt
@login_required
def second_factor_setup_qr(request):
    """The QR code of the authenticator being enrolled, drawn on the server (no script)."""
    if not _may_enrol(request):
        return HttpResponse(status=404)
    device = services.totp_device_pending_for_user(user=request.user)
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = "inline"
    return response


@login_required
def security(request):
    """The person's sign-in security: second factor on or off, recovery codes left."""
    return render(
        request,
        "accounts/security.html",
        {
            "device": services.totp_device_for_user(user=request.user),
            "recovery_left": services.recovery_codes_remaining(user=request.user),
            "required": second_factor_required(request.user, request.session),
            "verified": request.user.is_verified(),
        },
    )


@login_required
@require_POST
def recovery_codes_new(request):
    """Replace the recovery codes (only from a confirmed session: the gate sees to that)."""
    if not request.user.is_verified():
        return redirect("accounts:security")
    codes = services.recovery_codes_reissue(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:security")})


def _with_next(name, request):
    target = reverse(name)
    next_url = _next_url(request)
    return f"{target}?{urlencode({'next': next_url})}" if next_url else target


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in for a locked username: a plain page, 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes, "username": username[:150]}
    return render(request, "registration/locked_out.html", context, status=429)
