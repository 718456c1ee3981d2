from django.urls import path

from . import views

urlpatterns = [
    path("work-plans/", views.work_plan_list, name="work-plan-list"),
    path("work-plans/<int:pk>/", views.work_plan_detail, name="work-plan-detail"),
    path("assignments/", views.assignment_list, name="assignment-list"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment-detail"),
]
