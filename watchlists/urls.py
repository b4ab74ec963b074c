from django.urls import path

from watchlists import views

app_name = "watchlists"
urlpatterns = [
    path("cases/<int:case_pk>/persons/<int:person_pk>/photos/", views.photo_upload, name="photo_upload"),
    path(
        "cases/<int:case_pk>/persons/<int:person_pk>/photos/<int:photo_pk>/image",
        views.photo_image,
        name="photo_image",
    ),
    path(
        "cases/<int:case_pk>/persons/<int:person_pk>/photos/<int:photo_pk>/remove",
        views.photo_remove,
        name="photo_remove",
    ),
]
