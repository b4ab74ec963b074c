from django.urls import path

from recognition import apis, recording_apis

urlpatterns = [
    path("alerts/", apis.AlertListApi.as_view(), name="api-alerts-list"),
    path("alerts/<int:pk>/", apis.AlertDetailApi.as_view(), name="api-alerts-detail"),
    path("alerts/<int:pk>/review/", apis.AlertReviewApi.as_view(), name="api-alerts-review"),
    path("alerts/<int:pk>/outcome/", apis.AlertOutcomeApi.as_view(), name="api-alerts-outcome"),
    # R24: recordings of post-event searches, uploaded in chunks.
    path("cases/<int:case_id>/recordings/", recording_apis.CaseRecordingsApi.as_view(), name="api-case-recordings"),
    path("recordings/<int:pk>/", recording_apis.RecordingDetailApi.as_view(), name="api-recordings-detail"),
    path(
        "recordings/<int:pk>/chunks/<int:offset>/",
        recording_apis.RecordingChunkApi.as_view(),
        name="api-recordings-chunk",
    ),
    path(
        "recordings/<int:pk>/complete/", recording_apis.RecordingCompleteApi.as_view(), name="api-recordings-complete"
    ),
    path(
        "recordings/<int:pk>/capture-time/",
        recording_apis.RecordingCaptureTimeApi.as_view(),
        name="api-recordings-capture-time",
    ),
]
