"""Writes of a status's life. Each change is one transaction with its audit record and its
notifications (the outbox), like every other service of Docket."""

import logging
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.fsm.base import TransitionNotAllowed

from applications import rules
from applications.models import Application, Order, PlannedEvent
from audit.services import audit_record
from core.errors import ConflictError, NotAllowed
from core.transactions import lock, service_transaction
from documents import selectors as document_selectors
from documents import services as documents
from documents.models import Document
from documents.services import document_create
from programmes import access
from programmes.access import APPROVE, CHECK
from programmes.models import Program

from . import notify, paper, paperwork, reportform, schedule, selectors, workdays
from .machine import StatusMachine
from .models import (
    Duty,
    NetworkReport,
    ProblemNotice,
    ProgrammeDocument,
    Status,
    StatusTerm,
    Submission,
    SubmissionEvent,
    SweepFailure,
    TerminationCase,
    grounds_choices,
)

log = logging.getLogger(__name__)


# --- The machine --------------------------------------------------------------------------


def _status_move(
    status: Status, transition: str, *, actor, today: date, comment: str = "", data=None, **kw
):
    """Run one transition of the machine on a locked row, save it, audit it, tell people.

    A move the machine does not allow raises ConflictError with the reason in words; nothing
    is changed then.
    """
    source = status.state
    machine = StatusMachine(status, today=today)
    try:
        getattr(machine, transition)(**kw)
    except TransitionNotAllowed as exc:
        status.state = source
        reason = getattr(exc, "unmet_message", "")
        raise ConflictError(
            _("The status is %(state)s; this cannot be done now. %(reason)s")
            % {"state": status.get_state_display().lower(), "reason": reason}
        ) from exc
    status.save()
    event = audit_record(
        actor=actor,
        action=f"status.{transition}",
        obj=status,
        from_state=source,
        to_state=status.state,
        comment=comment,
        data=data,
    )
    notify.status_moved(status=status, event=event)
    return event


def _locked(status_id: int) -> Status:
    return lock(Status.objects).select_related("program", "organisation", "order").get(pk=status_id)


def _locked_in_state(queryset, pk: int, expected: str):
    """The row, locked, if it still waits in `expected`; a second click or another person's
    earlier step gets a conflict instead of acting twice."""
    row = lock(queryset).get(pk=pk)
    if row.state != expected:
        raise ConflictError(
            _("This step has already been completed; refresh the page to see where it is now.")
        )
    return row


# --- Terms and duties ----------------------------------------------------------------------


def _duties_create(term: StatusTerm) -> list[Duty]:
    """The plan (where the programme asks for one) and the report of every academic year of
    the term, with their due dates moved to working days. A plan whose date passed before the
    term began is due a few working days after the term starts instead."""
    status = term.status
    program = status.program
    plan = selectors.schedule_for(program)
    start_month = program.academic_year_start_month
    duties = []
    years = schedule.academic_years_of_term(
        term.valid_from, term.valid_until, start_month=start_month
    )
    for index, year in enumerate(years, start=1):
        plan_due = schedule.day_in_academic_year(
            year, plan.plan_due_month, plan.plan_due_day, start_month=start_month
        )
        if plan_due <= term.valid_from:
            plan_due = workdays.working_days_add(term.valid_from, plan.first_plan_working_days)
        report_due = schedule.day_in_academic_year(
            year, plan.report_due_month, plan.report_due_day, start_month=start_month
        )
        owed = ((Duty.Kind.PLAN, plan_due),) if plan.asks_plan else ()
        for kind, due in (*owed, (Duty.Kind.REPORT, report_due)):
            if due > term.valid_until or due < term.valid_from:
                continue
            duties.append(
                Duty(
                    status=status,
                    term=term,
                    kind=kind,
                    title=plan.plan_name if kind == Duty.Kind.PLAN else plan.report_name,
                    academic_year=year,
                    year_index=index,
                    due_date=workdays.next_working_day(due),
                )
            )
    return Duty.objects.bulk_create(duties)


@service_transaction
def status_grant(*, application: Application) -> Status:
    """Enter the status in the registry, or extend it by a new term for a renewal; safe to call
    twice (returns the status granted or extended before). Reached from the flow through
    `applications.status_port`, after the department's order or, where the programme's
    council settles the case, after the council's decision: the term starts on the order's
    date or on the meeting's."""
    if application.kind == Application.Kind.RENEWAL:
        return status_renew(application=application)
    existing = Status.objects.filter(application=application).first()
    if existing:
        return existing
    application = Application.objects.select_related(
        "order__signed_by", "program", "organisation"
    ).get(pk=application.pk)
    grounds = selectors.grant_grounds(application=application)
    program = application.program
    status = Status.objects.create(
        program=program,
        organisation=application.organisation,
        application=application,
        order=grounds.order,
        topic=application.topic,
        valid_from=grounds.on,
        valid_until=rules.status_valid_until(
            grounds.on,
            term_years=program.status_term_years,
            start_month=program.academic_year_start_month,
        ),
    )
    audit_record(
        actor=grounds.signer,
        action="status.grant",
        obj=status,
        to_state=status.state,
        data={
            "application": application.pk,
            **_grounds_data(grounds),
            "valid_until": status.valid_until.isoformat(),
        },
    )
    status_first_term_open(status=status, application=application, grounds=grounds)
    audit_record(
        actor=grounds.signer,
        action="application.status_granted",
        obj=application,
        comment=_("Valid until %(date)s") % {"date": status.valid_until.strftime("%d.%m.%Y")},
    )
    status_certificate_issue(status=status)
    if program.drafts_agreement:
        # Only a programme that asks for it (the Tomsk network's cooperation agreement).
        paper.agreement_draft_for_status(status=status)
    notify.status_granted(status=status)
    return status


