"""Pages: cases at /cases/, the camera registry at /cameras/, deployments at /deployments/, the office's inbox and
reports at /office/, objectives at /objectives/."""

from django.urls import path

from oversight import admin_views, office_views, report_views, subject_views, views

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
    path("cases/<int:pk>/deletions/", subject_views.case_deletions, name="case_deletions"),
    path("subject-requests/", subject_views.subject_request_list, name="subject_request_list"),
    path("subject-requests/<int:pk>/", subject_views.subject_request_detail, name="subject_request_detail"),
    path(
        "subject-requests/<int:pk>/items/<int:item_id>/decide/",
        subject_views.subject_request_item_decide,
        name="subject_request_item_decide",
    ),
    path(
        "subject-requests/<int:pk>/items/<int:item_id>/lift/",
        subject_views.subject_restriction_lift,
        name="subject_restriction_lift",
    ),
    path(
        "subject-requests/<int:pk>/carry-out/",
        subject_views.subject_request_carry_out,
        name="subject_request_carry_out",
    ),
    path("cameras/", admin_views.camera_list, name="camera_list"),
    path("cameras/new/", admin_views.camera_create, name="camera_create"),
    path("cameras/<int:pk>/edit/", admin_views.camera_edit, name="camera_edit"),
    path("cases/<int:pk>/dossier/", report_views.case_dossier_page, name="case_dossier"),
    path("cases/<int:pk>/dossier.pdf", report_views.case_dossier_pdf, name="case_dossier_pdf"),
    path("deployments/", office_views.deployment_list, name="deployment_list"),
    path("deployments/new/", office_views.deployment_create, name="deployment_create"),
    path("deployments/<int:pk>/", office_views.deployment_detail, name="deployment_detail"),
    path("deployments/<int:pk>/opinion/", office_views.deployment_opinion, name="deployment_opinion"),
    path("deployments/<int:pk>/cameras/", office_views.deployment_cameras, name="deployment_cameras"),
    path("deployments/<int:pk>/opinion-document/", office_views.deployment_document, name="deployment_document"),
    path("office/notifications/", office_views.notification_list, name="notification_list"),
    path("office/notifications/<int:pk>/read/", office_views.notification_read, name="notification_read"),
    path("office/deployment-records/", report_views.deployment_records_page, name="deployment_records"),
    path("office/annual-report/", report_views.annual_report_page, name="annual_report"),
    path("objectives/", admin_views.objective_list, name="objective_list"),
    path("objectives/<str:code>/toggle/", admin_views.objective_toggle, name="objective_toggle"),
]
