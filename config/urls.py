from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from a URL of ours: the CSP allows no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="docket/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/auth/", include("accounts.api_urls")),
    path("api/", include("config.api_urls")),
    path("notifications/", include("notifications.urls")),
    path("councils/", include("councils.urls")),
    path("", include("documents.urls")),
    path("", include("statuses.urls")),
    path("", include("library.urls")),
    path("", include("communities.urls")),
    path("", include("yearwork.urls")),
    path("", include("surveys.urls")),
    path("", include("annualreports.urls")),
    path("", include("applications.urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
