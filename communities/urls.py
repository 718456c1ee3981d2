from django.urls import path

from . import views

urlpatterns = [
    path("communities/", views.community_list, name="community-list"),
    path("communities/<int:pk>/", views.community_detail, name="community-detail"),
]