def _grounds_data(grounds: "selectors.GrantGrounds") -> dict:
    """The grounds in an audit event: the order, or the council's decision."""
    if grounds.order is not None:
        return {"order": grounds.order.pk}
    return {"order": None, "council_decision": grounds.decision.pk}


@service_transaction
def status_first_term_open(
    *, status: Status, application: Application, grounds: "selectors.GrantGrounds"
):
    """Called by `status_grant` for a new status: its first term and the yearly duties of it."""
    term = StatusTerm.objects.create(
        status=status,
        number=1,
        valid_from=status.valid_from,
        valid_until=status.valid_until,
        application=application,
        order=grounds.order,
    )
    duties = _duties_create(term)
    audit_record(
        actor=grounds.signer,
        action="status.term_open",
        obj=status,
        comment=str(term),
        data={"term": term.pk, "duties": len(duties)},
    )
    return term


# --- Renewal -------------------------------------------------------------------------------


def renewal_refusal(status: Status, *, today: date) -> str:
    """Why a renewal of this status cannot be filed now ('' if it can)."""
    if status.state in Status.FINAL_STATES or today > status.valid_until:
        return _(
            "The status expired on %(date)s and can no longer be renewed; apply for a new status."
        ) % {"date": status.valid_until.strftime("%d.%m.%Y")}
    if status.state == Status.State.RENEWAL:
        return _("A renewal of this status is already under review.")
    if status.state != Status.State.ACTIVE:
        return _("The status is %(state)s; it cannot be renewed now.") % {
            "state": status.get_state_display().lower()
        }
    # One case of a holder under review at a time (decisions.md 37): a renewal of an earlier
    # status of his, ended while it was under review, still waits for its decision.
    if (
        Application.objects.filter(
            program_id=status.program_id,
            organisation_id=status.organisation_id,
            state__in=Application.REVIEW_STATES,
        )
        .exclude(renews_id=status.pk)
        .exists()
    ):
        return _("Another application of %(org)s is under review; it must be decided first.") % {
            "org": status.organisation
        }
    return ""


@service_transaction
def renewal_application_create(*, user, status_id: int, today: date | None = None):
    """A renewal draft pre-filled from the status: its topic, goals, people and partners,
    next term's events from the last plan, and the accepted reports attached."""
    today = today or timezone.localdate()
    status = _locked(status_id)
    if not selectors.status_holders(status).filter(pk=user.pk).exists():
        raise NotAllowed(_("You do not act for %(org)s.") % {"org": status.organisation})
    refusal = renewal_refusal(status, today=today)
    if refusal:
        raise ConflictError(refusal)
    draft = Application.objects.filter(renews=status, state__in=Application.EDITABLE_STATES).first()
    if draft:
        return draft
    source = selectors.status_latest_application(status)
    fields = [
        "topic",
        "direction",
        "goals",
        "tasks",
        "expected_results",
        "responsible_name",
        "responsible_position",
        "responsible_phone",
        "responsible_email",
        "partners",
    ]
    application = Application.objects.create(
        program=status.program,
        organisation=status.organisation,
        kind=Application.Kind.RENEWAL,
        renews=status,
        created_by=user,
        **{name: getattr(source, name) for name in fields},
    )
    PlannedEvent.objects.bulk_create(
        PlannedEvent(
            application=application,
            year_index=e.year_index,
            title=e.title,
            timing=e.timing,
            audience=e.audience,
        )
        for e in source.planned_events.all()
    )
    reports = Submission.objects.filter(
        duty__status=status, duty__kind=Duty.Kind.REPORT, state=Submission.State.ACCEPTED
    )
    for submission in reports:
        application.attachments.add(*submission.attachments.all())
    audit_record(
        actor=user,
        action="application.create",
        obj=application,
        to_state=application.state,
        data={"renews": status.pk, "reports": [s.pk for s in reports]},
    )
    return application


def renewal_submitted(*, application: Application, user, today: date) -> None:
    """Inside the submit of a renewal application: the status goes under review."""
    status = _locked(application.renews_id)
    refusal = renewal_refusal(status, today=today)
    if refusal:
        raise ConflictError(refusal)
    _status_move(
        status,
        "renewal_start",
        actor=user,
        today=today,
        comment=application.reg_number,
        data={"application": application.pk},
    )


def renewal_refused(*, application: Application, actor, today: date) -> None:
    """The renewal was refused: the status runs to its end, or ends now if that has passed."""
    status = _locked(application.renews_id)
    if status.state != Status.State.RENEWAL:
        return  # already ended (e.g. terminated meanwhile): nothing to undo
    _status_move(
        status,
        "renewal_refuse",
        actor=actor,
        today=today,
        comment=application.reg_number,
        data={"application": application.pk},
        reason=_("The renewal was refused."),
    )


def renewed_term_end(status: Status) -> date:
    """Where a renewal approved now would end: the current term's end plus one term."""
    return rules.status_valid_until(
        status.valid_until,
        term_years=status.program.status_term_years,
        start_month=status.program.academic_year_start_month,
    )


def renewal_grant_refusal(status: Status, *, today: date) -> str:
    """Why a renewal of this status cannot be approved on `today` ('' if it can). A review
    kept open past the end of the term it would have added grants nothing; the department
    refuses it and the organisation applies anew."""
    if status.state != Status.State.RENEWAL:
        return _("The status is %(state)s; the renewal cannot be approved.") % {
            "state": status.get_state_display().lower()
        }
    end = renewed_term_end(status)
    if end < today:
        return _(
            "The renewed term would have ended on %(date)s; return the case to the council "
            "to refuse the renewal. The organisation can apply for a new status."
        ) % {"date": end.strftime("%d.%m.%Y")}
    return ""


