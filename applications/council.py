"""An application as a subject of the council's agenda (councils.subjects).

Councils know nothing of applications: at start-up this package registers what the council
needs of a case waiting at the flow's council node (which cases wait, an item's title, the rows
the signed protocol locks, and the one call that passes the case on)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task

from audit.services import audit_record
from core.errors import ConflictError
from core.transactions import APPLICATION, FLOW, STATUS
from councils import subjects
from councils.models import AgendaItem, Council, Extract, Protocol
from councils.selectors import items_holding_cases

from . import notify, selectors
from .models import Application


def _application_type() -> ContentType:
    return ContentType.objects.get_for_model(Application)


def application_release_locks(application: Application) -> list:
    """What the signed protocol locks to release an application: its flow lock, its row and
    the status a renewal would extend."""
    rows = [(APPLICATION, Application, application.pk)]
    if application.renews_id:  # a refused renewal hands its status back (renewal_refused)
        rows.append((STATUS, Application.renews.field.related_model, application.renews_id))
    if application.process_id:
        rows.append((FLOW, Process, application.process_id))
    return rows


def _council_tasks():
    """Open tasks at the council node of any review shape."""
    from .flows import REVIEW_FLOWS

    return Task.objects.filter(
        flow_task__in=[f.council for f in REVIEW_FLOWS],
        status__in=selectors.OPEN_TASK_STATUSES,
    )


def applications_waiting(council: Council) -> QuerySet[Application]:
    """Applications of the council's programme waiting for its decision and on no agenda whose
    decision has not yet taken effect (a postponed case is released back here when the
    protocol is signed; a cancelled meeting's case is back at once)."""
    on_agenda = items_holding_cases().filter(
        subject_type=_application_type(), subject_id=OuterRef("pk")
    )
    waiting_task = _council_tasks().filter(process_id=OuterRef("process_id"))
    return (
        Application.objects.filter(
            program_id=council.program_id, state=Application.State.AT_COUNCIL
        )
        .filter(Exists(waiting_task))
        .exclude(Exists(on_agenda))
        .select_related("organisation")
        .order_by("reg_date", "reg_number")
    )


def application_item_title(application: Application) -> str:
    return _("Application No. %(number)s of %(org)s: “%(topic)s”") % {
        "number": application.reg_number,
        "org": application.organisation.short_name,
        "topic": application.topic,
    }


def council_task_of(application: Application) -> Task | None:
    """The case's task waiting at the council node, if it waits there now."""
    if not application.process_id:
        return None
    return _council_tasks().filter(process_id=application.process_id).first()


def release_application(
    item: AgendaItem, *, subject: Application, protocol: Protocol, extract: Extract, actor
) -> None:
    """The signed protocol on an application: the case's own council task runs (granted or
    refused); a postponed case keeps its task and is offered to the next agenda."""
    application = subject
    meeting = protocol.meeting
    data = {"meeting": meeting.pk, "item": item.pk, "extract": extract.pk}
    if item.outcome == AgendaItem.Outcome.POSTPONED:
        event = audit_record(
            actor=actor,
            action="application.council_postpone",
            obj=application,
            comment=item.decided,
            data={"meeting_date": meeting.date.isoformat(), **data},
        )
        notify.application_moved(application=application, event=event)
        return
    task = council_task_of(application)
    if task is None:
        raise ConflictError(
            _(
                "Application %(number)s is no longer waiting for the council; the protocol is not signed."
            )
            % {"number": application.reg_number}
        )
    # The node of the flow the case runs on (its shape may differ from the programme's now).
    item.decision = task.flow_task.run(
        task,
        protocol=protocol,
        granted=item.outcome == AgendaItem.Outcome.ADOPTED,
        reasons=item.decided,
        meeting_date=meeting.date,
        actor=actor,
        data=data,
    )


def register() -> None:
    """Called once from ApplicationsConfig.ready()."""
    subjects.register(
        subjects.AgendaSubject(
            model=Application,
            kind=AgendaItem.Kind.APPLICATION,
            waiting=applications_waiting,
            title=application_item_title,
            release=release_application,
            organisation_id=lambda application: application.organisation_id,
            url=lambda application: reverse("application-detail", args=[application.pk]),
            locks=application_release_locks,
            visible=lambda user, application: (
                selectors.application_visible_qs(user).filter(pk=application.pk).exists()
            ),
        )
    )
