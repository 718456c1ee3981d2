"""The REST API under /api/, one namespace "api" (names never shadow the HTML pages'), put
together from each app's endpoints so that no app has to import another's."""

from django.urls import include, path

from library import api as library
from statuses.api import StatusListView

app_name = "api"

urlpatterns = [
    path("", include("applications.api.urls")),
    path("statuses/", StatusListView.as_view(), name="status-list"),
    path("", include("councils.api.urls")),
    path("practices/", library.PracticeListCreateView.as_view(), name="practice-list"),
    path("practices/<int:pk>/", library.PracticeDetailView.as_view(), name="practice-detail"),
    path(
        "practices/<int:pk>/review/", library.PracticeReviewView.as_view(), name="practice-review"
    ),
    path(
        "practices/<int:pk>/revise/", library.PracticeReviseView.as_view(), name="practice-revise"
    ),
    path(
        "practices/<int:pk>/withdraw/",
        library.PracticeWithdrawView.as_view(),
        name="practice-withdraw",
    ),
    path("public/practices/", library.CatalogueView.as_view(), name="practice-catalogue"),
    path(
        "public/practices/<int:pk>/",
        library.CataloguePracticeView.as_view(),
        name="practice-public",
    ),
]
