"""REST API for alerts: list, detail (a consultation, R17), review (R14) and the outcome after verification (R23)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from oversight.models.text import FREE_TEXT_MAX_LENGTH
from recognition import selectors, services
from recognition.models import Alert, AlertReview


class AlertOutput(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference")
    person_name = serializers.CharField(source="person.full_name")
    camera_name = serializers.CharField(source="camera.name")

    class Meta:
        model = Alert
        fields = [
            "id",
            "case_id",
            "case_reference",
            "person_id",
            "person_name",
            "camera_id",
            "camera_name",
            "captured_at",
            "frame_index",
            "last_seen_at",
            "frames_matched",
            "closed_at",
            "distance",
            "threshold",
            "watchlist_version",
            "status",
            "created_at",
            "outcome",
            "outcome_recorded_at",
        ]


def _answer_with_consultation(request, alert: Alert) -> Response:
    """The alert as it is now. The answer names the person found, so it is a consultation (R17), recorded as the
    detail API records one: the answer to a review or an outcome discloses exactly what a detail answer does."""
    alert = selectors.alert_get_for_user(user=request.user, pk=alert.pk)
    services.alert_record_view(actor=request.user, alert=alert, interface="api", basis=alert.access_basis)
    return Response(AlertOutput(alert).data)


class AlertListApi(APIView):
    # Declared on the view so the schema documents the paginated object the view answers.
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # bounded limit and offset (config.pagination)

    @extend_schema(responses=AlertOutput(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.alert_list_for_user(user=request.user), request, view=self)
        # R17: the answer names the persons found: one consultation per request, naming the alerts shown.
        services.alert_list_record_view(
            actor=request.user, alerts=page, interface="api", filters=request.query_params.dict(), total=paginator.count
        )
        return paginator.get_paginated_response(AlertOutput(page, many=True).data)


class AlertDetailApi(APIView):
    @extend_schema(responses=AlertOutput)
    def get(self, request, pk: int):
        alert = selectors.alert_get_for_user(user=request.user, pk=pk)
        services.alert_record_view(actor=request.user, alert=alert, interface="api", basis=alert.access_basis)
        return Response(AlertOutput(alert).data)


class AlertReviewApi(APIView):
    class InputSerializer(serializers.Serializer):
        verdict = serializers.ChoiceField(choices=AlertReview.Verdict.choices)
        note = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=AlertOutput)
    def post(self, request, pk: int):
        alert = selectors.alert_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_review(actor=request.user, alert=alert, **data.validated_data)
        return _answer_with_consultation(request, alert)


class AlertOutcomeApi(APIView):
    class AlertOutcomeInput(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=Alert.Outcome.choices)
        note = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")

    @extend_schema(request=AlertOutcomeInput, responses=AlertOutput)
    def post(self, request, pk: int):
        alert = selectors.alert_get_for_user(user=request.user, pk=pk)
        data = self.AlertOutcomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_record_outcome(actor=request.user, alert=alert, **data.validated_data)
        return _answer_with_consultation(request, alert)