@service_transaction
def status_renew(*, application: Application) -> Status:
    """The department approved a renewal: a new term from the day after the current one ends
    (no gap, no overlap), its duties, the status ACTIVE again. Safe to call twice."""
    existing = StatusTerm.objects.filter(application=application).select_related("status").first()
    if existing:
        return existing.status
    application = Application.objects.select_related("order__signed_by").get(pk=application.pk)
    status = _locked(application.renews_id)
    grounds = selectors.grant_grounds(application=application)
    today = grounds.on
    refusal = renewal_grant_refusal(status, today=today)
    if refusal:
        raise ConflictError(refusal)
    last = status.terms.order_by("-number").first()
    start = last.valid_until + timedelta(days=1)
    end = renewed_term_end(status)
    _status_move(
        status,
        "renewal_grant",
        actor=grounds.signer,
        today=today,
        comment=grounds.text,
        data={"application": application.pk, **_grounds_data(grounds), "valid_until": end},
        valid_until=end,
    )
    term = StatusTerm.objects.create(
        status=status,
        number=last.number + 1,
        previous=last,
        valid_from=start,
        valid_until=end,
        application=application,
        order=grounds.order,
    )
    duties = _duties_create(term)
    audit_record(
        actor=grounds.signer,
        action="status.term_open",
        obj=status,
        comment=str(term),
        data={"term": term.pk, "duties": len(duties)},
    )
    audit_record(
        actor=grounds.signer,
        action="application.status_granted",
        obj=application,
        comment=_("Renewed until %(date)s") % {"date": end.strftime("%d.%m.%Y")},
    )
    status_certificate_issue(status=status, term=term)
    return status


# --- Early end and pauses -------------------------------------------------------------------


def _open_duties_locked(status: Status) -> list[Duty]:
    """The duties an ending status cancels, locked before its move's audit event takes the
    audit head (core.transactions: a holder sending a report locks the duty, then audits)."""
    return list(lock(status.duties.filter(state__in=Duty.OWED_STATES)).order_by("pk"))


def _duties_cancel(status: Status, *, actor, open_duties: list[Duty]) -> None:
    for duty in open_duties:
        duty.state = Duty.State.CANCELLED
        duty.save(update_fields=["state", "updated_at"])
    if open_duties:
        audit_record(
            actor=actor,
            action="status.duties_cancel",
            obj=status,
            data={"duties": [d.pk for d in open_duties]},
        )


@service_transaction
def status_terminate(
    *, status_id: int, actor, reason: str, order: Order | None, today: date
) -> Status:
    """Early termination approved by a department order, or (`order` None) decided by the
    council of a programme whose council settles its cases; the reason is kept on the status."""
    if not reason.strip():
        raise ValidationError({"reason": [_("State the reason for the termination.")]})
    status = _locked(status_id)
    open_duties = _open_duties_locked(status)
    _status_move(
        status,
        "terminate",
        actor=actor,
        today=today,
        comment=reason,
        data={"order": order.pk if order else None},
        reason=reason,
    )
    _duties_cancel(status, actor=actor, open_duties=open_duties)
    return status


@service_transaction
def status_suspend(*, status_id: int, actor, reason: str, today: date) -> Status:
    status = _locked(status_id)
    _status_move(status, "suspend", actor=actor, today=today, comment=reason)
    return status


@service_transaction
def status_resume(*, status_id: int, actor, today: date) -> Status:
    status = _locked(status_id)
    _status_move(status, "resume", actor=actor, today=today)
    return status


# --- Submissions of yearly duties ----------------------------------------------------------


def _require(user, perm: str, program_id: int | None = None) -> None:
    """The role's permission, and (once the case is known) for the case's programme."""
    if not user.has_perm(perm) or (
        program_id is not None and not access.may(user, perm, program_id)
    ):
        raise NotAllowed(_("This step is for another role; you cannot take it."))


def _locked_duty(duty_id: int) -> Duty:
    return (
        lock(Duty.objects).select_related("status__program", "status__organisation").get(pk=duty_id)
    )


def _duty_move(duty: Duty, *, to: str, actor, action: str, comment="", data=None):
    previous = duty.state
    duty.state = to
    duty.save()
    return audit_record(
        actor=actor,
        action=action,
        obj=duty,
        from_state=previous,
        to_state=to,
        comment=comment,
        data={"status": duty.status_id, **(data or {})},
    )


@service_transaction
def submission_create(
    *, user, duty_id: int, fields: dict, events: list[dict], files=(), now: datetime | None = None
) -> Submission:
    """The holder sends a plan or a report. A report answers its programme's report form
    (statuses.reportform: checked as the page checks it, kept with the form it answers) and
    gives one row per event (plan vs actual); either must have at least one event."""
    now = now or timezone.now()
    duty = _locked_duty(duty_id)
    if not selectors.status_holders(duty.status).filter(pk=user.pk).exists():
        raise NotAllowed(_("You do not act for %(org)s.") % {"org": duty.status.organisation})
    if duty.state not in Duty.OWED_STATES:
        raise ConflictError(
            _("The %(duty)s is %(state)s; it cannot be sent again now.")
            % {"duty": duty, "state": duty.get_state_display().lower()}
        )
    if not duty.status.is_live:
        raise ConflictError(_("The status has ended; nothing is due any more."))
    errors = {}
    summary = str(fields.get("summary") or "")
    if not summary.strip():
        errors["summary"] = [_("Write the summary.")]
    answers, columns, definition = {}, {}, {}
    if duty.kind == Duty.Kind.REPORT:
        definition = reportform.of_schedule(selectors.schedule_for(duty.status.program))
        try:
            answers = reportform.validated(definition, fields)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        columns = reportform.columns_of(definition, answers)
    asks_plan = selectors.schedule_for(duty.status.program).asks_plan
    if not events and (duty.kind == Duty.Kind.PLAN or asks_plan):
        # Without a yearly plan (a member's self-analysis) the report may list no events.
        errors["events"] = [_("List at least one event.")]
    if errors:
        raise ValidationError(errors)
    submission = Submission.objects.create(
        duty=duty,
        number=duty.submissions.count() + 1,
        submitted_by=user,
        submitted_at=now,
        summary=summary,
        answers=answers,
        form=definition,
        **{k: v for k, v in columns.items() if v is not None},
    )
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(submission=submission, **event) for event in events
    )
    for uploaded in files:
        submission.attachments.add(document_create(uploaded=uploaded, author=user))
    paper.submission_paperwork(submission=submission, user=user)
    late = timezone.localdate(now) > duty.due_date
    event = _duty_move(
        duty,
        to=Duty.State.AT_METHODIST,
        actor=user,
        action="duty.submit",
        data={"submission": submission.pk, "late": late},
    )
    notify.duty_submitted(duty=duty, submission=submission, event=event)
    return submission


