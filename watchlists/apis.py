"""API for reference photos: upload (multipart) and list, per person of a case."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight.selectors import case_get_for_user
from watchlists import selectors, services
from watchlists.models import ReferencePhoto


class PhotoOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferencePhoto
        fields = [
            "id",
            "status",
            "failure_reason",
            "source",
            "legal_basis",
            "captured_at",
            "uploaded_at",
            "image_format",
            "width",
            "height",
            "encoded_at",
        ]


class PhotoListCreateApi(APIView):
    parser_classes = [MultiPartParser]

    class PhotoUploadInputSerializer(serializers.Serializer):
        photo = serializers.FileField()
        source = serializers.CharField(max_length=300)
        legal_basis = serializers.CharField(max_length=300)
        captured_at = serializers.DateField()

    def _case_and_person(self, request, case_pk, person_pk):
        case = case_get_for_user(user=request.user, pk=case_pk)
        return case, selectors.person_get_for_case(case=case, person_pk=person_pk)

    @extend_schema(responses=PhotoOutputSerializer(many=True))
    def get(self, request, case_pk: int, person_pk: int):
        case, person = self._case_and_person(request, case_pk, person_pk)
        photos = list(selectors.reference_photo_list(person=person))
        services.reference_photo_list_record_view(
            actor=request.user, case=case, person=person, photos=photos, interface="api"
        )  # R17
        return Response(PhotoOutputSerializer(photos, many=True).data)

    @extend_schema(request=PhotoUploadInputSerializer, responses={201: PhotoOutputSerializer})
    def post(self, request, case_pk: int, person_pk: int):
        _case, person = self._case_and_person(request, case_pk, person_pk)
        serializer = self.PhotoUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        photo = services.reference_photo_upload(
            actor=request.user,
            person=person,
            data=data["photo"].read(settings.UPLOAD_MAX_BYTES + 1),
            source=data["source"],
            legal_basis=data["legal_basis"],
            captured_at=data["captured_at"],
        )
        return Response(PhotoOutputSerializer(photo).data, status=status.HTTP_201_CREATED)
