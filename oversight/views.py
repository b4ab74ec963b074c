"""HTML pages for cases (cameras and objectives: oversight.admin_views).

The same rules as the API: case_get_for_user answers 404 for cases the user
may not see; services raise PermissionDenied (403) for actions that are not
the user's and ValidationError (shown next to the field) for bad input.
Every page that shows a case's details records a consultation (R17).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oversight import registry, selectors, services
from oversight.conditions import condition_words
from oversight.forms import (
    CaseCameraForm,
    CaseForm,
    CaseListFilterForm,
    PersonForm,
    ReasonForm,
    ScopeForm,
    UrgentStartForm,
    apply_service_errors,
)
from oversight.models import CASE_DRAFT_FIELDS, case_field_label
from oversight.services._common import status_word
from oversight.wording import (
    ACCESS_BASIS_LABELS,
    case_use_words,
    error_messages,
    footage_progress,
    without_requirement_codes,
)

# ---------------------------------------------------------------- helpers

# What a page calls each field of the request when an error names it (translated when the page is shown).
CASE_FIELD_LABELS = {name: case_field_label(name) for name in CASE_DRAFT_FIELDS}


def _case(request, pk: int):
    return selectors.case_get_for_user(user=request.user, pk=pk)


def _consult(request, case, part: str = "details") -> None:
    services.case_record_view(actor=request.user, case=case, interface="page", part=part)  # R17


def _require_perm(case, codename: str, message: str) -> None:
    if codename not in case.perms:
        raise PermissionDenied(message)


# Why the user sees the case (selectors.case_access_basis), as the case page says it.


def _render_detail(request, case, *, status: int = 200, errors: list[str] | None = None, **forms):
    """The detail page, with any bound forms that failed (their errors shown in place)."""
    _consult(request, case)
    detail = selectors.case_detail(case=case)
    actions = selectors.case_actions_for_user(user=request.user, case=detail, perms=case.perms)
    photo_states = registry.case_photo_states(detail)
    persons = list(detail.persons.all())
    for person in persons:
        person.photo_states = photo_states.get(person.pk, [])
    lacking_a_face = [p for p in persons if not _has_ready_face(p.photo_states)]
    figures = registry.case_usage([detail]).get(detail.pk, {})
    context = {
        "case": detail,
        "persons": persons,
        # While a face is still being computed, static/js/photo-status.js polls case_photo_status.
        "photos_pending": any(s.status == "pending" for states in photo_states.values() for s in states),
        # Submission needs a ready face for every person: the button says so before anyone presses it.
        "faces_missing": [p.full_name for p in lacking_a_face],
        "faces_only_pending": all(any(s.status == "pending" for s in p.photo_states) for p in lacking_a_face),
        "alert_counts": {
            "total": figures.get("alerts", 0),
            "pending": figures.get("alerts_pending", 0),
            "verified": figures.get("alerts_verified", 0),
            "rejected": figures.get("alerts_false", 0),
        },
        "footage": footage_progress(figures) if detail.is_post_event else None,
        "actions": actions,
        "request_rows": selectors.case_request_rows(case=detail),
        "use_words": case_use_words(detail, now=timezone.now()),
        # The office's opinion and its conditions, shown to requesters and judges alike.
        "deployments": selectors.case_deployments(case=detail),
        "can_read_dossier": request.user.has_perm("oversight.view_office_reports"),
        "access_basis": case.access_basis,
        "access_basis_label": ACCESS_BASIS_LABELS.get(case.access_basis, case.access_basis),
        "person_form": forms.get("person_form") or PersonForm(),
        "camera_form": forms.get("camera_form") or CaseCameraForm(case=detail),
        "revoke_form": forms.get("revoke_form") or ReasonForm(prefix="revoke"),
        "withdraw_form": forms.get("withdraw_form") or ReasonForm(prefix="withdraw"),
        "action_errors": errors or [],
    }
    return render(request, "oversight/case_detail.html", context, status=status)


def _has_ready_face(states) -> bool:
    return any(s.status == "ready" for s in states)


def _messages_of(exc: ValidationError, case=None) -> list[str]:
    """A service's errors in plain words: the person or camera by name, never a key like persons[0].full_name."""
    person_names, camera_names = _names_of(case)
    return error_messages(exc, person_names=person_names, camera_names=camera_names, labels=CASE_FIELD_LABELS)