def _locked_open_submission(submission_id: int, expected: str) -> tuple[Submission, Duty]:
    """The duty, then its submission (the lock order of core.transactions, as the sweeps and
    `submission_create` lock the duty first)."""
    duty_id = Submission.objects.values_list("duty_id", flat=True).get(pk=submission_id)
    duty = _locked_duty(duty_id)
    submission = _locked_in_state(
        Submission.objects.select_related("duty"), submission_id, expected
    )
    return submission, duty


@service_transaction
def submission_check(*, user, submission_id: int, decision: str, comment: str = "") -> Submission:
    """A methodist accepts the submission for the council or returns it to the holder."""
    _require(user, CHECK)
    submission, duty = _locked_open_submission(submission_id, Submission.State.AT_METHODIST)
    _require(user, CHECK, duty.status.program_id)
    if decision not in ("accept", "return"):
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision == "return" and not comment.strip():
        raise ValidationError({"comment": [_("Say what must be corrected.")]})
    submission.methodist_comment = comment
    if decision == "accept":
        submission.state = Submission.State.AT_COUNCIL
        submission.save()
        event = _duty_move(
            duty, to=Duty.State.AT_COUNCIL, actor=user, action="duty.accept", comment=comment
        )
    else:
        submission.state = Submission.State.RETURNED
        submission.save()
        event = _duty_move(
            duty, to=Duty.State.RETURNED, actor=user, action="duty.return", comment=comment
        )
    notify.duty_reviewed(duty=duty, submission=submission, event=event)
    return submission


@service_transaction
def submission_council_decide(
    *, user, submission_id: int, decision: str, comment: str, meeting_date: date
) -> Submission:
    """The council's word on a plan or report. Called only by the signed protocol of the
    meeting whose agenda item points at this submission (`statuses.council`): the protocol's
    signatures are the authority, `user` is the meeting's secretary it is recorded by."""
    submission, duty = _locked_open_submission(submission_id, Submission.State.AT_COUNCIL)
    if decision not in ("accept", "return"):
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision == "return" and not comment.strip():
        raise ValidationError({"comment": [_("Say what must be corrected.")]})
    submission.council_comment = comment
    submission.council_meeting_date = meeting_date
    if decision == "accept":
        submission.state = Submission.State.ACCEPTED
        submission.save()
        duty.accepted_at = timezone.now()
        event = _duty_move(
            duty,
            to=Duty.State.ACCEPTED,
            actor=user,
            action="duty.council_accept",
            comment=comment,
            data={"meeting_date": meeting_date},
        )
    else:
        submission.state = Submission.State.RETURNED
        submission.save()
        event = _duty_move(
            duty,
            to=Duty.State.RETURNED,
            actor=user,
            action="duty.council_return",
            comment=comment,
            data={"meeting_date": meeting_date},
        )
    notify.duty_reviewed(duty=duty, submission=submission, event=event)
    return submission


# --- The sweeps (beat, `manage.py tick`, `simulate_lifecycle`) -----------------------------
#
# Each takes the moment it runs "as of", finds candidates with one query, then handles each row
# in its own transaction under a row lock and re-checks it there: two sweeps running at once,
# or one run twice, change and notify nothing twice.


def _each_locked(pks, load_locked, act, *, sweep: str, model: str) -> int:
    """The sweeps' loop: each candidate in its own transaction, locked and handed to `act`,
    which re-checks it (another sweep may have been first) and returns whether it acted.
    A row that raises is rolled back alone and recorded (`_sweep_failed`): the loop goes on
    with the others, and a row given up on after its attempts is skipped until an
    administrator sends it round again. Returns how many it acted on."""
    failures = dict(
        SweepFailure.objects.filter(sweep=sweep, model=model).values_list(
            "object_id", "given_up_at"
        )
    )
    count = 0
    for pk in pks:
        if failures.get(pk) is not None:
            continue  # given up: on the monitoring page, waiting for an administrator
        try:
            with transaction.atomic():
                if act(load_locked(pk)):
                    count += 1
        except Exception as exc:
            _sweep_failed(sweep=sweep, model=model, object_id=pk, exc=exc)
            continue
        if pk in failures:
            SweepFailure.objects.filter(sweep=sweep, model=model, object_id=pk).delete()
    return count


def _sweep_failed(*, sweep: str, model: str, object_id: int, exc: BaseException) -> None:
    """Count a failed attempt of a sweep on one row, in a transaction of its own (the row's
    was rolled back); at STATUS_SWEEP_MAX_ATTEMPTS give up on it: audited, and the
    administrators are told in the bell and by e-mail."""
    from django.conf import settings

    log.exception("Status sweep %s failed on %s #%s", sweep, model, object_id)
    error = (str(exc) or type(exc).__name__)[:2000]
    with transaction.atomic():
        failure, _created = SweepFailure.objects.select_for_update().get_or_create(
            sweep=sweep, model=model, object_id=object_id
        )
        if failure.given_up_at is not None:
            return
        failure.attempts += 1
        failure.last_error = error
        if failure.attempts >= settings.STATUS_SWEEP_MAX_ATTEMPTS:
            failure.given_up_at = timezone.now()
        failure.save()
        if failure.given_up_at is None:
            return
        event = audit_record(
            actor=None,
            action="status_sweep.failed",
            obj=failure,
            comment=error,
            data={
                "sweep": sweep,
                "model": model,
                "object_id": object_id,
                "attempts": failure.attempts,
            },
        )
        notify.sweep_failed(failure=failure, event=event)


