from django.urls import path

from . import views

urlpatterns = [
    path("practices/", views.practice_list, name="practice-list"),
    path("practices/new/", views.practice_create, name="practice-create"),
    path("practices/<int:pk>/", views.practice_detail, name="practice-detail"),
    path("public/practices/", views.catalogue, name="practice-catalogue"),
    path("public/practices/<int:pk>/", views.catalogue_detail, name="practice-public"),
    path(
        "public/practices/<int:pk>/files/<int:document_id>/",
        views.catalogue_file,
        name="practice-public-file",
    ),
]
