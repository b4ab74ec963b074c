"""REST API for cases, cameras and objectives: one small view per operation (HackSoft style).

Each view parses input with its own serializer, finds the case with
case_get_for_user (404 for cases the user may not see), and calls one
service; services raise ValidationError (400, naming the field) or
PermissionDenied (403, a visible case where the action is not the user's).
Session authentication: DRF enforces CSRF on every unsafe method.
"""

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from oversight import selectors, services
from oversight.models import CASE_DRAFT_FIELDS, Camera, Case, Objective, Person
from oversight.models.text import FREE_TEXT_MAX_LENGTH


def has_model_perm(perm: str) -> type[BasePermission]:
    class HasModelPerm(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    HasModelPerm.__name__ = f"Has_{perm.replace('.', '_')}"
    return HasModelPerm


def _case(request, pk: int) -> Case:
    return selectors.case_get_for_user(user=request.user, pk=pk)


# ---------------------------------------------------------------- outputs shared by several views


class CaseSummaryOutput(serializers.ModelSerializer):
    objective = serializers.CharField(source="objective_id")
    requester = serializers.CharField(source="requester.username")

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "objective",
            "requester",
            "unit",
            "authority",
            "is_urgent",
            "requested_start",
            "requested_end",
            "approved_start",
            "approved_end",
            "created_at",
        ]


class CaseActionOutput(serializers.ModelSerializer):
    """What an action answers: the new state, without the case's personal data (no consultation)."""

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "is_urgent",
            "urgent_started_at",
            "approved_start",
            "approved_end",
            "approved_threshold",
            "data_deletion_due_at",
        ]


def _action_response(case: Case, code=status.HTTP_200_OK) -> Response:
    return Response(CaseActionOutput(case).data, status=code)


class CaseDraftInput(serializers.ModelSerializer):
    """A draft's fields, derived from CASE_DRAFT_FIELDS and the model; related objects by their key.

    Types are checked here; every rule (enabled objective, a judge's role, the window) in the service.
    """

    class Meta:
        model = Case
        fields = list(CASE_DRAFT_FIELDS)
        # The service applies MATCH_THRESHOLD_DEFAULT when none is given.
        extra_kwargs = {"match_threshold": {"required": False, "allow_null": True}}

    def build_relational_field(self, field_name, relation_info):
        key = relation_info.related_model._meta.pk
        field_class = serializers.CharField if isinstance(key, models.CharField) else serializers.IntegerField
        return field_class, {
            "required": not relation_info.model_field.blank,
            "allow_null": relation_info.model_field.null,
        }


class ScopeInput(serializers.Serializer):
    """A decision's or vote's scope: omitted fields mean "as requested"; it may only narrow."""

    granted = serializers.BooleanField()
    reasons = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    threshold = serializers.FloatField(required=False, allow_null=True, default=None)
    person_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)
    camera_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, default=None)
    # R24: a post-event search's footage may be narrowed to a shorter capture-time range.
    capture_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    capture_end = serializers.DateTimeField(required=False, allow_null=True, default=None)


# ---------------------------------------------------------------- cases


class CaseListApi(APIView):
    # Declared on the view so the schema documents the paginated object the view answers.
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # bounded limit and offset (config.pagination)

    @extend_schema(responses=CaseSummaryOutput(many=True), operation_id="cases_list")
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.case_list_for_user(user=request.user), request, view=self)
        # R17: the answer names many cases' requesters and units: one consultation per request.
        services.case_list_record_view(
            actor=request.user, cases=page, interface="api", filters=request.query_params.dict(), total=paginator.count
        )
        return paginator.get_paginated_response(CaseSummaryOutput(page, many=True).data)


