from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views
from accounts.middleware import second_factor_exempt
from config import views

# The API explorer: Swagger UI from the project's static files (drf-spectacular-sidecar), its start-up script served
# as a file by the split view, so the page needs no other origin and no inline script; only its icons are data: URLs.
api_docs = csp_update({"img-src": ["data:"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", second_factor_exempt(views.healthz), name="healthz"),
    path("accounts/login/", second_factor_exempt(accounts_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", second_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/", include("accounts.urls")),
    # The language switch works before and during sign-in too.
    path("i18n/setlang/", second_factor_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("audits/", include("audits.urls")),
    path("", include("oversight.urls")),
    path("", include("office.urls")),
    path("", include("recognition.urls")),
    path("", include("watchlists.urls")),
    # The public transparency register (R23): no sign-in.
    path("", include("transparency.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/audits/", include("audits.api_urls")),
    path("api/office/", include("office.api_urls")),
    path("api/", include("oversight.api_urls")),
    path("api/", include("recognition.api_urls")),
    path("api/", include("watchlists.api_urls")),
]

handler400 = "config.views.error_400"
handler404 = "config.views.error_404"
handler500 = "config.views.error_500"