@transaction.atomic
def sweep_failure_retry(*, failure_id: int, actor) -> SweepFailure:
    """An administrator sends a row the sweep gave up on round again: the next run tries it
    with a fresh set of attempts. Raises SweepFailure.DoesNotExist when there is none."""
    if not (actor.is_staff and actor.has_perm("statuses.change_sweepfailure")):
        raise NotAllowed(_("Only an administrator may do this."))
    failure = SweepFailure.objects.select_for_update().get(pk=failure_id, given_up_at__isnull=False)
    audit_record(
        actor=actor,
        action="status_sweep.retry",
        obj=failure,
        comment=failure.last_error,
        data={
            "sweep": failure.sweep,
            "model": failure.model,
            "object_id": failure.object_id,
            "attempts": failure.attempts,
        },
    )
    failure.delete()
    return failure


def duties_remind(*, now: datetime) -> int:
    """Remind the holder N working days before a deadline, once per configured offset. A
    sweep that starts late sends only the nearest reminder still ahead, not a burst."""
    today = timezone.localdate(now)
    candidates = Duty.objects.filter(
        state__in=Duty.OWED_STATES,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=120),
        status__state__in=Status.LIVE_STATES,
    ).values_list("pk", flat=True)

    def remind(duty: Duty) -> bool:
        if duty.state not in Duty.OWED_STATES or duty.due_date < today:
            return False
        offsets = selectors.schedule_for(duty.status.program).reminder_offsets
        # A reminder whose day came before the duty existed is not sent: the grant letter
        # already lists the deadlines.
        created = timezone.localdate(duty.created_at)
        due_now = [
            n
            for n in offsets
            if n not in duty.reminders_sent
            and created <= workdays.working_days_add(duty.due_date, -n) <= today
        ]
        if not due_now:
            return False
        nearest = min(due_now)
        duty.reminders_sent = sorted({*duty.reminders_sent, *due_now}, reverse=True)
        duty.save(update_fields=["reminders_sent", "updated_at"])
        audit_record(
            actor=None,
            action="duty.remind",
            obj=duty,
            data={"status": duty.status_id, "working_days": nearest, "skipped": due_now},
        )
        notify.duty_reminder(duty=duty, working_days=nearest)
        return True

    return _each_locked(candidates, _locked_duty, remind, sweep="remind", model="duty")


def duties_missed(*, now: datetime) -> int:
    """The day after a deadline with nothing accepted or under review: tell the holder and
    the methodists, once."""
    today = timezone.localdate(now)
    candidates = Duty.objects.filter(
        state__in=Duty.OWED_STATES,
        due_date__lt=today,
        missed_at__isnull=True,
        status__state__in=Status.LIVE_STATES,
    ).values_list("pk", flat=True)

    def miss(duty: Duty) -> bool:
        if duty.state not in Duty.OWED_STATES or duty.missed_at or duty.due_date >= today:
            return False
        duty.missed_at = now
        duty.save(update_fields=["missed_at", "updated_at"])
        audit_record(actor=None, action="duty.missed", obj=duty, data={"status": duty.status_id})
        notify.duty_missed(duty=duty)
        return True

    return _each_locked(candidates, _locked_duty, miss, sweep="missed", model="duty")


def duties_escalate(*, now: datetime) -> int:
    """Still missing after the grace period (working days): the council's secretary is told,
    so it goes on the council's agenda; once."""
    today = timezone.localdate(now)
    candidates = Duty.objects.filter(
        state__in=Duty.OWED_STATES,
        missed_at__isnull=False,
        escalated_at__isnull=True,
        status__state__in=Status.LIVE_STATES,
    ).values_list("pk", flat=True)

    def escalate(duty: Duty) -> bool:
        if duty.state not in Duty.OWED_STATES or duty.escalated_at:
            return False
        grace = selectors.schedule_for(duty.status.program).grace_working_days
        if today <= workdays.working_days_add(duty.due_date, grace):
            return False
        duty.escalated_at = now
        duty.save(update_fields=["escalated_at", "updated_at"])
        audit_record(
            actor=None,
            action="duty.escalate",
            obj=duty,
            data={"status": duty.status_id, "grace_working_days": grace},
        )
        notify.duty_escalated(duty=duty)
        return True

    return _each_locked(candidates, _locked_duty, escalate, sweep="escalate", model="duty")


def statuses_invite_renewal(*, now: datetime) -> int:
    """N months before the end of an active status, invite its holders to apply for renewal;
    once per term end."""
    today = timezone.localdate(now)
    candidates = Status.objects.filter(
        state=Status.State.ACTIVE, valid_until__gte=today
    ).select_related("program")
    due = []
    for status in candidates:
        months = selectors.schedule_for(status.program).renewal_invite_months
        if schedule.months_before(status.valid_until, months) <= today:
            due.append(status.pk)

    def invite(locked: Status) -> bool:
        months = selectors.schedule_for(locked.program).renewal_invite_months
        key = f"renewal_invite:{locked.valid_until.isoformat()}"
        if locked.state != Status.State.ACTIVE or selectors.status_has_event(locked, key):
            return False
        if schedule.months_before(locked.valid_until, months) > today:
            return False  # renewed meanwhile
        audit_record(
            actor=None,
            action="status.renewal_invite",
            obj=locked,
            data={"key": key, "months": months},
        )
        notify.renewal_invited(status=locked)
        return True

    return _each_locked(due, _locked, invite, sweep="renewal_invite", model="status")


