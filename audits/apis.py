"""Read-only API over the audit trail for reviewers."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from audits import chain, selectors
from audits.events import EventType
from audits.models import AuditEvent
from audits.services import audit_record
from audits.texts import filters_for_event


class CanViewAudit(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("audits.view_auditevent"))


class AuditCursorPagination(CursorPagination):
    """No COUNT and no OFFSET over millions of events."""

    ordering = ("-occurred_at", "-seq")
    page_size = 50


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("event_type", str, description="An event type (`case.viewed`) or a family (`case`)."),
            OpenApiParameter("case_ref", str, description="A case's reference."),
            OpenApiParameter("actor", str, description="The actor's username, or `system`."),
        ]
    )
)
class EventListApi(ListAPIView):
    permission_classes = [CanViewAudit]
    pagination_class = AuditCursorPagination

    class AuditEventOutputSerializer(serializers.ModelSerializer):
        data = serializers.JSONField(source="data_dict")

        class Meta:
            model = AuditEvent
            fields = list(chain.ROW_FIELDS)

    serializer_class = AuditEventOutputSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.audit_event_list(
            event_type=params.get("event_type"), case_ref=params.get("case_ref"), actor=params.get("actor")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # R17: reading the trail is a consultation like the page's (audits.views.event_list), named by its filters
        # and the events it showed.
        params = request.query_params
        shown = [row["seq"] for row in response.data.get("results", [])]
        audit_record(
            actor=request.user,
            event_type=EventType.AUDIT_VIEWED,
            data={
                "interface": "api",
                "filters": filters_for_event({k: params.get(k) for k in ("event_type", "case_ref", "actor")}),
                "cursor": bool(params.get("cursor")),
                "seqs": [shown[0], shown[-1]] if shown else [],
                "count": len(shown),
            },
        )
        return response


class VerifyApi(APIView):
    permission_classes = [CanViewAudit]

    class AuditVerifyOutputSerializer(serializers.Serializer):
        ok = serializers.BooleanField()
        count = serializers.IntegerField()
        head_hash = serializers.CharField()
        damage = serializers.CharField(allow_null=True)
        first_bad_seq = serializers.IntegerField(allow_null=True)
        detail = serializers.CharField()
        checkpoints_checked = serializers.IntegerField()

    serializer_class = AuditVerifyOutputSerializer

    def get(self, request):
        return Response(self.AuditVerifyOutputSerializer(selectors.audit_verify()).data)
