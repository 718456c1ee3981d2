from django.urls import path

from . import views

urlpatterns = [
    path("statuses/<int:pk>/", views.status_detail, name="status-detail"),
    path("statuses/<int:pk>/renew/", views.status_renew, name="status-renew"),
    path("statuses/<int:pk>/act/", views.status_action, name="status-action"),
    path("duties/<int:pk>/", views.duty_detail, name="duty-detail"),
    path("dashboard/", views.dashboard, name="status-dashboard"),
    path("network-reports/", views.network_reports, name="network-reports"),
    path("network-reports/<int:pk>/", views.network_report_detail, name="network-report-detail"),
    path("network-reports/<int:pk>.xlsx", views.network_report_xlsx, name="network-report-xlsx"),
    path("registry/", views.registry, name="registry"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("public/registry/", views.public_registry, name="public-registry"),
    path(
        "public/registry.<str:fmt>",
        views.public_registry_export,
        name="public-registry-export",
    ),
]

urlpatterns += [
    path("agreements/", views.agreements_to_sign, name="agreements-to-sign"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement-sign"),
    path("agreements/<int:pk>/paper/", views.agreement_paper, name="agreement-paper"),
    path("statuses/<int:pk>/partners/", views.agreement_partner_add, name="agreement-partner-add"),
]
