from django.urls import path

from audits import views

app_name = "audits"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<int:seq>/", views.event_detail, name="event_detail"),
    path("verify/", views.verify, name="verify"),
    path("export/", views.export, name="export"),
    path("public-key.pem", views.public_key, name="public_key"),
    path("exports/<int:export_id>/", views.export_detail, name="export_detail"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
]
