"""Pages: alerts at /alerts/."""

from django.urls import path

from recognition import recording_views, views

app_name = "recognition"
urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/crop.jpg", views.alert_crop, name="alert_crop"),
    path("alerts/<int:pk>/reference/<int:photo_pk>/", views.alert_reference_photo, name="alert_reference_photo"),
    path("alerts/<int:pk>/review/", views.alert_review, name="alert_review"),
    path("alerts/<int:pk>/outcome/", views.alert_outcome, name="alert_outcome"),
    # R24: the recordings of a post-event case.
    path("cases/<int:pk>/recordings/", recording_views.case_recordings, name="case_recordings"),
    path("recordings/<int:pk>/capture-time/", recording_views.recording_capture_time, name="recording_capture_time"),
]
