"""Pages of the data protection office: data-subject requests (R21) and what left each case (issue 9, item 6).

Only the office (role dpo_reviewer) sees them; everyone else gets 404, as for any object they may not see.
Services raise ValidationError (shown on the page) for bad input; nothing is half-written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from office import selectors
from office.forms import SubjectItemDecisionForm, SubjectRequestForm
from office.services import subject_requests as services
from oversight import selectors as oversight_selectors
from oversight.roles import Role, user_has_role


def _office_only(request) -> None:
    if not user_has_role(request.user, Role.DPO_REVIEWER):
        raise Http404("No such page.")


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for items in exc.message_dict.values() for m in items]
    return list(exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def subject_request_list(request):
    _office_only(request)
    form = SubjectRequestForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data["photo"]
        try:
            record = services.subject_request_record(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                subject_name=form.cleaned_data["subject_name"],
                details=form.cleaned_data["details"],
                photo=photo.read() if photo else None,
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Request %(number)s recorded; the findings are below.") % {"number": record.pk})
            return redirect("office:subject_request_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "errors": errors, "requests": selectors.subject_request_list_for_user(user=request.user)}
    return render(request, "office/subject_request_list.html", context, status=status)


def _render_detail(request, record, *, errors=(), status=200):
    return render(
        request,
        "office/subject_request_detail.html",
        {
            "record": record,
            "items": selectors.subject_request_findings(request=record),
            "decision_form": SubjectItemDecisionForm(),
            "errors": list(errors),
        },
        status=status,
    )


@login_required
@require_GET
def subject_request_detail(request, pk: int):
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    services.subject_request_record_view(actor=request.user, request=record)  # R17
    return _render_detail(request, record)


@login_required
@require_POST
def subject_request_item_decide(request, pk: int, item_id: int):
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    item = get_object_or_404(record.items, pk=item_id)
    form = SubjectItemDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a decision."))
        services.subject_request_item_decide(actor=request.user, item=item, **form.cleaned_data)
    except ValidationError as exc:
        return _render_detail(request, record, errors=_errors(exc), status=400)
    return redirect("office:subject_request_detail", pk=record.pk)


@login_required
@require_http_methods(["GET", "POST"])
def subject_request_carry_out(request, pk: int):
    """GET: what carrying out the request will do, with Confirm and Cancel; POST: carry it out."""
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        if record.status != "open":
            return redirect("office:subject_request_detail", pk=record.pk)
        items = selectors.subject_request_findings(request=record)
        return render(
            request,
            "office/subject_request_confirm.html",
            {
                "record": record,
                "items": items,
                "undecided": sum(1 for item in items if item.decision == "pending"),
                "erases": any(item.decision == "erase" for item in items),
            },
        )
    try:
        services.subject_request_carry_out(actor=request.user, request=record)
    except ValidationError as exc:
        return _render_detail(request, record, errors=_errors(exc), status=400)
    messages.success(request, _("The decisions were carried out and recorded."))
    return redirect("office:subject_request_detail", pk=record.pk)


@login_required
@require_POST
def subject_restriction_lift(request, pk: int, item_id: int):
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    item = get_object_or_404(record.items, pk=item_id)
    try:
        services.subject_restriction_lift(actor=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _render_detail(request, record, errors=_errors(exc), status=400)
    return redirect("office:subject_request_detail", pk=record.pk)


@login_required
@require_GET
def case_deletions(request, pk: int):
    """What left this case, when and by which rule: for the office (the case row and counts always remain)."""
    _office_only(request)
    case = oversight_selectors.case_get_for_user(user=request.user, pk=pk)
    records = selectors.case_deletion_records(case=case)
    return render(request, "office/case_deletions.html", {"case": case, "records": records})
