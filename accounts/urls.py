"""Sign-in security pages, under /accounts/."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/setup/", views.second_factor_setup, name="second_factor_setup"),
    path("second-factor/setup/qr.svg", views.second_factor_setup_qr, name="second_factor_setup_qr"),
    path("second-factor/recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
    path("second-factor/enrolment-code/", views.enrolment_code, name="enrolment_code"),
    path("enrolment-codes/", views.enrolment_code_issue, name="enrolment_code_issue"),
    path("security/", views.security, name="security"),
]
