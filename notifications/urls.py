from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("settings/", views.notification_settings, name="notification-settings"),
    path("<int:pk>/open/", views.notification_open, name="notification-open"),
]
