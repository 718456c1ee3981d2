"""The bell's pages. Thin: parse input, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import EmailPreferencesForm
from .models import Notification

PER_PAGE = 30


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_inbox_qs(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page_obj": page})


@login_required
@require_POST
def notification_open(request, pk):
    """Clicking a notification marks it read, then follows its link."""
    try:
        notification = services.notification_mark_read(notification_id=pk, user=request.user)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    target = selectors.notification_local_url(notification)
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notification-list")
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_all_read(user=request.user)
    return redirect("notification-list")


@login_required
def notification_settings(request):
    form = EmailPreferencesForm(
        request.POST or None,
        initial=selectors.notification_email_preferences(request.user),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(user=request.user, email_by_kind=form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