class CaseCreateApi(APIView):
    class CaseCreatePersonInput(serializers.Serializer):
        full_name = serializers.CharField(max_length=200)
        category = serializers.ChoiceField(choices=Person.Category.choices)
        reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)

    class CaseCreateCameraInput(serializers.Serializer):
        camera_id = serializers.IntegerField()
        reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)

    class CaseCreateInput(CaseDraftInput):
        persons = serializers.ListField(child=serializers.DictField(), required=False, default=list)
        cameras = serializers.ListField(child=serializers.DictField(), required=False, default=list)

        class Meta(CaseDraftInput.Meta):
            fields = [*CaseDraftInput.Meta.fields, "persons", "cameras"]

    @extend_schema(request=CaseCreateInput, responses={201: CaseActionOutput}, operation_id="cases_create")
    def post(self, request):
        serializer = self.CaseCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # Nested rows are checked by type here and by rule in the service (R3, R5).
        persons = self._rows(self.CaseCreatePersonInput, data.pop("persons"), "persons")
        cameras = self._rows(self.CaseCreateCameraInput, data.pop("cameras"), "cameras")
        case = services.case_create(actor=request.user, persons=persons, cameras=cameras, **data)
        return _action_response(case, status.HTTP_201_CREATED)

    @staticmethod
    def _rows(serializer_class, rows, field):
        serializer = serializer_class(data=rows, many=True)
        if not serializer.is_valid():
            # Named like the service names them: persons[0].category
            raise serializers.ValidationError(
                {
                    f"{field}[{i}].{name}": errors
                    for i, row in enumerate(serializer.errors)
                    for name, errors in row.items()
                }
            )
        return serializer.validated_data


class CaseDetailApi(APIView):
    class CaseDetailPersonOutput(serializers.ModelSerializer):
        class Meta:
            model = Person
            fields = ["id", "full_name", "category", "reason", "in_scope", "created_at"]

    class CaseDetailCameraOutput(serializers.Serializer):
        camera_id = serializers.IntegerField()
        name = serializers.CharField(source="camera.name")
        location_label = serializers.CharField(source="camera.location_label")
        reason = serializers.CharField()
        in_scope = serializers.BooleanField()

    class CaseDetailDecisionOutput(serializers.Serializer):
        decided_by = serializers.CharField(source="decided_by.username")
        granted = serializers.BooleanField()
        reasons = serializers.CharField()
        scope_start = serializers.DateTimeField(allow_null=True)
        scope_end = serializers.DateTimeField(allow_null=True)
        scope_threshold = serializers.FloatField(allow_null=True)
        scope_person_ids = serializers.ListField(child=serializers.IntegerField())
        scope_camera_ids = serializers.ListField(child=serializers.IntegerField())
        created_at = serializers.DateTimeField()

    class CaseDetailVoteOutput(CaseDetailDecisionOutput):
        decided_by = None
        member = serializers.CharField(source="member.username")

    class CaseDetailOutput(serializers.ModelSerializer):
        objective = serializers.CharField(source="objective_id")
        requester = serializers.CharField(source="requester.username")
        assigned_judge = serializers.CharField(source="assigned_judge.username", allow_null=True, default=None)
        revoked_by = serializers.CharField(source="revoked_by.username", allow_null=True, default=None)
        impact_assessment_attached = serializers.SerializerMethodField()
        urgency_ends_at = serializers.DateTimeField(allow_null=True)
        persons = serializers.SerializerMethodField()
        cameras = serializers.SerializerMethodField()
        decision = serializers.SerializerMethodField()
        votes = serializers.SerializerMethodField()

        class Meta:
            model = Case
            fields = [
                "id",
                "reference",
                "status",
                "requester",
                "unit",
                *(name for name in CASE_DRAFT_FIELDS if name != "impact_assessment"),
                "approved_start",
                "approved_end",
                "approved_threshold",
                "impact_assessment_attached",
                "is_urgent",
                "urgency_reason",
                "urgent_started_at",
                "urgency_ends_at",
                "created_at",
                "submitted_at",
                "decided_at",
                "revoked_at",
                "revoked_by",
                "revocation_reason",
                "ended_at",
                "closed_at",
                "data_deletion_due_at",
                "persons",
                "cameras",
                "decision",
                "votes",
            ]

        def get_impact_assessment_attached(self, case) -> bool:
            return bool(case.impact_assessment)

        def get_persons(self, case) -> list[dict]:
            return CaseDetailApi.CaseDetailPersonOutput(case.persons.all(), many=True).data

        def get_cameras(self, case) -> list[dict]:
            return CaseDetailApi.CaseDetailCameraOutput(case.case_cameras.all(), many=True).data

        def get_decision(self, case) -> dict | None:
            decision = getattr(case, "decision", None)
            return CaseDetailApi.CaseDetailDecisionOutput(decision).data if decision else None

        def get_votes(self, case) -> list[dict]:
            return CaseDetailApi.CaseDetailVoteOutput(case.votes.all(), many=True).data

    @extend_schema(responses=CaseDetailOutput, operation_id="cases_retrieve")
    def get(self, request, pk: int):
        case = _case(request, pk)
        services.case_record_view(actor=request.user, case=case, interface="api")  # R17
        detail = selectors.case_detail(case=case)
        return Response(self.CaseDetailOutput(detail).data)


