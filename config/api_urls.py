"""The REST API under /api/, one namespace "api" (names never shadow the HTML pages'), put
together from each app's endpoints so that no app has to import another's."""

from django.urls import include, path

from library import api as library
from statuses.api import StatusListView
from yearwork import api as yearwork

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
    path("work-plans/", yearwork.WorkPlanListView.as_view(), name="work-plan-list"),
    path("work-plans/<int:pk>/", yearwork.WorkPlanDetailView.as_view(), name="work-plan-detail"),
    path(
        "work-plans/<int:pk>/items/",
        yearwork.WorkPlanItemAddView.as_view(),
        name="work-plan-item-add",
    ),
    path(
        "work-plans/<int:pk>/items/done/",
        yearwork.WorkPlanItemDoneView.as_view(),
        name="work-plan-item-done",
    ),
    path(
        "work-plans/<int:pk>/participation/",
        yearwork.ParticipationView.as_view(),
        name="work-plan-participation",
    ),
    path(
        "work-plans/<int:pk>/submit/",
        yearwork.WorkPlanSubmitView.as_view(),
        name="work-plan-submit",
    ),
    path("assignments/", yearwork.AssignmentListView.as_view(), name="assignment-list"),
    path(
        "assignments/<int:pk>/", yearwork.AssignmentDetailView.as_view(), name="assignment-detail"
    ),
    path(
        "assignments/<int:pk>/report/",
        yearwork.AssignmentReportView.as_view(),
        name="assignment-report",
    ),
    path(
        "assignments/<int:pk>/close/",
        yearwork.AssignmentCloseView.as_view(),
        name="assignment-close",
    ),
    path(
        "assignments/<int:pk>/cancel/",
        yearwork.AssignmentCancelView.as_view(),
        name="assignment-cancel",
    ),
]
