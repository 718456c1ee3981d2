"""The REST API under /api/, one namespace "api" (names never shadow the HTML pages'), put
together from each app's endpoints so that no app has to import another's."""

from django.urls import include, path

from statuses.api import StatusListView

app_name = "api"

urlpatterns = [
    path("", include("applications.api.urls")),
    path("statuses/", StatusListView.as_view(), name="status-list"),
    path("", include("councils.api.urls")),
]
