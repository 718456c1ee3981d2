"""Writes. Every state change happens here, in one transaction with its audit record."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task

from audit.services import audit_record
from documents.services import document_create

from . import notify, rules, selectors
from .errors import ConflictError, NotAllowed
from .models import (
    Application,
    CouncilDecision,
    Order,
    Organisation,
    PlannedEvent,
    Program,
    RegistrationCounter,
    Status,
)

State = Application.State


# --- Drafts ---------------------------------------------------------------------------


def _require_member(*, user, organisation: Organisation) -> None:
    if not selectors.organisations_of(user).filter(pk=organisation.pk).exists():
        raise NotAllowed(_("You do not act for %(org)s.") % {"org": organisation})


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        raise ConflictError(
            _("The application is %(state)s and can no longer be changed.")
            % {"state": application.get_state_display().lower()}
        )


def _replace_events(application: Application, events: list[dict]) -> None:
    application.planned_events.all().delete()
    PlannedEvent.objects.bulk_create(
        PlannedEvent(
            application=application,
            year_index=e["year_index"],
            title=e["title"],
            timing=e["timing"],
            audience=e.get("audience", ""),
        )
        for e in events
    )


@transaction.atomic
def application_create(
    *, user, organisation: Organisation, program: Program, fields: dict, events: list[dict]
) -> Application:
    """Start a draft for an organisation the user acts for."""
    _require_member(user=user, organisation=organisation)
    if not program.is_active:
        raise ConflictError(_("The programme does not accept applications now."))
    application = Application.objects.create(
        program=program, organisation=organisation, created_by=user, **fields
    )
    _replace_events(application, events)
    audit_record(actor=user, action="application.create", obj=application, to_state=State.DRAFT)
    return application


@transaction.atomic
def application_update(
    *, application_id: int, user, fields: dict, events: list[dict] | None
) -> Application:
    """Edit a draft or a returned application; `events=None` keeps the planned events."""
    application = Application.objects.select_for_update().get(pk=application_id)
    _require_member(user=user, organisation=application.organisation)
    _require_editable(application)
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    if events is not None:
        _replace_events(application, events)
    audit_record(
        actor=user, action="application.update", obj=application, data={"fields": sorted(fields)}
    )
    return application


@transaction.atomic
def application_attach(*, application_id: int, user, uploaded, title: str = "") -> Application:
    """Add a file; rejected files leave nothing behind (the whole transaction rolls back)."""
    application = Application.objects.select_for_update().get(pk=application_id)
    _require_member(user=user, organisation=application.organisation)
    _require_editable(application)
    document = document_create(uploaded=uploaded, author=user, title=title)
    application.attachments.add(document)
    audit_record(
        actor=user,
        action="application.attach",
        obj=application,
        comment=document.title,
        data={"document": document.pk},
    )
    return application


def _registration_number_allocate(program: Program, on: "timezone.datetime") -> str:
    """Next incoming number of the year under a row lock: gapless because it rolls back with us."""
    try:
        with transaction.atomic():
            RegistrationCounter.objects.get_or_create(program=program, year=on.year)
    except IntegrityError:
        pass  # created by a concurrent registration; the locked read below sees it
    counter = RegistrationCounter.objects.select_for_update().get(program=program, year=on.year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{program.registration_prefix}-{on.year}/{counter.last_number:04d}"


def application_submit(*, application_id: int, user) -> Application:
    """Submit a draft (register it, start its review) or resubmit a returned one."""
    application = Application.objects.get(pk=application_id)
    if application.state == State.RETURNED:
        task = selectors.application_open_task(application)
        if task is None or task.flow_task.name != "revise":
            raise ConflictError(_("The application is not waiting for your correction."))
        task_complete(task_id=task.pk, user=user, data={"comment": ""})
        return Application.objects.get(pk=application_id)
    return _application_submit_draft(application_id=application_id, user=user)


@transaction.atomic
def _application_submit_draft(*, application_id: int, user) -> Application:
    from .flows import ApplicationFlow  # the flow calls back into services

    application = Application.objects.select_for_update().get(pk=application_id)
    _require_member(user=user, organisation=application.organisation)
    if application.state != State.DRAFT:
        raise ConflictError(
            _("The application was already submitted (No. %(number)s).")
            % {"number": application.reg_number}
        )
    errors = selectors.application_completeness_errors(application)
    if errors:
        raise ValidationError(errors)
    now = timezone.localtime()
    application.reg_number = _registration_number_allocate(application.program, now)
    application.reg_date = now.date()
    application.submitted_at = now
    application.state = State.AT_METHODIST
    application.save()
    audit_record(
        actor=user,
        action="application.submit",
        obj=application,
        from_state=State.DRAFT,
        to_state=State.AT_METHODIST,
        data={"reg_number": application.reg_number},
    )
    ApplicationFlow.start.run(application=application)
    return application


# --- Steps ----------------------------------------------------------------------------


def _move(application: Application, *, user, to: str, action: str, comment: str = "", data=None):
    previous = application.state
    application.state = to
    application.save(update_fields=["state", "order", "updated_at"])
    event = audit_record(
        actor=user,
        action=action,
        obj=application,
        from_state=previous,
        to_state=to,
        comment=comment,
        data=data,
    )
    # Same transaction: the outbox rows commit or roll back with the move (DESIGN.md).
    notify.application_moved(application=application, event=event)


def _step_check(application: Application, *, user, data: dict) -> None:
    if data["decision"] == "accept":
        _move(
            application,
            user=user,
            to=State.AT_COUNCIL,
            action="application.accept",
            comment=data.get("comment", ""),
        )
    else:
        _move(
            application,
            user=user,
            to=State.RETURNED,
            action="application.return",
            comment=data["comment"],
        )


def _step_revise(application: Application, *, user, data: dict) -> None:
    _require_member(user=user, organisation=application.organisation)
    errors = selectors.application_completeness_errors(application)
    if errors:
        raise ValidationError(errors)
    _move(
        application,
        user=user,
        to=State.AT_METHODIST,
        action="application.resubmit",
        comment=data.get("comment", ""),
    )


def _step_council(application: Application, *, user, data: dict) -> None:
    decision = CouncilDecision.objects.create(
        application=application,
        outcome=data["decision"],
        reasons=data["reasons"],
        meeting_date=data["meeting_date"],
        recorded_by=user,
    )
    granted = decision.outcome == CouncilDecision.Outcome.GRANTED
    _move(
        application,
        user=user,
        to=State.AT_DEPARTMENT if granted else State.REFUSED,
        action="application.council_grant" if granted else "application.council_refuse",
        comment=decision.reasons,
        data={"meeting_date": decision.meeting_date.isoformat()},
    )


def _order_for(*, program: Program, number: str, date, user) -> Order:
    """One order may approve several decisions: reuse it when number and date agree."""
    number = number.strip()
    # get_or_create re-reads after a unique clash, so two officials entering the same new order
    # at once both end up on the one order instead of one of them getting an IntegrityError.
    order, _created = Order.objects.get_or_create(
        program=program, year=date.year, number=number, defaults={"date": date, "signed_by": user}
    )
    if order.date != date:
        raise ValidationError(
            {
                "order_number": [
                    _(
                        "Order No. %(number)s of %(year)s is dated %(date)s; check the number or the date."
                    )
                    % {"number": number, "year": date.year, "date": order.date.strftime("%d.%m.%Y")}
                ]
            }
        )
    return order


def _step_approve(application: Application, *, user, data: dict) -> None:
    if data["decision"] == "approve":
        application.order = _order_for(
            program=application.program,
            number=data["order_number"],
            date=data["order_date"],
            user=user,
        )
        _move(
            application,
            user=user,
            to=State.GRANTED,
            action="application.approve",
            comment=str(application.order),
            data={"order": application.order.pk},
        )
    else:
        _move(
            application,
            user=user,
            to=State.AT_COUNCIL,
            action="application.department_return",
            comment=data["comment"],
        )


STEP_HANDLERS = {
    "check": (State.AT_METHODIST, _step_check),
    "revise": (State.RETURNED, _step_revise),
    "council": (State.AT_COUNCIL, _step_council),
    "approve": (State.AT_DEPARTMENT, _step_approve),
}


def _load_task(task_id: int, user) -> Task:
    task = selectors.task_of_visible_application(user=user, task_id=task_id)
    if task is None:
        # Same answer for "missing" and "not yours": existence of others' cases is not disclosed.
        raise Task.DoesNotExist
    return task


def _take_over_revision(task: Task, activation, user, application: Application) -> None:
    """A returned application belongs to the school, not to whoever submitted it: any of its
    coordinators may correct it (the author may be away or have left)."""
    if (
        task.flow_task.name == "revise"
        and task.owner_id != user.pk
        and selectors.organisations_of(user).filter(pk=application.organisation_id).exists()
    ):
        activation.reassign(user)


def _require_open_and_mine(task: Task, activation, user, *, claim: bool) -> bool:
    """Returns True when this call claimed the task."""
    if task.status not in selectors.OPEN_TASK_STATUSES:
        raise ConflictError(
            _(
                "This step has already been completed; refresh the page to see where the case is now."
            )
        )
    if task.owner_id is None:
        if not task.flow_task.can_assign(user, task):
            raise NotAllowed(_("This step is for another role; you cannot take it."))
        if claim:
            activation.assign(user)
            return True
        return False
    if task.owner_id != user.pk:
        raise ConflictError(
            _("%(name)s has already taken this step.") % {"name": task.owner.get_full_name()}
        )
    return False


def _flow_locked(func):
    """viewflow raises FlowLockFailed when another request holds the case: say so, no HTTP 500."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except FlowLockFailed as exc:
            raise ConflictError(
                _("Someone else is working on this case right now. Try again in a minute.")
            ) from exc

    wrapper.__doc__ = func.__doc__
    wrapper.__name__ = func.__name__
    return wrapper