def _names_of(case) -> tuple[list[str], list[str]]:
    # The case's own persons and cameras, in the order a service lists them (by id).
    if case is None:
        return [], []
    persons = [p.full_name for p in case.persons.order_by("id")]
    cameras = [link.camera.name for link in case.case_cameras.select_related("camera").order_by("id")]
    return persons, cameras


def _file_not_kept(form, files) -> None:
    """A browser never refills a file field, and the server does not hold a document of a request that was not
    saved: say plainly that the chosen file must be chosen again."""
    if files.get("impact_assessment") and "impact_assessment" not in form.errors:
        form.add_error(
            "impact_assessment",
            _("The file you chose was not kept, because another field needs correcting: choose the file again."),
        )


def _warn_if_start_in_past(request, start) -> None:
    """A start typed in the browser is read in the site's time zone; say so when it lies in the past."""
    if start is not None and start < timezone.now():
        messages.warning(
            request,
            _("The start you gave, %(start)s (%(time_zone)s time), is in the past: the window would begin before now.")
            % {"start": _when(start), "time_zone": settings.TIME_ZONE},
        )


def _when(moment) -> str:
    """A moment in the site's time zone, in the format of the page's language."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _status_message(case) -> str:
    return _("%(reference)s is %(status)s.") % {"reference": case.reference, "status": status_word(case.status)}


# ---------------------------------------------------------------- cases


CASE_LIST_PAGE_SIZE = 25


@login_required
@require_GET
def case_list(request):
    filters = CaseListFilterForm(request.GET or None)
    # A malformed filter is dropped on its own; the others still apply (the form says which one was ignored).
    chosen = filters.valid_values()
    cases = selectors.case_list_filtered_for_user(user=request.user, **chosen)
    page = Paginator(cases, CASE_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # R17: the list names cases (and through them persons sought): one consultation per page shown.
    services.case_list_record_view(
        actor=request.user,
        cases=page.object_list,
        interface="page",
        filters={k: v for k, v in chosen.items() if v},
        total=page.paginator.count,
    )
    return render(
        request,
        "oversight/case_list.html",
        {
            "cases": page.object_list,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "filtered": any(chosen.get(k) for k in ("status", "objective", "awaiting_me", "mine")),
            "can_create": request.user.has_perm("oversight.add_case"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    if not request.user.has_perm("oversight.add_case"):
        raise PermissionDenied(_("Only requesters may draft cases."))
    form = CaseForm(request.POST or None, request.FILES or None, requester=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Draft %(reference)s created: add the persons and cameras.") % {"reference": case.reference}
            )
            _warn_if_start_in_past(request, case.requested_start)
            return redirect("oversight:case_detail", pk=case.pk)
    if request.method == "POST":
        _file_not_kept(form, request.FILES)
    status = 400 if request.method == "POST" else 200
    return render(request, "oversight/case_form.html", {"form": form, "case": None}, status=status)


@login_required
@require_GET
def case_detail(request, pk: int):
    return _render_detail(request, _case(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case = _case(request, pk)
    _require_perm(case, "change_case", _("Only the requester may edit this case."))
    if case.status != case.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("oversight:case_detail", pk=case.pk)
    form = CaseForm(
        request.POST or None, request.FILES or None, requester=case.requester, initial=CaseForm.initial_for(case)
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "impact_assessment" or v is not None}
        try:
            services.case_update_draft(actor=request.user, case=case, **changes)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            _warn_if_start_in_past(request, changes.get("requested_start"))
            return redirect("oversight:case_detail", pk=case.pk)
    else:
        _consult(request, case, part="edit_form")
    if request.method == "POST":
        _file_not_kept(form, request.FILES)
    status = 400 if request.method == "POST" else 200
    return render(request, "oversight/case_form.html", {"form": form, "case": case}, status=status)


@login_required
@require_POST
def case_person_add(request, pk: int):
    case = _case(request, pk)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            services.case_person_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("oversight:case_detail", pk=case.pk)
    else:
        _require_perm(case, "change_case", _("Only the requester may change this case."))
    return _render_detail(request, case, status=400, person_form=form)


def _remove_confirm_page(request, case, *, title: str, consequence: str, button: str, action_url: str):
    """Taking a person or a camera off a draft asks first, on a page of its own (GET); only its form (POST) acts."""
    _require_perm(case, "change_case", _("Only the requester may change this case."))
    if case.status != case.Status.DRAFT:
        messages.info(request, _("Only a draft can be changed."))
        return redirect("oversight:case_detail", pk=case.pk)
    # The page names the person or camera: a consultation like the case page's (R17).
    _consult(request, case, part="remove_form")
    context = {
        "case": case,
        "title": title,
        "consequence": consequence,
        "button": button,
        "action_url": action_url,
        "form": None,
        "action_errors": [],
    }
    return render(request, "oversight/case_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_person_remove(request, pk: int, person_id: int):
    case = _case(request, pk)
    if request.method == "GET":
        person = get_object_or_404(case.persons, pk=person_id)
        words = {"name": person.full_name, "reference": case.reference}
        return _remove_confirm_page(
            request,
            case,
            title=_("Remove %(name)s from %(reference)s") % words,
            consequence=_(
                "%(name)s is taken off the draft %(reference)s, with the reason given and every reference photo of "
                "this person. To search for the person again, add them anew."
            )
            % words,
            button=_("Yes, remove the person"),
            action_url=request.path,
        )
    try:
        services.case_person_remove(actor=request.user, case=case, person_id=person_id)
    except ValidationError as exc:
        return _render_detail(request, case, status=400, errors=_messages_of(exc, case))
    return redirect("oversight:case_detail", pk=case.pk)


@login_required
@require_POST
def case_camera_add(request, pk: int):
    case = _case(request, pk)
    form = CaseCameraForm(request.POST)
    if form.is_valid():
        try:
            services.case_camera_add(
                actor=request.user, case=case, camera_id=form.cleaned_data["camera"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("oversight:case_detail", pk=case.pk)
    else:
        _require_perm(case, "change_case", _("Only the requester may change this case."))
    return _render_detail(request, case, status=400, camera_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def case_camera_remove(request, pk: int, camera_id: int):
    case = _case(request, pk)
    if request.method == "GET":
        link = get_object_or_404(case.case_cameras.select_related("camera"), camera_id=camera_id)
        words = {"name": link.camera.name, "reference": case.reference}
        return _remove_confirm_page(
            request,
            case,
            title=_("Remove camera %(name)s from %(reference)s") % words,
            consequence=_(
                "The camera %(name)s is taken off the draft %(reference)s, with the reason given for it. "
                "You can add it again later."
            )
            % words,
            button=_("Yes, remove the camera"),
            action_url=request.path,
        )
    try:
        services.case_camera_remove(actor=request.user, case=case, camera_id=camera_id)
    except ValidationError as exc:
        return _render_detail(request, case, status=400, errors=_messages_of(exc, case))
    return redirect("oversight:case_detail", pk=case.pk)


def _simple_action(request, pk: int, action, **kwargs):
    case = _case(request, pk)
    try:
        case = action(actor=request.user, case=case, **kwargs)
    except ValidationError as exc:
        return _render_detail(request, case, status=400, errors=_messages_of(exc, case))
    messages.success(request, _status_message(case))
    return redirect("oversight:case_detail", pk=case.pk)


@login_required
@require_POST
def case_submit(request, pk: int):
    return _simple_action(request, pk, services.case_submit)


# Irreversible actions: the case page links to a confirmation page (GET) that says what will happen; only its
# form (POST) acts. No JavaScript is needed, so the confirmation holds with scripts off (CSP allows none inline).
CONFIRMATIONS = {
    "close": {
        "title": gettext_lazy("Close %(reference)s"),
        "consequence": gettext_lazy(
            "Closing ends the case for good: it cannot be reopened, edited or submitted again."
        ),
        "button": gettext_lazy("Yes, close the case"),
        "too_late": gettext_lazy("%(reference)s can no longer be closed."),
        "form": None,
    },
    "withdraw": {
        "title": gettext_lazy("Withdraw %(reference)s"),
        "consequence": gettext_lazy(
            "Withdrawing stops any matching at once and ends the request for good; "
            "it cannot be resubmitted. Data of an urgent use is then deleted."
        ),
        "button": gettext_lazy("Yes, withdraw the request"),
        "too_late": gettext_lazy("%(reference)s can no longer be withdrawn."),
        "form": "withdraw",
    },
    "revoke": {
        "title": gettext_lazy("Revoke %(reference)s"),
        "consequence": gettext_lazy(
            "Revoking stops matching on every camera of this case at once; it cannot be undone. "
            "Give the reason: it is recorded and shown to the requester."
        ),
        "button": gettext_lazy("Yes, revoke the authorisation"),
        "too_late": gettext_lazy("%(reference)s can no longer be revoked."),
        "form": "revoke",
    },
}


def _confirm_page(request, case, action: str, *, form=None, status: int = 200, errors=None):
    if action not in selectors.case_actions_for_user(user=request.user, case=case, perms=case.perms):
        if case.perms & {"change_case", "decide_case", "vote_case"} or request.user.pk == case.requester_id:
            messages.info(request, CONFIRMATIONS[action]["too_late"] % {"reference": case.reference})
            return redirect("oversight:case_detail", pk=case.pk)
        raise PermissionDenied(_("This action is not yours to take on this case."))
    spec = CONFIRMATIONS[action]
    if form is None and spec["form"]:
        form = ReasonForm(prefix=spec["form"])
    context = {
        "case": case,
        "action": action,
        "title": spec["title"] % {"reference": case.reference},
        "consequence": spec["consequence"],
        "button": spec["button"],
        "form": form,
        "action_errors": errors or [],
    }
    return render(request, "oversight/case_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request, pk: int):
    if request.method == "GET":
        return _confirm_page(request, _case(request, pk), "close")
    return _simple_action(request, pk, services.case_close)


@login_required
@require_http_methods(["GET", "POST"])
def case_withdraw(request, pk: int):
    if request.method == "GET":
        return _confirm_page(request, _case(request, pk), "withdraw")
    form = ReasonForm(request.POST, prefix="withdraw")
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    return _simple_action(request, pk, services.case_withdraw, reason=reason)


@login_required
@require_http_methods(["GET", "POST"])
def case_revoke(request, pk: int):
    case = _case(request, pk)
    if request.method == "GET":
        return _confirm_page(request, case, "revoke")
    form = ReasonForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            case = services.case_revoke(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _status_message(case))
            return redirect("oversight:case_detail", pk=case.pk)
    return _confirm_page(request, case, "revoke", form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def case_start_urgent(request, pk: int):
    case = _case(request, pk)
    _require_perm(case, "change_case", _("Only the requester may start this case."))
    form = UrgentStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_start_urgent(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(reference)s is active until %(end)s (%(time_zone)s time).")
                % {"reference": case.reference, "end": _when(case.urgency_ends_at), "time_zone": settings.TIME_ZONE},
            )
            return redirect("oversight:case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "case": case, "urgency_hours": settings.CASE_URGENCY_HOURS}
    return render(request, "oversight/case_urgent.html", context, status=status)


# What the decision page and the vote page say; the key ("decide", "vote") is also the audit's form name.
SCOPE_PAGES = {
    "decide": {
        "title": pgettext_lazy("page title", "Decide"),
        "heading": gettext_lazy("Decide on %(reference)s"),
        "button": gettext_lazy("Record the decision"),
        "not_yours": gettext_lazy("You may not decide on this case."),
        "done": gettext_lazy("%(reference)s is %(status)s: the decision is taken."),
    },
    "vote": {
        "title": pgettext_lazy("page title", "Vote"),
        "heading": gettext_lazy("Vote on %(reference)s"),
        "button": gettext_lazy("Record my vote"),
        "not_yours": gettext_lazy("You may not vote on this case."),
        "done": gettext_lazy("%(reference)s is %(status)s: a vote is final."),
    },
}


def _scope_page(request, pk: int, *, codename: str, action, kind: str):
    case = _case(request, pk)
    words = SCOPE_PAGES[kind]
    if request.user.pk == case.requester_id:
        raise PermissionDenied(_("You requested this case: you cannot decide or vote on it (R7)."))
    _require_perm(case, codename, str(words["not_yours"]))
    detail = selectors.case_detail(case=case)
    if request.method == "GET" and codename.split("_")[0] not in selectors.case_actions_for_user(
        user=request.user, case=detail, perms=case.perms
    ):
        # The form is offered only while a decision (or this member's vote) is still possible.
        status = case.get_status_display().lower()
        messages.info(request, words["done"] % {"reference": case.reference, "status": status})
        return redirect("oversight:case_detail", pk=case.pk)
    deployments = selectors.case_deployments(case=detail)
    conditions = [text for d in deployments if d.usable for text in d.listed_conditions]
    form = ScopeForm(request.POST or None, case=detail, conditions=conditions)
    if request.method == "POST" and form.is_valid():
        try:
            case = action(actor=request.user, case=case, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded.") + " " + _status_message(case))
            return redirect("oversight:case_detail", pk=case.pk)
    if request.method == "GET":
        _consult(request, case, part=f"{kind}_form")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "case": detail,
        "title": words["title"],
        "heading": words["heading"] % {"reference": case.reference},
        "button": words["button"],
        "deployments": [(d, condition_words(d)) for d in deployments],
    }
    return render(request, "oversight/case_scope.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_decide(request, pk: int):
    return _scope_page(request, pk, codename="decide_case", action=services.case_decide, kind="decide")


@login_required
@require_http_methods(["GET", "POST"])
def case_vote(request, pk: int):
    return _scope_page(request, pk, codename="vote_case", action=services.case_vote, kind="vote")


@login_required
@require_GET
def case_photo_status(request, pk: int):
    """The state of each reference photo of the case (never an image or a name), for the page's polling script."""
    case = _case(request, pk)
    states = registry.case_photo_states(case)
    photos = [
        {
            "id": s.photo_id,
            "person_id": person_id,
            "status": s.status,
            "failure_reason": without_requirement_codes(s.failure_reason),
        }
        for person_id, person_states in states.items()
        for s in person_states
    ]
    return JsonResponse(
        {
            "photos": photos,
            "pending": any(p["status"] == "pending" for p in photos),
            # Every person of the case has a ready face: the page may offer submission.
            "every_person_ready": all(
                _has_ready_face(states.get(pk, ())) for pk in case.persons.values_list("pk", flat=True)
            ),
        }
    )


@login_required
@require_GET
def case_impact_assessment(request, pk: int):
    case = _case(request, pk)
    if not case.impact_assessment:
        raise Http404(_("No impact assessment is attached."))
    _consult(request, case, part="impact_assessment")
    name = case.impact_assessment.name
    content_type = "application/pdf" if name.endswith(".pdf") else "text/plain; charset=utf-8"
    response = FileResponse(case.impact_assessment.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-impact-assessment{name[-4:]}"'
    return response
