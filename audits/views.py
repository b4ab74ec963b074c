"""Pages for data protection office reviewers: browse, verify, export."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audits import chain, selectors, signing
from audits.csvfiles import csv_lines
from audits.events import EventType
from audits.forms import EventFilterForm, ExportForm
from audits.models import AuditCheckpoint, AuditEvent, AuditExport
from audits.services import AuditExportRefused, audit_export_request, audit_record
from audits.services.exports import disclosure_record, export_root
from audits.texts import filters_for_event, texts_for

VIEW_PERM = "audits.view_auditevent"
EXPORT_FIELDS = list(chain.ROW_FIELDS)


def _filter_query(request) -> str:
    """The filters of the current request as a query string, to carry over to the next page or the export."""
    query = request.GET.copy()
    for key in list(query):
        if key not in EventFilterForm.FILTERS:
            query.pop(key)
    return query.urlencode()


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def event_list(request):
    form = EventFilterForm(request.GET)
    page = None
    if form.is_valid():
        filters = form.filters()
        page = selectors.audit_event_page(
            filters=filters,
            older_than=request.GET.get("older"),
            newer_than=request.GET.get("newer"),
            roll_up_batches=True,
        )
        audit_record(
            actor=request.user,
            event_type=EventType.AUDIT_VIEWED,
            data={
                "filters": filters_for_event(filters),
                "cursor": bool(request.GET.get("older") or request.GET.get("newer")),
            },
        )
    # An invalid filter shows its message and no list: never a list that silently ignores part of the question.
    return render(request, "audits/event_list.html", {"form": form, "page": page, "query": _filter_query(request)})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def event_detail(request, seq: int):
    event = get_object_or_404(AuditEvent, seq=seq)
    audit_record(actor=request.user, event_type=EventType.AUDIT_VIEWED, target_ref=f"audits.AuditEvent:{seq}")
    data = json.dumps(event.data_dict, indent=2, ensure_ascii=False)
    # What people typed is on the objects the event references, never in the event (audits.texts).
    context = {"event": event, "data": data, "texts": texts_for(event)}
    return render(request, "audits/event_detail.html", context)


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def verify(request):
    result = selectors.audit_verify()
    checkpoints = AuditCheckpoint.objects.order_by("-seq")[:10]
    cuts = selectors.audit_cut_list()[:10]
    return render(request, "audits/verify.html", {"result": result, "checkpoints": checkpoints, "cuts": cuts})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
@require_http_methods(["GET", "POST"])
def export(request):
    if request.method == "GET":
        # Filters carry over from the browser.
        initial = {k: v for k, v in request.GET.items() if k in EventFilterForm.FILTERS}
        form = ExportForm(initial=initial)
        return render(request, "audits/export.html", {"form": form, **_public_key_context()})
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "audits/export.html", {"form": form}, status=400)
    filters = form.filters()
    if form.cleaned_data["format"] == "verifiable":
        try:
            job = audit_export_request(
                filters=filters,
                justification=form.cleaned_data["justification"],
                recipients=form.cleaned_data["recipients"],
                actor=request.user,
            )
        except AuditExportRefused as exc:
            # The service's refusals are English (commands print them too); the page says them in the reader's language.
            message = _(str(exc))
            form.add_error(None, message[0].upper() + message[1:] + ".")
            return render(request, "audits/export.html", {"form": form}, status=400)
        return redirect("audits:export_detail", export_id=job.pk)
    queryset = selectors.audit_event_list(**filters).order_by("seq")
    with transaction.atomic():
        # The disclosure is recorded before the data leaves (R17).
        disclosure_record(
            actor=request.user,
            event_type=EventType.AUDIT_EXPORTED,
            kind="audit_export",
            fmt=form.cleaned_data["format"],
            justification=form.cleaned_data["justification"],
            recipients=form.cleaned_data["recipients"],
            filters={k: v for k, v in filters.items() if v},
            rows=queryset.count(),
        )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
    if form.cleaned_data["format"] == "json":
        lines = (
            json.dumps(dict(zip(EXPORT_FIELDS, r, strict=True)), default=str, ensure_ascii=False) + "\n" for r in rows
        )
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.jsonl"'
        return response
    # THE platform's CSV (audits.csvfiles): in Czech a byte-order mark, semicolons and Czech dates and numbers.
    response = StreamingHttpResponse(csv_lines(_with_header(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _with_header(rows):
    yield EXPORT_FIELDS
    yield from rows


def _own_export(request, export_id: int) -> AuditExport:
    try:
        return selectors.audit_export_get_for_user(export_id=export_id, user=request.user)
    except AuditExport.DoesNotExist:
        raise Http404(_("No such export.")) from None


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def export_detail(request, export_id: int):
    job = _own_export(request, export_id)
    return render(request, "audits/export_detail.html", {"job": job, **_public_key_context()})


def _public_key_context() -> dict:
    """The platform's public key fingerprint, for the reader to give the recipient through another channel."""
    try:
        return {"key_fingerprint": signing.fingerprint(signing.load_verify_key())}
    except ImproperlyConfigured:
        return {"key_fingerprint": ""}


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def public_key(request):
    """The platform's Ed25519 public key (PEM) that verifies exports and checkpoints offline."""
    try:
        pem = signing.public_key_pem(signing.load_verify_key())
    except ImproperlyConfigured:
        raise Http404(_("No audit key is configured.")) from None
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="audit-public-key.pem"'
    return response


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def export_download(request, export_id: int):
    job = _own_export(request, export_id)
    path = export_root() / f"{job.directory}.zip"
    if job.status != "done" or not job.directory or not path.exists():
        raise Http404(_("The export is not ready."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"audit-export-{job.pk}.zip")
