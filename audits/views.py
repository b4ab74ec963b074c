"""Pages for data protection office reviewers: browse, verify, export."""

import csv
import json

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits import chain, selectors
from audits.events import EventType
from audits.forms import EventFilterForm, ExportForm
from audits.models import AuditCheckpoint, AuditEvent
from audits.services import audit_record

VIEW_PERM = "audits.view_auditevent"
EXPORT_FIELDS = list(chain.ROW_FIELDS)


def _filters(form) -> dict:
    if not form.is_valid():
        return {}
    return {k: form.cleaned_data.get(k) or None for k in ("event_type", "case_ref", "actor", "since", "until")}


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def event_list(request):
    form = EventFilterForm(request.GET or None)
    filters = _filters(form) if request.GET else {}
    page = Paginator(selectors.audit_event_list(**filters), 50).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        event_type=EventType.AUDIT_VIEWED,
        data={"filters": {k: str(v) for k, v in filters.items() if v}, "page": page.number},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audits/event_list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def event_detail(request, seq: int):
    event = get_object_or_404(AuditEvent, seq=seq)
    audit_record(actor=request.user, event_type=EventType.AUDIT_VIEWED, target_ref=f"audits.AuditEvent:{seq}")
    data = json.dumps(event.data_dict, indent=2, ensure_ascii=False)
    return render(request, "audits/event_detail.html", {"event": event, "data": data})


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def verify(request):
    result = selectors.audit_verify()
    checkpoints = AuditCheckpoint.objects.order_by("-seq")[:10]
    return render(request, "audits/verify.html", {"result": result, "checkpoints": checkpoints})


class _Echo:
    def write(self, value):
        return value


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
@require_http_methods(["GET", "POST"])
def export(request):
    form = ExportForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "audits/export.html", {"form": form}, status=400 if request.method == "POST" else 200)
    filters = _filters(form)
    queryset = selectors.audit_event_list(**filters).order_by("seq")
    with transaction.atomic():
        # The disclosure is recorded before the data leaves (R17).
        audit_record(
            actor=request.user,
            event_type=EventType.AUDIT_EXPORTED,
            data={
                "filters": {k: str(v) for k, v in filters.items() if v},
                "rows": queryset.count(),
                "justification": form.cleaned_data["justification"],
                "recipients": form.cleaned_data["recipients"],
                "format": form.cleaned_data["format"],
            },
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
    writer = csv.writer(_Echo())
    lines = (writer.writerow(r) for r in _with_header(rows))
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _with_header(rows):
    yield EXPORT_FIELDS
    for row in rows:
        yield [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
