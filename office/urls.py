"""The data protection office's pages, at the paths they had before the office had an app of its own (nothing
moved for the browser): deployments and the office's opinion at /deployments/, its inbox and reports at /office/,
a case's dossier and deletions under /cases/<id>/, data-subject requests at /subject-requests/."""

from django.urls import path

from office import office_views, report_views, subject_views

app_name = "office"
urlpatterns = [
    path("cases/<int:pk>/deletions/", subject_views.case_deletions, name="case_deletions"),
    path("subject-requests/", subject_views.subject_request_list, name="subject_request_list"),
    path("subject-requests/<int:pk>/", subject_views.subject_request_detail, name="subject_request_detail"),
    path(
        "subject-requests/<int:pk>/decide/", subject_views.subject_request_items_decide, name="subject_request_decide"
    ),
    path("subject-requests/<int:pk>/status/", subject_views.subject_request_status, name="subject_request_status"),
    path("subject-requests/<int:pk>/answer.pdf", subject_views.subject_request_answer, name="subject_request_answer"),
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
]
