"""REST API of the data protection office's reports (R23), for its own tools: the deployment records and the annual
report of a year, as numbers (no formatting, no personal data: cases by reference, cameras by name). Office role
only; everyone else gets 403, as for the pages."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from office.reports.annual import ANNUAL_FIGURES, annual_report
from office.reports.figures import OUTCOME_FIGURES, rate
from office.reports.records import DeploymentRecord, deployment_records
from oversight.roles import Role, user_has_role


class IsOffice(BasePermission):
    message = "Only the data protection office reads its reports."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and user_has_role(request.user, Role.DPO_REVIEWER))


class YearInput(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2000, max_value=9999, required=False, help_text="The year (local time); this year if left out."
    )


class YearRefusedOutput(serializers.Serializer):
    year = serializers.ListField(child=serializers.CharField(), help_text="Why the year was refused, in words.")


YEAR_REFUSED = OpenApiResponse(YearRefusedOutput, description="The year was refused (not a number from 2000 to 9999).")


def _year(request) -> int:
    data = YearInput(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data.get("year") or timezone.localdate().year


class DeploymentRecordOutput(serializers.Serializer):
    reference = serializers.CharField(source="case.reference")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="The case's real end, or now while it runs.")
    running = serializers.BooleanField(source="ongoing")
    duration_hours = serializers.SerializerMethodField()
    objective = serializers.CharField(source="case.objective_id")
    authority = serializers.CharField(source="case.authority")
    urgent = serializers.SerializerMethodField()
    deployments = serializers.SerializerMethodField()
    cameras = serializers.SerializerMethodField()
    locations = serializers.SerializerMethodField()
    watchlist_size = serializers.IntegerField(source="values.watchlist_size")
    threshold = serializers.FloatField(source="values.threshold")
    figures = serializers.SerializerMethodField()
    false_rate_per_face = serializers.SerializerMethodField()
    false_rate_per_alert = serializers.SerializerMethodField()

    def get_duration_hours(self, record: DeploymentRecord) -> float:
        return round((record.end - record.start).total_seconds() / 3600, 4)

    def get_urgent(self, record: DeploymentRecord) -> bool:
        return record.case.urgent_started_at is not None

    def get_deployments(self, record: DeploymentRecord) -> list[str]:
        return sorted({d.name for link in record.camera_links for d in link.camera.deployments.all()})

    def get_cameras(self, record: DeploymentRecord) -> list[str]:
        return [link.camera.name for link in record.camera_links]

    def get_locations(self, record: DeploymentRecord) -> list[str]:
        return sorted({link.camera.location_label for link in record.camera_links})

    def get_figures(self, record: DeploymentRecord) -> dict[str, int]:
        """faces_processed, alerts, alerts_verified, alerts_false, alerts_pending and the outcomes."""
        keys = ("faces_processed", "alerts", "alerts_verified", "alerts_false", "alerts_pending")
        return {key: int(record.usage.get(key, 0)) for key in (*keys, *(k for k, _label in OUTCOME_FIGURES))}

    def get_false_rate_per_face(self, record: DeploymentRecord) -> float | None:
        return rate(record.usage["alerts_false"], record.usage["faces_processed"])

    def get_false_rate_per_alert(self, record: DeploymentRecord) -> float | None:
        return rate(record.usage["alerts_false"], record.usage["alerts"])


class DeploymentRecordListApi(APIView):
    permission_classes = [IsOffice]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # bounded limit and offset (config.pagination)

    @extend_schema(parameters=[YearInput], responses=DeploymentRecordOutput(many=True))
    def get(self, request):
        records = deployment_records(year=_year(request))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(records, request, view=self)
        return paginator.get_paginated_response(DeploymentRecordOutput(page, many=True).data)


class AnnualReportOutput(serializers.Serializer):
    class AnnualMonthOutput(serializers.Serializer):
        month = serializers.IntegerField(min_value=1, max_value=12)
        figures = serializers.DictField(child=serializers.FloatField())

    class AnnualObjectiveOutput(serializers.Serializer):
        objective = serializers.CharField()
        label = serializers.CharField()
        figures = serializers.DictField(child=serializers.FloatField())

    year = serializers.IntegerField()
    totals = serializers.DictField(child=serializers.FloatField(), help_text="Every figure of the year, by code.")
    by_month = AnnualMonthOutput(many=True)
    by_objective = AnnualObjectiveOutput(many=True)
    durations = serializers.DictField(child=serializers.FloatField())
    cameras = serializers.ListField(child=serializers.CharField())
    locations = serializers.ListField(child=serializers.CharField())
    false_rate_per_face = serializers.FloatField(allow_null=True)
    false_rate_per_alert = serializers.FloatField(allow_null=True)


class AnnualReportApi(APIView):
    permission_classes = [IsOffice]

    @extend_schema(parameters=[YearInput], responses={200: AnnualReportOutput, 400: YEAR_REFUSED})
    def get(self, request):
        report = annual_report(year=_year(request))
        keys = [key for key, _label in ANNUAL_FIGURES]

        def figures(row: dict) -> dict:
            return {key: row[key] for key in keys if key in row}

        return Response(
            AnnualReportOutput(
                {
                    "year": report.year,
                    "totals": figures(report.totals),
                    "by_month": [{"month": m, "figures": figures(row)} for m, row in sorted(report.by_month.items())],
                    "by_objective": [
                        {
                            "objective": code,
                            "label": str(report.objective_labels.get(code, code)),
                            "figures": figures(row),
                        }
                        for code, row in report.by_objective.items()
                    ],
                    "durations": report.durations,
                    "cameras": report.cameras,
                    "locations": report.locations,
                    "false_rate_per_face": rate(report.totals["alerts_false"], report.totals["faces_processed"]),
                    "false_rate_per_alert": rate(report.totals["alerts_false"], report.totals["alerts"]),
                }
            ).data
        )
