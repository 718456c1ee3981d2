"""REST API of applications, orders and tasks (mounted under /api/ by config/api_urls.py)."""

from django.urls import path

from documents.api import VersionDownloadView

from . import views

urlpatterns = [
    path("applications/", views.ApplicationListCreateView.as_view(), name="application-list"),
    path(
        "applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application-detail"
    ),
    path(
        "applications/<int:pk>/attachments/",
        views.ApplicationAttachView.as_view(),
        name="application-attachments",
    ),
    path(
        "applications/<int:pk>/submit/",
        views.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<int:pk>/order/",
        views.ApplicationOrderDraftView.as_view(),
        name="application-order",
    ),
    path(
        "applications/<int:pk>/order/sign/",
        views.ApplicationOrderSignView.as_view(),
        name="application-order-sign",
    ),
    path("programmes/<int:pk>/form/", views.ProgramFormView.as_view(), name="program-form"),
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/sign/", views.OrderSignView.as_view(), name="order-sign"),
    path(
        "documents/<int:pk>/versions/<int:number>/download/",
        VersionDownloadView.as_view(),
        name="document-download",
    ),
    path("tasks/", views.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<int:pk>/claim/", views.TaskClaimView.as_view(), name="task-claim"),
    path("tasks/<int:pk>/complete/", views.TaskCompleteView.as_view(), name="task-complete"),
]
