from django.urls import path

from recognition import apis

urlpatterns = [
    path("alerts/", apis.AlertListApi.as_view(), name="api-alerts-list"),
    path("alerts/<int:pk>/", apis.AlertDetailApi.as_view(), name="api-alerts-detail"),
    path("alerts/<int:pk>/review/", apis.AlertReviewApi.as_view(), name="api-alerts-review"),
    path("alerts/<int:pk>/outcome/", apis.AlertOutcomeApi.as_view(), name="api-alerts-outcome"),
]
