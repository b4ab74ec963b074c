"""HTML pages of the platform administrators: cameras and the legal objectives (R1).

Model permissions decide (403 otherwise); services record every change in the audit trail.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oversight import selectors, services
from oversight.forms import CameraForm, apply_service_errors
from oversight.models import Camera, case_field_label
from oversight.wording import error_messages

# ---------------------------------------------------------------- cameras (platform_admin)


def _require_model_perm(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
@require_GET
def camera_list(request):
    _require_model_perm(request, "oversight.view_camera")
    return render(
        request,
        "oversight/camera_list.html",
        {
            "cameras": selectors.camera_list(),
            "can_manage": request.user.has_perm("oversight.change_camera"),
            "can_add": request.user.has_perm("oversight.add_camera"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def camera_create(request):
    _require_model_perm(request, "oversight.add_camera")
    form = CameraForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            camera = services.camera_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Camera %(name)s registered.") % {"name": camera.name})
            return redirect("oversight:camera_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "oversight/camera_form.html", {"form": form, "camera": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def camera_edit(request, pk: int):
    _require_model_perm(request, "oversight.change_camera")
    camera = get_object_or_404(Camera, pk=pk)
    initial = {f: getattr(camera, f) for f in ("name", "location_label", "latitude", "longitude", "source", "enabled")}
    form = CameraForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if camera.enabled and not form.cleaned_data["enabled"] and request.POST.get("confirm_disable") != "1":
            # Disabling stops every scan of this camera at once: ask first, on a page of its own.
            return render(request, "oversight/camera_disable_confirm.html", {"form": form, "camera": camera})
        try:
            camera = services.camera_update(actor=request.user, camera=camera, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Camera %(name)s saved.") % {"name": camera.name})
            return redirect("oversight:camera_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "oversight/camera_form.html", {"form": form, "camera": camera}, status=status)


# ---------------------------------------------------------------- objectives (R1)


@login_required
@require_GET
def objective_list(request):
    _require_model_perm(request, "oversight.view_objective")
    return render(
        request,
        "oversight/objective_list.html",
        {"objectives": selectors.objective_list(), "can_manage": request.user.has_perm("oversight.change_objective")},
    )


@login_required
@require_POST
def objective_toggle(request, code: str):
    enabled = request.POST.get("enabled") == "1"
    try:
        objective = services.objective_set_enabled(actor=request.user, code=code, enabled=enabled)
    except ValidationError as exc:
        raise Http404(error_messages(exc, labels={"objective": case_field_label("objective")})[0]) from None
    if objective.enabled:
        messages.success(request, _("Objective %(code)s is enabled.") % {"code": objective.code})
    else:
        messages.success(request, _("Objective %(code)s is disabled.") % {"code": objective.code})
    return redirect("oversight:objective_list")
