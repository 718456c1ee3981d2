"""Council endpoints, included under /api/ in the "api" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("councils/", views.CouncilListView.as_view(), name="council-list"),
    path(
        "councils/<int:pk>/meetings/", views.CouncilMeetingsView.as_view(), name="council-meetings"
    ),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/items/", views.MeetingItemsView.as_view(), name="meeting-items"),
    path("meetings/<int:pk>/notify/", views.MeetingNotifyView.as_view(), name="meeting-notify"),
    path(
        "meetings/<int:pk>/attendance/",
        views.MeetingAttendanceView.as_view(),
        name="meeting-attendance",
    ),
    path(
        "meetings/<int:pk>/reschedule/",
        views.MeetingRescheduleView.as_view(),
        name="meeting-reschedule",
    ),
    path("meetings/<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="meeting-cancel"),
    path("meetings/<int:pk>/open/", views.MeetingOpenView.as_view(), name="meeting-open"),
    path("meetings/<int:pk>/close/", views.MeetingCloseView.as_view(), name="meeting-close"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("items/<int:pk>/voting/", views.ItemVotingView.as_view(), name="item-voting"),
    path("items/<int:pk>/vote/", views.ItemVoteView.as_view(), name="item-vote"),
    path("items/<int:pk>/tally/", views.ItemTallyView.as_view(), name="item-tally"),
    path("items/<int:pk>/recusal/", views.ItemRecusalView.as_view(), name="item-recusal"),
    path("items/<int:pk>/close/", views.ItemCloseView.as_view(), name="item-close"),
    path("protocols/<int:pk>/", views.ProtocolDetailView.as_view(), name="protocol-detail"),
    path("protocols/<int:pk>/sign/", views.ProtocolSignView.as_view(), name="protocol-sign"),
    path("extracts/<int:pk>/", views.ExtractDetailView.as_view(), name="extract-detail"),
    path(
        "protocols/<int:pk>/correction/",
        views.ProtocolCorrectionView.as_view(),
        name="protocol-correction",
    ),
]
