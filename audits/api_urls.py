from django.urls import path

from audits import apis

urlpatterns = [
    path("events/", apis.EventListApi.as_view(), name="api-audit-events"),
    path("verify/", apis.VerifyApi.as_view(), name="api-audit-verify"),
]