@_flow_locked
def task_claim(*, task_id: int, user) -> Task:
    """Take an unassigned step for oneself, so that colleagues see who is on it."""
    task = _load_task(task_id, user)
    with task.activation() as activation:
        if task.owner_id == user.pk and task.status in selectors.OPEN_TASK_STATUSES:
            return task  # claiming twice is harmless
        if _require_open_and_mine(task, activation, user, claim=True):
            application = selectors.task_application(task)
            audit_record(
                actor=user,
                action="application.claim",
                obj=application,
                data={"task": task.pk, "step": task.flow_task.name},
            )
    return task


@_flow_locked
def task_complete(*, task_id: int, user, data: dict) -> Task:
    """Do one step: apply the decision, then let the flow route to the next step.

    Runs under the flow's lock, so of two people completing the same step one wins and the
    other gets a ConflictError. An unclaimed step is claimed on the way.
    """
    task = _load_task(task_id, user)
    with task.activation() as activation:
        application = Application.objects.select_for_update().get(process_id=task.process_id)
        if task.status in selectors.OPEN_TASK_STATUSES:
            _take_over_revision(task, activation, user, application)
        _require_open_and_mine(task, activation, user, claim=True)
        expected_state, handler = STEP_HANDLERS[task.flow_task.name]
        if application.state != expected_state:
            raise ConflictError(_("The case has moved on; refresh the page."))
        handler(application, user=user, data=data)
        task.data = {**task.data, "decision": {k: str(v) for k, v in data.items()}}
        activation.start(None)
        activation.execute()
    return task


# --- Status ---------------------------------------------------------------------------


@transaction.atomic
def status_grant(*, application: Application) -> Status:
    """Enter the status in the registry; safe to call twice (returns the existing one)."""
    existing = Status.objects.filter(application=application).first()
    if existing:
        return existing
    application = Application.objects.select_related(
        "order__signed_by", "program", "organisation"
    ).get(pk=application.pk)
    order = application.order
    program = application.program
    status = Status.objects.create(
        program=program,
        organisation=application.organisation,
        application=application,
        order=order,
        topic=application.topic,
        valid_from=order.date,
        valid_until=rules.status_valid_until(
            order.date,
            term_years=program.status_term_years,
            start_month=program.academic_year_start_month,
        ),
    )
    audit_record(
        actor=order.signed_by,
        action="status.grant",
        obj=status,
        to_state=status.state,
        data={
            "application": application.pk,
            "order": order.pk,
            "valid_until": status.valid_until.isoformat(),
        },
    )
    audit_record(
        actor=order.signed_by,
        action="application.status_granted",
        obj=application,
        comment=_("Valid until %(date)s") % {"date": status.valid_until.strftime("%d.%m.%Y")},
    )
    notify.status_granted(status=status)
    return status
