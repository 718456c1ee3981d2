from django.urls import path

from . import views

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="document-verify"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path(
        "documents/<int:pk>/versions/<int:number>/download/",
        views.version_download,
        name="document-download",
    ),
    path("documents/<int:pk>/sign/", views.document_sign, name="document-sign"),
    path("documents/<int:pk>/versions/", views.document_version_add, name="document-version-add"),
    path("documents/<int:pk>/retry/", views.document_render_retry, name="document-render-retry"),
    path("journals/", views.journal_list, name="journal-list"),
    path("journals/<int:pk>/", views.journal_detail, name="journal-detail"),
]
