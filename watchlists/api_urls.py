from django.urls import path

from watchlists import apis

urlpatterns = [
    path("cases/<int:case_pk>/persons/<int:person_pk>/photos/", apis.PhotoListCreateApi.as_view(), name="api-photos"),
]