class CaseUpdateDraftApi(APIView):
    @extend_schema(request=CaseDraftInput(partial=True), responses=CaseActionOutput, operation_id="cases_update_draft")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = CaseDraftInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        case = services.case_update_draft(actor=request.user, case=case, **serializer.validated_data)
        return _action_response(case)


class CaseSubmitApi(APIView):
    @extend_schema(request=None, responses=CaseActionOutput, operation_id="cases_submit")
    def post(self, request, pk: int):
        case = services.case_submit(actor=request.user, case=_case(request, pk))
        return _action_response(case)


class CaseStartUrgentApi(APIView):
    class CaseStartUrgentInput(serializers.Serializer):
        urgency_reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, allow_blank=True)

    @extend_schema(request=CaseStartUrgentInput, responses=CaseActionOutput, operation_id="cases_start_urgent")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = self.CaseStartUrgentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_start_urgent(actor=request.user, case=case, **serializer.validated_data)
        return _action_response(case)


class CaseDecideApi(APIView):
    @extend_schema(request=ScopeInput, responses=CaseActionOutput, operation_id="cases_decide")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = ScopeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_decide(actor=request.user, case=case, **serializer.validated_data)
        return _action_response(case)


class CaseVoteApi(APIView):
    @extend_schema(request=ScopeInput, responses=CaseActionOutput, operation_id="cases_vote")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = ScopeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_vote(actor=request.user, case=case, **serializer.validated_data)
        return _action_response(case)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class CaseRevokeApi(APIView):
    @extend_schema(request=ReasonInput, responses=CaseActionOutput, operation_id="cases_revoke")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = ReasonInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_revoke(actor=request.user, case=case, **serializer.validated_data)
        return _action_response(case)


class CaseWithdrawApi(APIView):
    @extend_schema(request=ReasonInput, responses=CaseActionOutput, operation_id="cases_withdraw")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = ReasonInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_withdraw(actor=request.user, case=case, **serializer.validated_data)
        return _action_response(case)


class CaseCloseApi(APIView):
    @extend_schema(request=None, responses=CaseActionOutput, operation_id="cases_close")
    def post(self, request, pk: int):
        case = services.case_close(actor=request.user, case=_case(request, pk))
        return _action_response(case)


class CasePersonAddApi(APIView):
    class CasePersonAddInput(serializers.Serializer):
        full_name = serializers.CharField(max_length=200)
        category = serializers.ChoiceField(choices=Person.Category.choices)
        reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)

    class CasePersonOutput(serializers.ModelSerializer):
        class Meta:
            model = Person
            fields = ["id", "full_name", "category", "reason", "in_scope"]

    @extend_schema(request=CasePersonAddInput, responses={201: CasePersonOutput}, operation_id="cases_persons_add")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = self.CasePersonAddInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.case_person_add(actor=request.user, case=case, **serializer.validated_data)
        return Response(self.CasePersonOutput(person).data, status=status.HTTP_201_CREATED)


class CasePersonRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None}, operation_id="cases_persons_remove")
    def post(self, request, pk: int, person_id: int):
        services.case_person_remove(actor=request.user, case=_case(request, pk), person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseCameraAddApi(APIView):
    class CaseCameraAddInput(serializers.Serializer):
        camera_id = serializers.IntegerField()
        reason = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH, allow_blank=True)

    @extend_schema(request=CaseCameraAddInput, responses={201: None}, operation_id="cases_cameras_add")
    def post(self, request, pk: int):
        case = _case(request, pk)
        serializer = self.CaseCameraAddInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_camera_add(actor=request.user, case=case, **serializer.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class CaseCameraRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None}, operation_id="cases_cameras_remove")
    def post(self, request, pk: int, camera_id: int):
        services.case_camera_remove(actor=request.user, case=_case(request, pk), camera_id=camera_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- cameras (platform_admin)


class CameraOutput(serializers.ModelSerializer):
    class Meta:
        model = Camera
        fields = [
            "id",
            "name",
            "location_label",
            "latitude",
            "longitude",
            "enabled",
            "created_at",
            "last_frame_at",
            "analysed_fps",
            "last_error",
            "last_error_at",
        ]


class CameraAdminOutput(CameraOutput):
    """Administrators also see the source (it may hold stream credentials)."""

    class Meta(CameraOutput.Meta):
        fields = [*CameraOutput.Meta.fields, "source"]


class CameraListItemOutput(CameraAdminOutput):
    """The documented shape of /api/cameras/: `source` is present for administrators only."""

    source = serializers.CharField(required=False, help_text=gettext_lazy("Present for administrators only."))

    class Meta(CameraAdminOutput.Meta):
        pass


class CameraListApi(APIView):
    permission_classes = [IsAuthenticated, has_model_perm("oversight.view_camera")]

    @extend_schema(responses=CameraListItemOutput(many=True), operation_id="cameras_list")
    def get(self, request):
        output = CameraAdminOutput if request.user.has_perm("oversight.change_camera") else CameraOutput
        return Response(output(selectors.camera_list(), many=True).data)


class CameraInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    location_label = serializers.CharField(max_length=200)
    source = serializers.CharField(max_length=500)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    enabled = serializers.BooleanField(required=False, default=True)


class CameraCreateApi(APIView):
    # 403 for anyone but an administrator, whatever the body (the permission comes before the input's checks).
    permission_classes = [IsAuthenticated, has_model_perm("oversight.add_camera")]

    @extend_schema(request=CameraInput, responses={201: CameraAdminOutput}, operation_id="cameras_create")
    def post(self, request):
        serializer = CameraInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        camera = services.camera_create(actor=request.user, **serializer.validated_data)
        return Response(CameraAdminOutput(camera).data, status=status.HTTP_201_CREATED)


class CameraUpdateApi(APIView):
    permission_classes = [IsAuthenticated, has_model_perm("oversight.change_camera")]

    class CameraUpdateInput(CameraInput):
        name = serializers.CharField(max_length=100, required=False)
        location_label = serializers.CharField(max_length=200, required=False)
        source = serializers.CharField(max_length=500, required=False)
        enabled = serializers.BooleanField(required=False)

    @extend_schema(request=CameraUpdateInput, responses=CameraAdminOutput, operation_id="cameras_update")
    def post(self, request, pk: int):
        camera = get_object_or_404(Camera, pk=pk)
        serializer = self.CameraUpdateInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        camera = services.camera_update(actor=request.user, camera=camera, **serializer.validated_data)
        return Response(CameraAdminOutput(camera).data)


# ---------------------------------------------------------------- objectives (R1)


class ObjectiveOutput(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["code", "label", "description", "enabled"]


class ObjectiveListApi(APIView):
    permission_classes = [IsAuthenticated, has_model_perm("oversight.view_objective")]

    @extend_schema(responses=ObjectiveOutput(many=True), operation_id="objectives_list")
    def get(self, request):
        return Response(ObjectiveOutput(selectors.objective_list(), many=True).data)


class ObjectiveEnableApi(APIView):
    permission_classes = [IsAuthenticated, has_model_perm("oversight.change_objective")]
    enabled = True

    @extend_schema(request=None, responses=ObjectiveOutput, operation_id="objectives_enable")
    def post(self, request, code: str):
        objective = services.objective_set_enabled(actor=request.user, code=code, enabled=self.enabled)
        return Response(ObjectiveOutput(objective).data)


class ObjectiveDisableApi(ObjectiveEnableApi):
    enabled = False

    @extend_schema(request=None, responses=ObjectiveOutput, operation_id="objectives_disable")
    def post(self, request, code: str):
        return super().post(request, code)
