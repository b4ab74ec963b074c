from django.urls import path

from oversight import apis

urlpatterns = [
    path("cases/", apis.CaseListApi.as_view(), name="api-cases-list"),
    path("cases/create/", apis.CaseCreateApi.as_view(), name="api-cases-create"),
    path("cases/<int:pk>/", apis.CaseDetailApi.as_view(), name="api-cases-detail"),
    path("cases/<int:pk>/update/", apis.CaseUpdateDraftApi.as_view(), name="api-cases-update"),
    path("cases/<int:pk>/submit/", apis.CaseSubmitApi.as_view(), name="api-cases-submit"),
    path("cases/<int:pk>/start-urgent/", apis.CaseStartUrgentApi.as_view(), name="api-cases-start-urgent"),
    path("cases/<int:pk>/decide/", apis.CaseDecideApi.as_view(), name="api-cases-decide"),
    path("cases/<int:pk>/vote/", apis.CaseVoteApi.as_view(), name="api-cases-vote"),
    path("cases/<int:pk>/revoke/", apis.CaseRevokeApi.as_view(), name="api-cases-revoke"),
    path("cases/<int:pk>/withdraw/", apis.CaseWithdrawApi.as_view(), name="api-cases-withdraw"),
    path("cases/<int:pk>/close/", apis.CaseCloseApi.as_view(), name="api-cases-close"),
    path("cases/<int:pk>/persons/add/", apis.CasePersonAddApi.as_view(), name="api-cases-persons-add"),
    path(
        "cases/<int:pk>/persons/<int:person_id>/remove/",
        apis.CasePersonRemoveApi.as_view(),
        name="api-cases-persons-remove",
    ),
    path("cases/<int:pk>/cameras/add/", apis.CaseCameraAddApi.as_view(), name="api-cases-cameras-add"),
    path(
        "cases/<int:pk>/cameras/<int:camera_id>/remove/",
        apis.CaseCameraRemoveApi.as_view(),
        name="api-cases-cameras-remove",
    ),
    path("cameras/", apis.CameraListApi.as_view(), name="api-cameras-list"),
    path("cameras/create/", apis.CameraCreateApi.as_view(), name="api-cameras-create"),
    path("cameras/<int:pk>/update/", apis.CameraUpdateApi.as_view(), name="api-cameras-update"),
    path("objectives/", apis.ObjectiveListApi.as_view(), name="api-objectives-list"),
    path("objectives/<str:code>/enable/", apis.ObjectiveEnableApi.as_view(), name="api-objectives-enable"),
    path("objectives/<str:code>/disable/", apis.ObjectiveDisableApi.as_view(), name="api-objectives-disable"),
]
