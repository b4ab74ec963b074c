from django.urls import path

from office import apis

urlpatterns = [
    path("deployment-records/", apis.DeploymentRecordListApi.as_view(), name="api-office-deployment-records"),
    path("annual-report/", apis.AnnualReportApi.as_view(), name="api-office-annual-report"),
]
