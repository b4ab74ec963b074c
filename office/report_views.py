"""The data protection office's reports (R23) and case dossiers: deployment records, the annual report (page, PDF
with charts, CSV) and a case's dossier (page and PDF). Objects users may not see answer 404; every file produced
is recorded as a disclosure, every dossier consultation as one (R17).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from office import services
from office.forms import ReportExportForm
from office.reports.annual import ANNUAL_FIGURES, annual_report, month_names
from office.reports.documents import dossier_pdf
from office.reports.dossier import case_dossier
from office.reports.records import RECORD_COLUMNS, deployment_records, planned_cases
from office.services.reports import FORMATS
from oversight import selectors
from oversight.forms import apply_service_errors

REPORTS_PERM = "oversight.view_office_reports"


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


# ---------------------------------------------------------------- reports (R23)


@login_required
@require_GET
def deployment_records_page(request):
    _require(request, REPORTS_PERM)
    year = _year(request)
    records = deployment_records(year=year)
    planned = [p for p in planned_cases() if timezone.localtime(p.start).year == year]
    return render(
        request,
        "office/deployment_records.html",
        {"year": year, "records": records, "columns": RECORD_COLUMNS, "planned": planned},
    )


@login_required
@require_http_methods(["GET", "POST"])
def annual_report_page(request):
    _require(request, REPORTS_PERM)
    form = ReportExportForm(request.POST or None, initial={"year": _year(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("report") == "records":
                content, filename = services.report_records_export(
                    actor=request.user,
                    year=data["year"],
                    justification=data["justification"],
                    recipients=data["recipients"],
                )
                return _download(content, filename, "text/csv")
            content, filename = services.report_annual_export(
                actor=request.user,
                year=data["year"],
                fmt=data["format"],
                justification=data["justification"],
                recipients=data["recipients"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _download(content, filename, FORMATS[data["format"]])
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else _year(request)
    report = annual_report(year=year)
    context = {
        "form": form,
        "report": report,
        "figures": [(label, report.totals[key]) for key, label in ANNUAL_FIGURES],
        "labels": [label for _, label in ANNUAL_FIGURES],
        "months": [
            (name, [report.by_month[m][key] for key, _ in ANNUAL_FIGURES])
            for m, name in enumerate(month_names(year), start=1)
        ],
        "objectives": [
            (report.objective_labels.get(code, code), [row[key] for key, _ in ANNUAL_FIGURES])
            for code, row in report.by_objective.items()
        ],
    }
    return render(request, "office/annual_report.html", context, status=400 if form.is_bound else 200)


# ---------------------------------------------------------------- case dossier


def _dossier_case(request, pk: int):
    # The office's pages: others get the same 404 as for a case they may not see.
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm(REPORTS_PERM):
        raise Http404("No such case.")
    return case


@login_required
@require_GET
def case_dossier_page(request, pk: int):
    case = _dossier_case(request, pk)
    services.case_dossier_record_view(actor=request.user, case=case, fmt="page")  # R17
    return render(request, "office/case_dossier.html", {"dossier": case_dossier(case=case)})


@login_required
@require_GET
def case_dossier_pdf(request, pk: int):
    case = _dossier_case(request, pk)
    content = dossier_pdf(case_dossier(case=case))
    services.case_dossier_record_view(actor=request.user, case=case, fmt="pdf")  # R17
    return _download(content, f"dossier-{case.reference}.pdf", "application/pdf")
