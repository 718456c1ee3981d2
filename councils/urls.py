from django.urls import path

from . import views

urlpatterns = [
    path("", views.council_list, name="council-list"),
    path("<int:pk>/", views.council_detail, name="council-detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("protocols/<int:pk>/", views.protocol_detail, name="protocol-detail"),
    path("extracts/<int:pk>/", views.extract_detail, name="extract-detail"),
]
