"""Pages of deployments and of the data protection office: deployments and the office's opinion, and the office's
inbox of notifications (R22). Reports and dossiers are in report_views.

Objects users may not see answer 404; actions that are not theirs 403. Every consultation and every file
produced is recorded (R17).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from office import selectors
from office.forms import DeploymentCamerasForm, DeploymentForm, OpinionForm
from office.services.notifications import notification_mark_read, notification_text
from oversight import services
from oversight.conditions import condition_words
from oversight.forms import apply_service_errors


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


# ---------------------------------------------------------------- deployments


@login_required
@require_GET
def deployment_list(request):
    _require(request, "oversight.view_deployment")
    return render(
        request,
        "office/deployment_list.html",
        {"deployments": selectors.deployment_list(), "can_add": request.user.has_perm("oversight.add_deployment")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_create(request):
    _require(request, "oversight.add_deployment")
    form = DeploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deployment = services.deployment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Deployment %(name)s registered; the office can now give its opinion.") % {"name": deployment.name},
            )
            return redirect("office:deployment_detail", pk=deployment.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "office/deployment_form.html", {"form": form}, status=status)


# The opinion's conditions the platform enforces (oversight.conditions), as the form and the service name them.
OPINION_RULES = ("hours_from", "hours_until", "weekdays", "max_duration_hours", "max_threshold")


def _render_deployment(request, deployment, *, status=200, opinion_form=None, cameras_form=None):
    can_change = request.user.has_perm("oversight.change_deployment")
    can_record = request.user.has_perm("oversight.record_opinion")
    context = {
        "deployment": deployment,
        "enforced": condition_words(deployment),
        "can_record": can_record,
        "can_change": can_change,
        "opinion_form": opinion_form
        or OpinionForm(
            initial={
                "opinion": deployment.opinion,
                "conditions": deployment.conditions,
                **{name: getattr(deployment, name) for name in OPINION_RULES},
            }
        ),
        "cameras_form": cameras_form or DeploymentCamerasForm(initial={"camera_ids": list(deployment.cameras.all())}),
    }
    return render(request, "office/deployment_detail.html", context, status=status)


@login_required
@require_GET
def deployment_detail(request, pk: int):
    return _render_deployment(request, selectors.deployment_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def deployment_opinion(request, pk: int):
    deployment = selectors.deployment_get_for_user(user=request.user, pk=pk)
    _require(request, "oversight.record_opinion")
    form = OpinionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deployment_record_opinion(actor=request.user, deployment=deployment, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Opinion recorded."))
            return redirect("office:deployment_detail", pk=deployment.pk)
    return _render_deployment(request, deployment, status=400, opinion_form=form)


@login_required
@require_POST
def deployment_cameras(request, pk: int):
    deployment = selectors.deployment_get_for_user(user=request.user, pk=pk)
    _require(request, "oversight.change_deployment")
    form = DeploymentCamerasForm(request.POST)
    if form.is_valid():
        try:
            services.deployment_set_cameras(
                actor=request.user, deployment=deployment, camera_ids=form.cleaned_data["camera_ids"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Cameras saved."))
            return redirect("office:deployment_detail", pk=deployment.pk)
    return _render_deployment(request, deployment, status=400, cameras_form=form)


@login_required
@require_GET
def deployment_document(request, pk: int):
    deployment = selectors.deployment_get_for_user(user=request.user, pk=pk)
    if not deployment.opinion_document:
        raise Http404("No document is attached.")
    services.deployment_record_document_view(actor=request.user, deployment=deployment)  # R17
    name = deployment.opinion_document.name
    content_type = "application/pdf" if name.endswith(".pdf") else "text/plain; charset=utf-8"
    response = FileResponse(deployment.opinion_document.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="deployment-{deployment.pk}-opinion{name[-4:]}"'
    return response


# ---------------------------------------------------------------- the office's inbox (R22)


@login_required
@require_GET
def notification_list(request):
    _require(request, "oversight.view_officenotification")
    notifications = selectors.notification_list_for_user(user=request.user)[:200]
    # The stored snapshot is data; its words are rendered now, in the reader's language (R22).
    rows = [(n, notification_text(n)) for n in notifications]
    return render(request, "office/notification_list.html", {"notifications": rows})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect("office:notification_list")
