"""API tokens under /api/auth/ (accounts.api)."""

from django.urls import path

from . import api

app_name = "auth-api"

urlpatterns = [
    path("login/", api.LoginView.as_view(), name="login"),
    path("logout/", api.LogoutView.as_view(), name="logout"),
    path("logoutall/", api.LogoutAllView.as_view(), name="logoutall"),
]