def statuses_expire(*, now: datetime) -> int:
    """The day after valid_until an active or suspended status expires; a renewal under
    review keeps it until the decision. Runs any number of times; each status expires once."""
    today = timezone.localdate(now)
    candidates = Status.objects.filter(
        state__in=[Status.State.ACTIVE, Status.State.SUSPENDED], valid_until__lt=today
    ).values_list("pk", flat=True)

    def expire(status: Status) -> bool:
        if status.state not in (Status.State.ACTIVE, Status.State.SUSPENDED):
            return False
        if status.valid_until >= today:
            return False
        open_duties = _open_duties_locked(status)
        _status_move(status, "expire", actor=None, today=today)
        _duties_cancel(status, actor=None, open_duties=open_duties)
        return True

    return _each_locked(candidates, _locked, expire, sweep="expire", model="status")


def lifecycle_sweep(*, now: datetime) -> dict:
    """Everything periodic of statuses, in the order a day goes: expire first (an expired
    status owes nothing), then invitations, reminders, missed notices, escalations."""
    return {
        "expired": statuses_expire(now=now),
        "renewal_invited": statuses_invite_renewal(now=now),
        "reminded": duties_remind(now=now),
        "missed": duties_missed(now=now),
        "escalated": duties_escalate(now=now),
    }


# --- Early termination and problem notices --------------------------------------------------


def _require_holder(user, status: Status) -> None:
    if not selectors.status_holders(status).filter(pk=user.pk).exists():
        raise NotAllowed(_("You do not act for %(org)s.") % {"org": status.organisation})


def _require_live(status: Status) -> None:
    if not status.is_live:
        raise ConflictError(
            _("The status is %(state)s; this cannot be done now.")
            % {"state": status.get_state_display().lower()}
        )


def _require_no_open_termination(status: Status) -> None:
    if status.termination_cases.filter(state__in=TerminationCase.OPEN_STATES).exists():
        raise ConflictError(_("An early termination of this status is already under way."))


@service_transaction
def termination_request(*, user, status_id: int, reason: str) -> TerminationCase:
    """The holder asks to end the status early; the council considers it first."""
    status = _locked(status_id)
    _require_holder(user, status)
    _require_live(status)
    _require_no_open_termination(status)
    if not reason.strip():
        raise ValidationError({"reason": [_("State the reason for the termination.")]})
    case = TerminationCase.objects.create(
        status=status,
        grounds=TerminationCase.Grounds.REQUEST,
        reason=reason,
        state=TerminationCase.State.AT_COUNCIL,
        requested_by=user,
    )
    event = audit_record(
        actor=user,
        action="termination.request",
        obj=status,
        to_state=case.state,
        comment=reason,
        data={"case": case.pk},
    )
    notify.termination_moved(case=case, event=event)
    return case


def _require_grounds(grounds: str, reason: str, *, allowed) -> None:
    """Grounds the programme knows, and a reason, for a termination the staff bring."""
    errors = {}
    if grounds not in allowed:
        errors["grounds"] = [_("Choose the grounds.")]
    if not reason.strip():
        errors["reason"] = [_("State the reason for the termination.")]
    if errors:
        raise ValidationError(errors)


@service_transaction
def termination_raise(*, user, status_id: int, grounds: str, reason: str) -> TerminationCase:
    """A methodist of the programme brings the early termination of a status before the
    council, on one of the programme's grounds (Program.termination_grounds); the council
    decides it at a meeting as it decides a holder's request."""
    _require(user, CHECK)
    status = _locked(status_id)
    _require(user, CHECK, status.program_id)
    _require_live(status)
    _require_no_open_termination(status)
    _require_grounds(grounds, reason, allowed=dict(grounds_choices(status.program)))
    case = TerminationCase.objects.create(
        status=status,
        grounds=grounds,
        reason=reason,
        state=TerminationCase.State.AT_COUNCIL,
        requested_by=user,
    )
    event = audit_record(
        actor=user,
        action="termination.raise",
        obj=status,
        to_state=case.state,
        comment=f"{case.grounds_label}: {reason}",
        data={"case": case.pk, "grounds": grounds},
    )
    notify.termination_moved(case=case, event=event)
    return case


def _settled_by_council(case: TerminationCase, status: Status, *, user, meeting_date) -> None:
    """Where the council's decision settles a programme's cases, it also ends the status: no
    order follows, the decision of that meeting is the ground."""
    case.state = TerminationCase.State.APPROVED
    case.save()
    status_terminate(
        status_id=status.pk,
        actor=user,
        reason=f"{case.grounds_label}: {case.reason}",
        order=None,
        today=meeting_date,
    )


@service_transaction
def termination_propose(
    *, user, status_id: int, grounds: str, reason: str, meeting_date: date
) -> TerminationCase:
    """The council decided, on grounds, to end the status early; the department approves it
    by order. Called only by a signed protocol (a missed report on the agenda)."""
    status = _locked(status_id)
    _require_live(status)
    _require_no_open_termination(status)
    allowed = {TerminationCase.Grounds.REPORTS, *dict(grounds_choices(status.program))}
    _require_grounds(grounds, reason, allowed=allowed)
    case = TerminationCase.objects.create(
        status=status,
        grounds=grounds,
        reason=reason,
        state=TerminationCase.State.AT_DEPARTMENT,
        requested_by=user,
        council_comment=reason,
        council_meeting_date=meeting_date,
    )
    action = "termination.council_propose"
    if status.program.settled_by_council:
        _settled_by_council(case, status, user=user, meeting_date=meeting_date)
        action = "termination.council_terminate"
    event = audit_record(
        actor=user,
        action=action,
        obj=status,
        to_state=case.state,
        comment=f"{case.grounds_label}: {reason}",
        data={"case": case.pk, "meeting_date": meeting_date},
    )
    notify.termination_moved(case=case, event=event)
    return case


