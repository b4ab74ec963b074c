from django.urls import path

from audits import views

app_name = "audits"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<int:seq>/", views.event_detail, name="event_detail"),
    path("verify/", views.verify, name="verify"),
    path("export/", views.export, name="export"),
]
