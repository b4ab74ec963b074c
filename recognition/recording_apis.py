"""REST API for the recordings of post-event searches (R24): a chunked upload in three calls, and the state.

1. ``POST /api/cases/<case_id>/recordings/`` with the camera, the file's name and size (and a declared capture
   start with its evidence, if the file states none of its own): the recording, ``received_bytes`` 0;
2. ``PUT /api/recordings/<id>/chunks/<offset>/`` with the next bytes (``application/octet-stream``, at most
   ``chunk_bytes``), in order; the answer says how many bytes arrived;
3. ``POST /api/recordings/<id>/complete/`` (optionally the SHA-256 the client computed): the worker then checks the
   file, hashes it and fixes its capture times; ``GET /api/recordings/<id>/`` follows the check and the analysis.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight.models.text import FREE_TEXT_MAX_LENGTH
from oversight.selectors import case_get_for_user
from recognition import selectors
from recognition.models import Recording
from recognition.services import recordings as services


class RecordingOutput(serializers.ModelSerializer):
    camera_name = serializers.CharField(source="camera.name")
    analysed_share = serializers.FloatField(allow_null=True)
    time_left_seconds = serializers.SerializerMethodField()
    chunk_bytes = serializers.SerializerMethodField()

    class Meta:
        model = Recording
        fields = [
            "id",
            "case_id",
            "camera_id",
            "camera_name",
            "file_name",
            "declared_size",
            "received_bytes",
            "chunk_bytes",
            "status",
            "failure_reason",
            "container",
            "codec",
            "duration_seconds",
            "frame_count",
            "width",
            "height",
            "sha256",
            "capture_time_source",
            "capture_start",
            "capture_end",
            "analysed_share",
            "time_left_seconds",
            "analysis_finished_at",
            "created_at",
        ]

    def get_time_left_seconds(self, recording) -> float | None:
        return selectors.recording_time_left_seconds(recording)

    def get_chunk_bytes(self, recording) -> int:
        return settings.RECORDING_CHUNK_BYTES


class _ChunkParser(parsers.BaseParser):
    """The chunk's bytes as they are, read at most one byte past the largest chunk accepted."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(settings.RECORDING_CHUNK_BYTES + 1) if stream is not None else b""


class CaseRecordingsApi(APIView):
    class RecordingCreateInput(serializers.Serializer):
        camera_id = serializers.IntegerField()
        file_name = serializers.CharField(max_length=255)
        size = serializers.IntegerField(min_value=1)
        capture_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
        capture_evidence = serializers.CharField(
            max_length=FREE_TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(responses=RecordingOutput(many=True))
    def get(self, request, case_id: int):
        case = case_get_for_user(user=request.user, pk=case_id)
        return Response(RecordingOutput(selectors.recordings_of_case(case=case), many=True).data)

    @extend_schema(request=RecordingCreateInput, responses={201: RecordingOutput})
    def post(self, request, case_id: int):
        case = case_get_for_user(user=request.user, pk=case_id)
        data = self.RecordingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        recording = services.recording_create(
            actor=request.user,
            case=case,
            camera_id=values["camera_id"],
            file_name=values["file_name"],
            size=values["size"],
            declared_capture_start=values["capture_start"],
            capture_evidence=values["capture_evidence"],
        )
        recording = selectors.recording_get_for_user(user=request.user, pk=recording.pk)
        return Response(RecordingOutput(recording).data, status=status.HTTP_201_CREATED)


class RecordingDetailApi(APIView):
    @extend_schema(responses=RecordingOutput)
    def get(self, request, pk: int):
        return Response(RecordingOutput(selectors.recording_get_for_user(user=request.user, pk=pk)).data)


class RecordingChunkApi(APIView):
    parser_classes = [_ChunkParser]

    @extend_schema(
        request={"application/octet-stream": {"type": "string", "format": "binary"}},
        responses={200: RecordingOutput, 400: OpenApiResponse(description="Out of order, too large, or refused.")},
    )
    def put(self, request, pk: int, offset: int):
        recording = selectors.recording_get_for_user(user=request.user, pk=pk)
        body = request.data if isinstance(request.data, bytes) else b""
        recording = services.recording_chunk_append(
            actor=request.user, recording_id=recording.pk, offset=offset, data=body
        )
        return Response(RecordingOutput(selectors.recording_get_for_user(user=request.user, pk=recording.pk)).data)


class RecordingCompleteApi(APIView):
    class RecordingCompleteInput(serializers.Serializer):
        sha256 = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")

    @extend_schema(request=RecordingCompleteInput, responses=RecordingOutput)
    def post(self, request, pk: int):
        recording = selectors.recording_get_for_user(user=request.user, pk=pk)
        data = self.RecordingCompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.recording_complete(actor=request.user, recording_id=recording.pk, **data.validated_data)
        return Response(RecordingOutput(selectors.recording_get_for_user(user=request.user, pk=recording.pk)).data)


class RecordingCaptureTimeApi(APIView):
    class RecordingCaptureTimeInput(serializers.Serializer):
        capture_start = serializers.DateTimeField()
        capture_evidence = serializers.CharField(max_length=FREE_TEXT_MAX_LENGTH)

    @extend_schema(request=RecordingCaptureTimeInput, responses=RecordingOutput)
    def post(self, request, pk: int):
        recording = selectors.recording_get_for_user(user=request.user, pk=pk)
        data = self.RecordingCaptureTimeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.recording_declare_capture_time(
            actor=request.user,
            recording_id=recording.pk,
            capture_start=data.validated_data["capture_start"],
            evidence=data.validated_data["capture_evidence"],
        )
        return Response(RecordingOutput(selectors.recording_get_for_user(user=request.user, pk=recording.pk)).data)