def _locked_case(case_id: int, expected: str) -> tuple[TerminationCase, Status]:
    """The status, then the case (core.transactions: `termination_request`, the expiry sweep
    and every status move lock the status first)."""
    status_id = TerminationCase.objects.values_list("status_id", flat=True).get(pk=case_id)
    status = _locked(status_id)
    return _locked_in_state(TerminationCase.objects, case_id, expected), status


@service_transaction
def termination_council_decide(
    *, user, case_id: int, decision: str, comment: str, meeting_date: date
) -> TerminationCase:
    """The council supports a request brought to it (on to the department, or the status
    ends where the council settles the programme's cases) or rejects it. Called only by the
    signed protocol of the meeting that considered it."""
    case, status = _locked_case(case_id, TerminationCase.State.AT_COUNCIL)
    if decision not in ("support", "reject"):
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision == "reject" and not comment.strip():
        raise ValidationError({"comment": [_("Give the reasons.")]})
    previous = case.state
    case.state = (
        TerminationCase.State.AT_DEPARTMENT
        if decision == "support"
        else TerminationCase.State.REJECTED
    )
    case.council_comment = comment
    case.council_meeting_date = meeting_date
    case.save()
    action = f"termination.council_{decision}"
    if decision == "support" and status.program.settled_by_council:
        _settled_by_council(case, status, user=user, meeting_date=meeting_date)
        action = "termination.council_terminate"
    event = audit_record(
        actor=user,
        action=action,
        obj=status,
        from_state=previous,
        to_state=case.state,
        comment=comment,
        data={"case": case.pk, "meeting_date": meeting_date},
    )
    notify.termination_moved(case=case, event=event)
    return case


@service_transaction
def termination_department_decide(
    *,
    user,
    case_id: int,
    decision: str,
    comment: str = "",
    order_number: str = "",
    order_date: date | None = None,
) -> TerminationCase:
    """The department approves the termination by order (the status ends that day) or
    refuses it (the status goes on)."""
    from applications.services import _order_for  # the same "one order, several decisions" rule

    _require(user, APPROVE)
    case, status = _locked_case(case_id, TerminationCase.State.AT_DEPARTMENT)
    _require(user, APPROVE, status.program_id)
    if decision == "approve":
        if not order_number.strip() or order_date is None:
            raise ValidationError(
                {"order_number": [_("Give the number and the date of the order.")]}
            )
        order = _order_for(program=status.program, number=order_number, date=order_date, user=user)
        case.order = order
        case.state = TerminationCase.State.APPROVED
        case.department_comment = comment
        case.save()
        reason = f"{case.grounds_label}: {case.reason}"
        status_terminate(
            status_id=status.pk, actor=user, reason=reason, order=order, today=order_date
        )
        action = "termination.approve"
    elif decision == "reject":
        if not comment.strip():
            raise ValidationError({"comment": [_("Give the reasons.")]})
        case.state = TerminationCase.State.REJECTED
        case.department_comment = comment
        case.save()
        action = "termination.department_reject"
    else:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    event = audit_record(
        actor=user,
        action=action,
        obj=status,
        from_state=TerminationCase.State.AT_DEPARTMENT,
        to_state=case.state,
        comment=comment or str(case.order or ""),
        data={"case": case.pk, "order": case.order_id},
    )
    notify.termination_moved(case=case, event=event)
    return case


@service_transaction
def problem_report(
    *, user, status_id: int, description: str, kind: str = ProblemNotice.Kind.PROBLEM
) -> ProblemNotice:
    """The holder reports a problem that may disrupt the platform; it goes to the council."""
    status = _locked(status_id)
    _require_holder(user, status)
    _require_live(status)
    if kind not in ProblemNotice.Kind.values or (
        kind == ProblemNotice.Kind.PROPOSAL and not status.program.takes_proposals
    ):
        raise ValidationError({"kind": [_("Choose what you send to the council.")]})
    if not description.strip():
        raise ValidationError(
            {
                "description": [
                    _("Describe the proposal.")
                    if kind == ProblemNotice.Kind.PROPOSAL
                    else _("Describe the problem.")
                ]
            }
        )
    notice = ProblemNotice.objects.create(
        status=status, kind=kind, description=description, reported_by=user
    )
    event = audit_record(
        actor=user,
        action="problem.report",
        obj=status,
        comment=description,
        data={"notice": notice.pk},
    )
    notify.problem_moved(notice=notice, event=event)
    return notice


@service_transaction
def problem_council_decide(
    *, user, notice_id: int, decision: str, meeting_date: date
) -> ProblemNotice:
    """The council's decision on a problem notice. Called only by the signed protocol of the
    meeting that considered it."""
    notice = _locked_in_state(ProblemNotice.objects, notice_id, ProblemNotice.State.AT_COUNCIL)
    if not decision.strip():
        raise ValidationError({"decision": [_("Write the council's decision.")]})
    notice.state = ProblemNotice.State.CONSIDERED
    notice.council_decision = decision
    notice.council_meeting_date = meeting_date
    notice.save()
    event = audit_record(
        actor=user,
        action="problem.decide",
        obj=notice.status,
        comment=decision,
        data={"notice": notice.pk, "meeting_date": meeting_date},
    )
    notify.problem_moved(notice=notice, event=event)
    return notice


# --- The network's yearly report -------------------------------------------------------------


