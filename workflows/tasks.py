"""Celery tasks: thin, keyed by ids, safe to run again."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import selectors
from .models import Application

log = logging.getLogger(__name__)

SUBJECTS = {
    "application.return": "Заявка %(number)s возвращена на доработку",
    "application.council_refuse": "По заявке %(number)s принято решение об отказе",
    "application.approve": "Заявка %(number)s утверждена: статус присвоен",
}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def notify_applicant(*, application_id: int, action: str) -> None:
    """E-mail the author of an application that its case moved.

    A re-run sends the letter again; the outbox of issue 5 will make delivery exactly-once.
    """
    application = (
        Application.objects.select_related("created_by", "organisation")
        .filter(pk=application_id)
        .first()
    )
    if application is None or not application.created_by.email or action not in SUBJECTS:
        return
    with translation.override("ru"):
        context = {
            "application": application,
            "state_label": selectors.application_state_label(application),
            "comment": selectors.application_latest_comment(application, action),
            "url": settings.SITE_URL + reverse("application-detail", args=[application.pk]),
        }
        body = render_to_string("workflows/email/application_moved.txt", context)
        send_mail(
            SUBJECTS[action] % {"number": application.reg_number},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [application.created_by.email],
        )


@shared_task
def fire_flow_timers() -> None:
    """Fire viewflow timers that are due; firing is keyed on the stored due time, so re-runs are no-ops."""
    from viewflow.workflow import timers

    timers.fire_due_timers()
