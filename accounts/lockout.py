"""Login lockout (django-axes): two limits, a Russian login page when locked, and the audit.

Axes counts failed logins per (person, address) and per address. Its stock handler applies one
limit to both; an office behind one NAT address would then be locked for everyone after a few
typos of different people, so the address alone has its own, higher limit
(`DOCKET_LOGIN_IP_FAILURE_LIMIT`). Both count the failures within the cool-off window only.

Imported once the apps are loaded (axes settings, `AccountsConfig.ready`).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.context import current_actor
from audit.services import audit_record
from core import problems
from core.ratelimit import client_ip

LOCKOUT = "login.lockout"
UNLOCK = "login.unlock"


def client_address(request) -> str:
    """The client's address as every limit sees it (core.ratelimit.client_ip: REMOTE_ADDR, or
    behind DOCKET_PROXY_COUNT proxies the entry of X-Forwarded-For the outermost of ours
    appended). The same rule as DRF's throttles with NUM_PROXIES. A request with no address
    (Django's force_login in tests) gives "", which axes stores as no address: its address
    column is an inet on PostgreSQL and refuses anything else."""
    return client_ip(request)


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class DocketAxesHandler(AxesDatabaseHandler):
    """Axes' database handler (shared by every web worker) with a limit per address."""

    def get_failures(self, request, credentials=None) -> int:
        recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_person = _failures(recent.filter(username=username))
        if _failures(recent) >= settings.DOCKET_LOGIN_IP_FAILURE_LIMIT:
            return max(by_person, get_failure_limit(request, credentials))
        return by_person


def _minutes() -> int:
    cool_off = get_cool_off()
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message() -> str:
    minutes = _minutes()
    if not minutes:
        return _("Too many failed sign-in attempts. Ask an administrator to unlock the sign-in.")
    return ngettext(
        "Too many failed sign-in attempts. Sign-in is blocked for %(minutes)s minute: try "
        "again later or ask an administrator to unlock it.",
        "Too many failed sign-in attempts. Sign-in is blocked for %(minutes)s minutes: try "
        "again later or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, saying why, with 429 Too Many Requests."""
    if problems.is_api(request):  # a password sent to the API (Basic): the API's error shape
        answer = JsonResponse(
            problems.body(status=429, detail=lockout_message(), code="throttled"),
            status=429,
            content_type=problems.CONTENT_TYPE,
            json_dumps_params={"ensure_ascii": False},
        )
        answer["Retry-After"] = str(_minutes() * 60)
        return answer
    username = (credentials or {}).get("username", "")
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "lockout_message": lockout_message(),
            "next": request.POST.get("next", request.GET.get("next", "")),
        },
        status=429,
    )


def _attempt_of(username, ip_address):
    return (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    """Audit the moment a lock starts. Axes signals every refused attempt during a lockout too;
    those carry no fresh failure count (`axes_failures_since_start` stays None) and are skipped,
    so an attacker hammering a locked login does not flood the log."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    attempt = _attempt_of(username, ip_address)
    if attempt is None:
        return
    audit_record(
        actor=None,
        action=LOCKOUT,
        obj=attempt,
        comment=f"{username or '—'} @ {ip_address}",
        data={
            "username": username,
            "ip_address": ip_address,
            "failures": request.axes_failures_since_start,
            "path": request.path,
            "minutes": _minutes(),
        },
    )


def on_attempt_deleted(sender, instance, **kwargs):
    """An unexpired failure record removed is an unlock (the admin, `axes_reset*`); expired ones
    cleaned up by axes itself are not."""
    cool_off = get_cool_off()
    if cool_off is not None and instance.attempt_time < timezone.now() - cool_off:
        return
    who = current_actor()
    audit_record(
        actor=who.user if who else None,
        action=UNLOCK,
        obj=instance,
        comment=f"{instance.username or '—'} @ {instance.ip_address}",
        data={
            "username": instance.username,
            "ip_address": instance.ip_address,
            "failures": instance.failures_since_start,
            "channel": who.channel if who else "system",
        },
    )
