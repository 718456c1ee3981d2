from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/attach/", views.application_attach, name="application-attach"),
    path(
        "applications/<int:pk>/files/<int:document_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("applications/<int:pk>/chart.svg", views.application_chart, name="application-chart"),
    path("flows/application/chart/", views.flow_chart, name="flow-chart"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("orders/new/", views.order_prepare, name="order-prepare"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
]
