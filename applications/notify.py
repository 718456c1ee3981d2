"""What the review of an application tells whom.

Each function is called inside the transaction of the change it announces (a service, or a
flow node created under the flow lock), so the notification commits or rolls back with it.
Dedup keys are built from ids, so a step that runs twice does not notify twice. Texts are
always Russian: the reader's page language is unknown when the letter is written.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from core.i18n import in_russian
from core.urls import absolute_url
from councils import notify as council_notify
from notifications.models import Kind
from notifications.services import notify
from programmes import access

from . import selectors
from .models import Application


def _link(name: str, pk: int) -> str:
    return absolute_url(reverse(name, args=[pk]))


def applicants(application: Application) -> list:
    """The school applies, not one person: each of its active coordinators hears about its case
    (the author may be away or have left; decisions.md, entry on returned applications)."""
    return list(
        get_user_model()
        .objects.filter(
            organisationmembership__organisation_id=application.organisation_id, is_active=True
        )
        .order_by("pk")
    )


def _tell_applicants(application, event, *, kind, what, subject, template, context=None):
    notify(
        recipients=applicants(application),
        kind=kind,
        subject=subject,
        template=template,
        context={"application": application, **(context or {})},
        url=_link("application-detail", application.pk),
        dedup_key=f"application:{application.pk}:{what}:{event.pk}",
    )


def _returned(application: Application, event: AuditEvent) -> None:
    _tell_applicants(
        application,
        event,
        kind=Kind.APPLICATION_RETURNED,
        what="returned",
        subject=_("Application %(number)s is returned for revision")
        % {"number": application.reg_number},
        template="application_returned",
        context={
            "comment": event.comment,
            "actor_name": event.actor.get_full_name() if event.actor else "",
        },
    )


def _council_decided(application: Application, event: AuditEvent) -> None:
    granted = event.action == "application.council_grant"
    subject = (
        _("Application %(number)s: the council decided to grant the status")
        if granted
        else _("Application %(number)s: the council refused to grant the status")
    )
    _tell_applicants(
        application,
        event,
        kind=Kind.DECISION_TAKEN,
        what="granted" if granted else "refused",
        subject=subject % {"number": application.reg_number},
        template="decision_granted" if granted else "decision_refused",
        context={
            "reasons": event.comment,
            "meeting_date": parse_date((event.data or {}).get("meeting_date") or ""),
            # No order follows where the council settles the case (its flow moved it on).
            "settled": event.to_state == Application.State.GRANTED,
        },
    )


def _council_postponed(application: Application, event: AuditEvent) -> None:
    _tell_applicants(
        application,
        event,
        kind=Kind.DECISION_TAKEN,
        what="postponed",
        subject=_("Application %(number)s: the council postponed it to its next meeting")
        % {"number": application.reg_number},
        template="decision_postponed",
        context={
            "reasons": event.comment,
            "meeting_date": parse_date((event.data or {}).get("meeting_date") or ""),
        },
    )


def _order_signed(application: Application, event: AuditEvent) -> None:
    order = application.order
    _tell_applicants(
        application,
        event,
        kind=Kind.ORDER_SIGNED,
        what="order_signed",
        subject=_("Application %(number)s is approved by order No. %(order)s of %(date)s")
        % {
            "number": application.reg_number,
            "order": order.number,
            "date": order.date.strftime("%d.%m.%Y"),
        },
        template="order_signed",
        context={"order": order},
    )


ON_ACTION = {
    "application.return": _returned,
    "application.council_refuse": _council_decided,
    "application.council_grant": _council_decided,
    "application.council_postpone": _council_postponed,
    "application.approve": _order_signed,
}


@in_russian
def application_moved(*, application: Application, event: AuditEvent) -> None:
    """An application changed state (`event` is its audit record): tell the applicant what
    matters to them. Steps that only move the case between staff notify through
    `task_created` instead."""
    handler = ON_ACTION.get(event.action)
    if handler is not None:
        handler(application, event)


@in_russian
def awaiting_council(task) -> None:
    """A case reached the council step: the council's secretary is told (councils knows whom)."""
    application = selectors.task_application(task)
    council_notify.case_awaiting_council(
        program_id=application.program_id,
        subject=_("Application %(number)s waits for the council")
        % {"number": application.reg_number},
        template="council_case_waiting",
        context={"application": application},
        dedup_key=f"task:{task.pk}:created",
    )


@in_russian
def task_created(task) -> None:
    """A human step was created: tell who may take it. Its owner when the flow assigned one
    (the revision goes to the applicant), else every active holder of the step's permission
    (all methodists for the check), who see it in their queue."""
    application = selectors.task_application(task)
    if task.owner_id:
        recipients = [task.owner]
    elif task.owner_permission:
        recipients = access.staff_serving(task.owner_permission, application.program_id)
    else:
        return
    step = str(task.flow_task.task_title)
    notify(
        recipients=recipients,
        kind=Kind.TASK_ASSIGNED,
        subject=_("New task “%(step)s”: application %(number)s")
        % {"step": step, "number": application.reg_number},
        template="task_assigned",
        context={"application": application, "step": step, "assigned": bool(task.owner_id)},
        url=_link("task-detail", task.pk),
        dedup_key=f"task:{task.pk}:created",
    )


def flow_job_administrators(flow_class) -> list:
    """Who is told that a background step failed: active staff (they see /monitoring/) who may
    manage the flow (retry or cancel the step there), superusers included."""
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("pk")
    return [user for user in staff if flow_class.instance.has_manage_permission(user)]


@in_russian
def flow_job_failed(*, task, event: AuditEvent) -> None:
    """A background step used up its attempts and is in ERROR: the administrators are told,
    with the error and a link to the monitoring page, where they retry or cancel it. Written
    under the flow lock in the transaction that records the failure."""
    application = Application.objects.filter(process_id=task.process_id).first()
    step = str(task.flow_task.task_title)
    subject = (
        _("Background step “%(step)s” failed: application %(number)s")
        % {"step": step, "number": application.reg_number}
        if application
        else _("Background step “%(step)s” failed") % {"step": step}
    )
    notify(
        recipients=flow_job_administrators(task.flow_task.flow_class),
        kind=Kind.JOB_FAILED,
        subject=subject,
        template="job_failed",
        context={
            "application": application,
            "step": step,
            "error": event.comment,
            "attempts": (event.data or {}).get("attempts", 0),
        },
        url=absolute_url(reverse("monitoring")),
        dedup_key=f"flow_job:{task.pk}:failed:{event.pk}",
    )
