"""Pages of the data protection office: data-subject requests (R21) and what left each case.

Only the office (role dpo_reviewer) sees them; everyone else gets 404, as for any object they may not see.
Services raise ValidationError (shown on the page) for bad input; nothing is half-written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from office import selectors
from office.forms import SubjectGroupDecisionForm, SubjectItemDecisionForm, SubjectRequestForm
from office.services import subject_requests as services
from office.services.subject_answer import subject_answer_pdf
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
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Request %(number)s recorded; the findings are below.") % {"number": record.pk})
            return redirect("office:subject_request_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "errors": errors, "requests": selectors.subject_request_list_for_user(user=request.user)}
    return render(request, "office/subject_request_list.html", context, status=status)


# What a request of each kind usually decides: offered first, never applied without a click.
_USUAL_DECISION = {"access": "disclose", "erasure": "erase", "restriction": "restrict", "rectification": "no_action"}


def _render_detail(request, record, *, errors=(), status=200):
    groups = selectors.subject_request_groups(request=record)
    return render(
        request,
        "office/subject_request_detail.html",
        {
            "record": record,
            "groups": groups,
            "findings": sum(len(g.items) for g in groups),
            "undecided": sum(g.undecided for g in groups),
            "decision_form": SubjectItemDecisionForm(initial={"decision": _USUAL_DECISION.get(record.kind)}),
            "group_form": SubjectGroupDecisionForm(initial={"decision": _USUAL_DECISION.get(record.kind)}),
            "group_all": services.GROUP_ALL,
            "errors": list(errors),
        },
        status=status,
    )


def _wants_json(request) -> bool:
    """The page's script (static/js/subject-request.js) asks for JSON; a plain form post gets a page."""
    return "application/json" in request.headers.get("Accept", "")


def _state(record) -> dict:
    """What the page's script needs to show every decision in place, without a reload."""
    groups = selectors.subject_request_groups(request=record)
    return {
        "undecided": sum(g.undecided for g in groups),
        "findings": sum(len(g.items) for g in groups),
        "groups": [{"key": g.key, "summary": ", ".join(f"{label}: {n}" for label, n in g.decisions)} for g in groups],
        "items": [
            {
                "id": item.pk,
                "decision": item.decision,
                "text": str(item.get_decision_display())
                + (f" — {item.reasons}" if item.reasons else "")
                + (f" ({_('own decision')})" if item.decided_individually else ""),
            }
            for g in groups
            for item in g.items
        ],
    }


def _decided(request, record, *, anchor: str = ""):
    if _wants_json(request):
        return JsonResponse(_state(record))
    return redirect(reverse("office:subject_request_detail", args=[record.pk]) + (f"#{anchor}" if anchor else ""))


def _refused(request, record, exc: ValidationError):
    if _wants_json(request):
        return JsonResponse({"errors": _errors(exc)}, status=400)
    return _render_detail(request, record, errors=_errors(exc), status=400)


@login_required
@require_GET
def subject_request_detail(request, pk: int):
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    services.subject_request_record_view(actor=request.user, request=record)  # R17
    return _render_detail(request, record)


@login_required
@require_GET
def subject_request_status(request, pk: int):
    """The face search's state, for the page to update itself (polled by static/js/subject-request.js). Reading a
    state and a count is no consultation of the findings: nothing is recorded."""
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    words = {"queued": _("queued"), "done": _("done"), "failed": _("failed")}
    return JsonResponse(
        {
            "face_search": record.face_search,
            "text": str(words.get(record.face_search, record.face_search))
            + (f": {record.face_search_note}" if record.face_search_note else ""),
            "findings": record.items.count(),
        }
    )


@login_required
@require_POST
def subject_request_item_decide(request, pk: int, item_id: int):
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    item = get_object_or_404(record.items, pk=item_id)
    form = SubjectItemDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a decision."))
        data = form.cleaned_data
        services.subject_request_item_decide(
            actor=request.user,
            item=item,
            decision=data["decision"],
            reasons=data["reasons"],
            rectification={"full_name": data["full_name"], "category": data["category"]},
        )
    except ValidationError as exc:
        return _refused(request, record, exc)
    return _decided(request, record, anchor=f"item-{item.pk}")


@login_required
@require_POST
def subject_request_items_decide(request, pk: int):
    """One decision for a group of findings, or for all of them (items decided one by one keep theirs)."""
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    form = SubjectGroupDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a decision."))
        services.subject_request_items_decide(actor=request.user, request=record, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, record, exc)
    return _decided(request, record, anchor=request.POST.get("anchor", "")[:40])


@login_required
@require_GET
def subject_request_answer(request, pk: int):
    """The answer to the person (R21, LED Art. 14): what is held about them, why, for how long and where it came
    from, as a PDF in the language recorded with the request. Producing it is a disclosure (R17)."""
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    data = subject_answer_pdf(actor=request.user, request=record)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-request-{record.pk}-{record.language}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def subject_request_carry_out(request, pk: int):
    """GET: what carrying out the request will do, with Confirm and Cancel; POST: carry it out."""
    record = selectors.subject_request_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        if record.status != "open":
            return redirect("office:subject_request_detail", pk=record.pk)
        groups = selectors.subject_request_groups(request=record)
        return render(
            request,
            "office/subject_request_confirm.html",
            {
                "record": record,
                "groups": groups,
                "undecided": sum(g.undecided for g in groups),
                "erases": any(item.decision == "erase" for g in groups for item in g.items),
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
