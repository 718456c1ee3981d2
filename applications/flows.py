"""The review of one application. Flows only route: every decision is made by a service.

A programme names the shape of its review (`Program.review_shape`); each shape is one flow
class here, built from the same nodes (`ReviewSteps`). The class a case started on is stored on
its process (`Process.flow_class`), so a case finishes the review it started even when its
programme changes shape meanwhile. `ApplicationFlow` keeps its name: the stored references
("workflows/flows.ApplicationFlow") of running cases point at it.

Human steps are `flow.View` nodes executed through `services.task_complete` (used by both our
pages and the API) rather than viewflow's own views, which cannot restrict a process to the
people allowed to see that one case. The council step is a `Handle`: the case waits there until
the signed protocol of a meeting runs exactly its task (councils.services).
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from core.transactions import flow_row_lock
from councils.nodes import AwaitCouncil
from programmes.models import ReviewShape

from . import notify, selectors, services
from .jobs import Job
from .models import Application, ApplicationProcess


def _state_is(state):
    """Gateway condition: the service of the previous step has set the application's state."""

    def condition(activation):
        return selectors.application_for_process(activation.process).state == state

    return condition


class ReviewSteps:
    """The nodes and callbacks every shape shares. Not a Flow itself: each Flow subclass copies
    these nodes and resolves their `this` references against itself, so one shape's routing
    never leaks into another's. A shape leaves a node out by setting it to None."""

    process_class = ApplicationProcess
    lock_impl = flow_row_lock
    # Whether the council's grant is final (no order follows); the gateway after the council
    # routes on the state the decision leaves.
    council_settles = False

    start = (
        flow.StartHandle(this.start_review)
        .Annotation(title=_("Submitted"), description=_("The applicant submits the application."))
        .Next(this.check)
    )
    check = (
        flow.View(None)
        .onCreate(this.notify_task_created)
        .Annotation(
            title=_("Completeness check"),
            description=_("A methodist accepts the application or returns it for revision."),
        )
        .Permission("workflows.check_application")
        .Next(this.is_complete)
    )
    is_complete = (
        flow.If(_state_is(Application.State.AT_COUNCIL))
        .Annotation(title=_("Complete?"))
        .Then(this.council)
        .Else(this.revise)
    )
    revise = (
        flow.View(None)
        .Annotation(
            title=_("Revision"),
            description=_("The applicant corrects the application and submits it again."),
        )
        .Assign(this.applicant_of)
        .Next(this.check)
    )
    council = (
        AwaitCouncil(this.council_decided)
        .onCreate(this.notify_awaiting_council)
        .Annotation(
            title=_("Council decision"),
            description=_(
                "The case waits for a council meeting; the signed protocol passes it on."
            ),
        )
        .Next(this.is_granted)
    )
    is_granted = (
        flow.If(_state_is(Application.State.AT_DEPARTMENT))
        .Annotation(title=_("Granted?"))
        .Then(this.approve)
        .Else(this.refused)
    )
    approve = (
        flow.View(None)
        .onCreate(this.notify_task_created)
        .Annotation(
            title=_("Department approval"),
            description=_("A department official approves by order or returns it to the council."),
        )
        .Permission("workflows.approve_application")
        .Next(this.is_approved)
    )
    is_approved = (
        flow.If(_state_is(Application.State.GRANTED))
        .Annotation(title=_("Approved?"))
        .Then(this.grant)
        .Else(this.council)
    )
    grant = (
        Job(this.grant_status)
        .Annotation(
            title=_("Grant the status"), description=_("The status is entered in the registry.")
        )
        .Next(this.granted)
    )
    granted = flow.End().Annotation(title=_("Status granted"))
    refused = flow.End().Annotation(title=_("Refused"))

    def start_review(self, activation, application):
        activation.process.artifact = application
        activation.process.save()
        application.process = activation.process
        application.save(update_fields=["process", "updated_at"])
        return activation.process

    def notify_task_created(self, activation):
        """Tell who may take the new step. Not on `revise`: the applicant was already told why
        the application came back, and a second letter for the same event is noise."""
        notify.task_created(activation.task)

    def notify_awaiting_council(self, activation):
        """The secretary of the programme's council learns that a case waits for the agenda."""
        notify.awaiting_council(activation.task)

    def council_decided(
        self, activation, *, granted, reasons, meeting_date, actor, protocol=None, data=None
    ):
        """Run by the signed protocol on this case's waiting task only (no broadcast signal)."""
        return services.application_council_decide(
            application=selectors.application_for_process(activation.process),
            granted=granted,
            reasons=reasons,
            meeting_date=meeting_date,
            actor=actor,
            settles=self.council_settles,
            protocol=protocol,
            data=data,
        )

    def applicant_of(self, activation):
        return selectors.application_for_process(activation.process).created_by

    def grant_status(self, activation):
        """Background job after the order or the council's decision: idempotent (returns the
        status granted before)."""
        services.status_grant(application=selectors.application_for_process(activation.process))


class ApplicationFlow(ReviewSteps, flow.Flow):
    """Заявка → проверка методистом → совет → распоряжение департамента → статус."""

    process_title = _("Application review")
    process_description = _("Completeness check, council decision, department order, status.")


class CouncilSettledFlow(ReviewSteps, flow.Flow):
    """Заявка → проверка методистом → совет → статус: the council's decision settles the case
    (the Klin workshop, contests); no order of an authority follows it."""

    process_title = _("Application review settled by the council")
    process_description = _("Completeness check, council decision, status.")
    council_settles = True

    is_granted = (
        flow.If(_state_is(Application.State.GRANTED))
        .Annotation(title=_("Granted?"))
        .Then(this.grant)
        .Else(this.refused)
    )
    approve = None
    is_approved = None


# The flow class of each `Program.review_shape`; a new shape is a class above and a row here.
FLOW_OF_SHAPE = {
    ReviewShape.CHECK_COUNCIL_ORDER: ApplicationFlow,
    ReviewShape.CHECK_COUNCIL: CouncilSettledFlow,
}
REVIEW_FLOWS = tuple(FLOW_OF_SHAPE.values())


def flow_for_program(program) -> type[flow.Flow]:
    """The flow a case of `program` starts on now."""
    return FLOW_OF_SHAPE[program.review_shape]
