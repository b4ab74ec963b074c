"""Pages: cases at /cases/, the camera registry at /cameras/, objectives at /objectives/. The office's pages
(deployments, its inbox, reports, dossiers, data-subject requests, deletions) are office.urls, at the same paths."""

from django.urls import path

from oversight import admin_views, views

app_name = "oversight"
urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/persons/add/", views.case_person_add, name="case_person_add"),
    path("cases/<int:pk>/persons/<int:person_id>/remove/", views.case_person_remove, name="case_person_remove"),
    path("cases/<int:pk>/cameras/add/", views.case_camera_add, name="case_camera_add"),
    path("cases/<int:pk>/cameras/<int:camera_id>/remove/", views.case_camera_remove, name="case_camera_remove"),
    path("cases/<int:pk>/submit/", views.case_submit, name="case_submit"),
    path("cases/<int:pk>/urgent/", views.case_start_urgent, name="case_start_urgent"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("cases/<int:pk>/vote/", views.case_vote, name="case_vote"),
    path("cases/<int:pk>/revoke/", views.case_revoke, name="case_revoke"),
    path("cases/<int:pk>/withdraw/", views.case_withdraw, name="case_withdraw"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/photo-status.json", views.case_photo_status, name="case_photo_status"),
    path("cases/<int:pk>/impact-assessment/", views.case_impact_assessment, name="case_impact_assessment"),
    path("cameras/", admin_views.camera_list, name="camera_list"),
    path("cameras/new/", admin_views.camera_create, name="camera_create"),
    path("cameras/<int:pk>/edit/", admin_views.camera_edit, name="camera_edit"),
    path("objectives/", admin_views.objective_list, name="objective_list"),
    path("objectives/<str:code>/toggle/", admin_views.objective_toggle, name="objective_toggle"),
]
