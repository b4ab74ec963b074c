from django.conf import settings
from django.urls import path, re_path

from transparency import views

app_name = "transparency"
LANGUAGE = "(?P<lang>" + "|".join(code for code, _name in settings.LANGUAGES) + ")"

urlpatterns = [
    path("transparency/", views.index, name="index"),
    path("transparency/rules/", views.rules, name="rules"),
    path("transparency/data/", views.data, name="data"),
    re_path(rf"^transparency/{LANGUAGE}/$", views.index_lang, name="index_lang"),
    re_path(rf"^transparency/{LANGUAGE}/rules/$", views.rules_lang, name="rules_lang"),
    re_path(rf"^transparency/{LANGUAGE}/data/$", views.data_lang, name="data_lang"),
    path("transparency/deployments.csv", views.data_file, {"name": "deployments.csv"}, name="csv"),
    path("transparency/deployments.json", views.data_file, {"name": "deployments.json"}, name="json"),
    path(
        "transparency/deployments.csv.sig",
        views.data_file,
        {"name": "deployments.csv", "signature": True},
        name="csv_signature",
    ),
    path(
        "transparency/deployments.json.sig",
        views.data_file,
        {"name": "deployments.json", "signature": True},
        name="json_signature",
    ),
    path("transparency/platform-public-key.pem", views.public_key, name="public_key"),
    path("transparency/verify_export.py", views.verifier, name="verifier"),
    path("transparency/withholdings/", views.withholding_list, name="withholding_list"),
    path("transparency/withholdings/case/<int:case_id>/", views.withhold, name="withhold"),
    path("transparency/withholdings/<int:pk>/lift/", views.withholding_lift, name="withholding_lift"),
]