@service_transaction
def network_report_compile(*, user, program, academic_year: int) -> NetworkReport:
    """Compile (or re-compile, while the council has not accepted it) the network's report of
    one academic year from the accepted platform reports; it goes to the council."""
    _require(user, CHECK, program.pk)
    data = selectors.network_report_compile_data(program=program, academic_year=academic_year)
    report = (
        lock(NetworkReport.objects).filter(program=program, academic_year=academic_year).first()
    )
    if report and report.state == NetworkReport.State.ACCEPTED:
        raise ConflictError(_("The council has already accepted this report; it is final."))
    if not data["platforms"]:
        raise ConflictError(_("No platform report of this year has been accepted yet."))
    if report is None:
        report = NetworkReport(program=program, academic_year=academic_year)
    report.data = data
    report.compiled_at = timezone.now()
    report.compiled_by = user
    report.state = NetworkReport.State.AT_COUNCIL
    report.save()
    paper.network_report_paperwork(report=report, user=user)
    event = audit_record(
        actor=user,
        action="network_report.compile",
        obj=report,
        to_state=report.state,
        data={"platforms": len(data["platforms"]), "missing": len(data["missing"])},
    )
    notify.network_report_moved(report=report, event=event)
    return report


@service_transaction
def network_report_council_decide(
    *, user, report_id: int, comment: str, meeting_date: date
) -> NetworkReport:
    """The council accepts the network's report. Called only by the signed protocol of the
    meeting that considered it."""
    report = _locked_in_state(NetworkReport.objects, report_id, NetworkReport.State.AT_COUNCIL)
    report.state = NetworkReport.State.ACCEPTED
    report.council_comment = comment
    report.council_meeting_date = meeting_date
    report.save()
    event = audit_record(
        actor=user,
        action="network_report.accept",
        obj=report,
        from_state=NetworkReport.State.AT_COUNCIL,
        to_state=report.state,
        comment=comment,
        data={"meeting_date": meeting_date},
    )
    notify.network_report_moved(report=report, event=event)
    return report


def status_certificate_issue(*, status: Status, term=None) -> Document:
    """The certificate of the granted status, registered and prepared; for a renewal `term` is
    the term it adds, certified by its own document of the renewal application (the first
    one's end date and order no longer hold). Idempotent per application."""
    application = term.application if term else status.application
    existing = (
        document_selectors.documents_of(application)
        .filter(kind=Document.Kind.STATUS_CERTIFICATE)
        .first()
    )
    if existing:
        return existing
    signer = selectors.grant_grounds(application=application).signer
    document = documents.document_draft(
        kind=Document.Kind.STATUS_CERTIFICATE,
        title=str(_("Status certificate")),
        author=signer,
        owner_org_id=application.organisation_id,
        case=application,
    )
    documents.journal_register(
        document=document,
        journal_code="status_certificate",
        scope=status.program.code,
        on=term.valid_from if term else status.valid_from,
        actor=signer,
    )
    documents.print_form_request(
        document=document,
        form="status_certificate",
        context=paperwork.status_certificate_context(status=status, term=term),
        actor=signer,
        scope=status.program.code,
    )
    return document


# --- A programme ended by an order ----------------------------------------------------------


@service_transaction
def program_liquidate(
    *, user, program_id: int, order_number: str, order_date: date, reason: str = ""
) -> Program:
    """The authority's order ends the programme (Klin 4.1: «создаётся и ликвидируется на
    основании приказа»): it stops accepting applications, every status in force ends by that
    order on its date (duties cancelled, holders told), and nothing more is accepted. Refused
    while an application is still under review: it is decided first."""
    from applications.services import _order_for  # the same "one order, several decisions"

    _require(user, APPROVE)
    program = lock(Program.objects).get(pk=program_id)
    _require(user, APPROVE, program.pk)
    if program.liquidated_on is not None:
        raise ConflictError(_("The programme is already liquidated."))
    if not order_number.strip() or order_date is None:
        raise ValidationError({"order_number": [_("Give the number and the date of the order.")]})
    open_cases = Application.objects.filter(
        program=program,
        state__in=[
            Application.State.AT_METHODIST,
            Application.State.AT_COUNCIL,
            Application.State.AT_DEPARTMENT,
        ],
    )
    if open_cases.exists():
        numbers = ", ".join(open_cases.order_by("pk").values_list("reg_number", flat=True)[:10])
        raise ConflictError(
            _("Applications are still under review (%(numbers)s): decide them first.")
            % {"numbers": numbers}
        )
    order = _order_for(program=program, number=order_number, date=order_date, user=user)
    with translation.override("ru"):  # kept on each status: the record's language
        words = _("The programme is liquidated by order No. %(number)s of %(date)s") % {
            "number": order.number,
            "date": order.date.strftime("%d.%m.%Y"),
        }
    text = f"{words}. {reason}".strip() if reason.strip() else words
    ended = 0
    for status_id in Status.objects.filter(
        program=program, state__in=Status.LIVE_STATES
    ).values_list("pk", flat=True):
        status_terminate(
            status_id=status_id, actor=user, reason=text, order=order, today=order_date
        )
        ended += 1
    program.is_active = False
    program.liquidated_on = order_date
    program.liquidation_order = str(order)
    program.save(update_fields=["is_active", "liquidated_on", "liquidation_order", "updated_at"])
    audit_record(
        actor=user,
        action="program.liquidate",
        obj=program,
        comment=text,
        data={"order": order.pk, "statuses_ended": ended},
    )
    return program


@service_transaction
def programme_document_add(*, user, program_id: int, role: str, uploaded) -> ProgrammeDocument:
    """Store a document of the programme (its creating order, its Положение…) and register it
    in the programme documents' journal."""
    program = Program.objects.get(pk=program_id)
    if role not in ProgrammeDocument.Role.values:
        raise ValidationError({"role": [_("Choose what the document is.")]})
    label = str(ProgrammeDocument.Role(role).label)
    document = document_create(
        uploaded=uploaded, author=user, title=f"{label}: {program.title}"[:500], case=program
    )
    documents.journal_register(
        document=document, journal_code="programme_documents", scope=program.code, actor=user
    )
    row = ProgrammeDocument.objects.create(program=program, role=role, document=document)
    audit_record(
        actor=user,
        action="program.document_add",
        obj=program,
        data={"document": document.pk, "role": role},
    )
    return row
