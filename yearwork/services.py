"""Writes of the programme's year of work; each change audited, people told on commit."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from communities import services as communities
from core.errors import ConflictError, NotAllowed
from core.transactions import lock, service_transaction
from programmes.models import Program
from statuses import workdays

from . import notify, selectors
from .models import Assignment, Participation, WorkPlan, WorkPlanItem

_NOT_YOURS = _("This step is for another role; you cannot take it.")


def _drafted(user, plan_id: int) -> WorkPlan:
    plan = lock(WorkPlan.objects).get(pk=plan_id)
    if not selectors.may_draft(user, plan):
        raise NotAllowed(_NOT_YOURS)
    if plan.state != WorkPlan.State.DRAFT:
        raise ConflictError(_("The plan is before the council or approved; it is not changed."))
    return plan


def _gather(plan: WorkPlan) -> int:
    """Add the communities' items of the year not in the plan yet."""
    have = set(plan.items.exclude(source=None).values_list("source_id", flat=True))
    new = [
        WorkPlanItem(
            plan=plan,
            title=item.title,
            due=item.due,
            responsible=item.responsible,
            source=item,
        )
        for item in selectors.community_items(plan.program_id, plan.academic_year)
        if item.pk not in have
    ]
    WorkPlanItem.objects.bulk_create(new)
    return len(new)


@service_transaction
def work_plan_create(*, user, program_id: int, academic_year: int) -> WorkPlan:
    """The secretary drafts the year's plan; the curated communities' plans of that year are
    gathered into it (Klin 3.2: «с учетом годовых планов курируемых сообществ»)."""
    program = selectors.programs_to_plan(user).filter(pk=program_id).first()
    if program is None:
        raise NotAllowed(_NOT_YOURS)
    if not 2000 <= academic_year <= 2100:
        raise ValidationError({"academic_year": [_("Give the academic year's first year.")]})
    if WorkPlan.objects.filter(program=program, academic_year=academic_year).exists():
        raise ValidationError(
            {"academic_year": [_("The programme has a plan for this academic year already.")]}
        )
    try:
        plan = WorkPlan.objects.create(
            program=program, academic_year=academic_year, drafted_by=user
        )
    except IntegrityError:  # a colleague drafted it a moment ago
        raise ValidationError(
            {"academic_year": [_("The programme has a plan for this academic year already.")]}
        ) from None
    gathered = _gather(plan)
    audit_record(
        actor=user,
        action="work_plan.create",
        obj=plan,
        data={"academic_year": academic_year, "gathered": gathered},
    )
    return plan


@service_transaction
def work_plan_gather(*, user, plan_id: int) -> int:
    """Bring in what the communities planned since the draft was made."""
    plan = _drafted(user, plan_id)
    gathered = _gather(plan)
    audit_record(actor=user, action="work_plan.gather", obj=plan, data={"gathered": gathered})
    return gathered


def _checked_item(plan: WorkPlan, *, title: str, responsible: str, responsible_user_id) -> dict:
    errors = {}
    if not title.strip():
        errors["title"] = [_("Name the event.")]
    if not responsible.strip():
        errors["responsible"] = [_("Say who answers for it.")]
    person = None
    if responsible_user_id:
        person = (
            selectors.participants_candidates(plan.program_id)
            .filter(pk=responsible_user_id)
            .first()
        )
        if person is None:
            errors["responsible_user"] = [_("The responsible member is one of the programme's.")]
    if errors:
        raise ValidationError(errors)
    return {"title": title.strip(), "responsible": responsible.strip(), "responsible_user": person}


@service_transaction
def work_plan_item_add(
    *, user, plan_id: int, title: str, due, responsible: str, responsible_user_id=None
) -> WorkPlanItem:
    plan = _drafted(user, plan_id)
    fields = _checked_item(
        plan, title=title, responsible=responsible, responsible_user_id=responsible_user_id
    )
    item = WorkPlanItem.objects.create(plan=plan, due=due, **fields)
    audit_record(actor=user, action="work_plan.item_add", obj=plan, data={"item": item.pk})
    return item


@service_transaction
def work_plan_item_remove(*, user, item_id: int) -> None:
    plan_id = WorkPlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    plan = _drafted(user, plan_id)
    item = plan.items.get(pk=item_id)
    audit_record(
        actor=user,
        action="work_plan.item_remove",
        obj=plan,
        data={"item": item.pk, "title": item.title[:200]},
    )
    item.delete()


@service_transaction
def participation_set(*, user, plan_id: int, member_id: int, part: str) -> Participation | None:
    """The member's proposed part in the year's work; an empty text takes it off the plan."""
    plan = _drafted(user, plan_id)
    member = selectors.participants_candidates(plan.program_id).filter(pk=member_id).first()
    if member is None:
        raise ValidationError({"member": [_("Choose one of the programme's members.")]})
    part = part.strip()
    if not part:
        deleted, _rows = Participation.objects.filter(plan=plan, member=member).delete()
        if deleted:
            audit_record(
                actor=user,
                action="work_plan.participation_remove",
                obj=plan,
                data={"member": member.pk},
            )
        return None
    row, created = Participation.objects.update_or_create(
        plan=plan, member=member, defaults={"part": part}
    )
    audit_record(
        actor=user,
        action="work_plan.participation_set",
        obj=plan,
        data={"member": member.pk, "created": created},
    )
    return row


@service_transaction
def work_plan_submit(*, user, plan_id: int) -> WorkPlan:
    """Put the draft before the council: it joins the next meeting's agenda."""
    plan = _drafted(user, plan_id)
    if not plan.items.exists():
        raise ValidationError({"__all__": [_("The plan has no items yet.")]})
    if not hasattr(plan.program, "council"):
        raise ConflictError(_("The programme has no council to approve the plan."))
    plan.state = WorkPlan.State.AT_COUNCIL
    plan.save(update_fields=["state", "updated_at"])
    audit_record(actor=user, action="work_plan.submit", obj=plan)
    return plan


@service_transaction
def work_plan_council_decide(*, user, plan_id: int, adopted: bool, decision: str, meeting_date):
    """The signed protocol's word: approved (members told of their parts), or back to the
    drafter with the decision as the reason."""
    plan = lock(WorkPlan.objects).get(pk=plan_id)
    if plan.state != WorkPlan.State.AT_COUNCIL:
        return plan  # released once already
    plan.council_decision = decision
    if adopted:
        plan.state, plan.approved_on = WorkPlan.State.APPROVED, meeting_date
    else:
        plan.state = WorkPlan.State.DRAFT
    plan.save(update_fields=["state", "approved_on", "council_decision", "updated_at"])
    audit_record(
        actor=user,
        action="work_plan.approve" if adopted else "work_plan.return",
        obj=plan,
        comment=decision,
        data={"meeting_date": meeting_date.isoformat()},
    )
    notify.plan_decided(plan, adopted=adopted)
    return plan


@service_transaction
def work_plan_item_done(*, user, item_id: int, done_on, result: str) -> WorkPlanItem:
    """Execution marked (5.2): a community's item through the community, others here."""
    item = WorkPlanItem.objects.select_related("plan", "source__community").get(pk=item_id)
    if item.plan.state != WorkPlan.State.APPROVED:
        raise ConflictError(_("Execution is marked on an approved plan."))
    if not selectors.may_mark(user, item):
        raise NotAllowed(_NOT_YOURS)
    if item.source_id:
        communities.plan_item_done(
            user=user, item_id=item.source_id, done_on=done_on, result=result
        )
        return item
    item = lock(WorkPlanItem.objects).get(pk=item_id)
    if not result.strip():
        raise ValidationError({"result": [_("Say what came of it.")]})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("It cannot have been held after today.")]})
    item.done_on, item.result = done_on, result.strip()
    item.save(update_fields=["done_on", "result", "updated_at"])
    audit_record(
        actor=user,
        action="work_plan.item_done",
        obj=item.plan,
        data={"item": item.pk, "done_on": done_on.isoformat()},
    )
    return item


# --- Assignments ----------------------------------------------------------------------------


@service_transaction
def assignment_issue(
    *, user, program_id: int, title: str, description: str, due, assignee_id: int
) -> Assignment:
    """The approving body gives the programme a task, due by a date, to one of its people."""
    if not selectors.may_issue(user, program_id):
        raise NotAllowed(_NOT_YOURS)
    program = Program.objects.get(pk=program_id)
    errors = {}
    if not title.strip():
        errors["title"] = [_("Say what is to be done.")]
    if due < timezone.localdate():
        errors["due"] = [_("The due date cannot be in the past.")]
    assignee = selectors.assignees(program.pk).filter(pk=assignee_id).first()
    if assignee is None:
        errors["assignee"] = [_("Choose a council member or a member of the programme.")]
    if errors:
        raise ValidationError(errors)
    assignment = Assignment.objects.create(
        program=program,
        title=title.strip(),
        description=description.strip(),
        due=due,
        issued_by=user,
        assignee=assignee,
    )
    audit_record(
        actor=user,
        action="assignment.issue",
        obj=assignment,
        data={"assignee": assignee.pk, "due": due.isoformat()},
    )
    notify.assignment_given(assignment)
    return assignment


def _locked(assignment_id: int) -> Assignment:
    return lock(Assignment.objects).get(pk=assignment_id)


@service_transaction
def assignment_report(*, user, assignment_id: int, report: str) -> Assignment:
    """The person carrying it out says what was done; the one who gave it accepts."""
    assignment = _locked(assignment_id)
    if assignment.assignee_id != user.pk:
        raise NotAllowed(_("The person carrying out the assignment reports on it."))
    if assignment.state != Assignment.State.OPEN:
        raise ConflictError(_("The assignment is not in progress."))
    if not report.strip():
        raise ValidationError({"report": [_("Say what was done.")]})
    assignment.state, assignment.report = Assignment.State.REPORTED, report.strip()
    assignment.reported_at = timezone.now()
    assignment.save(update_fields=["state", "report", "reported_at", "updated_at"])
    audit_record(actor=user, action="assignment.report", obj=assignment)
    notify.assignment_reported(assignment)
    return assignment


@service_transaction
def assignment_close(*, user, assignment_id: int, decision: str, comment: str) -> Assignment:
    """Accepted: done. Not accepted: back in progress with the comment saying what is missing."""
    assignment = _locked(assignment_id)
    if not (assignment.issued_by_id == user.pk or selectors.may_issue(user, assignment.program_id)):
        raise NotAllowed(_NOT_YOURS)
    if assignment.state != Assignment.State.REPORTED:
        raise ConflictError(_("Nothing has been reported on the assignment yet."))
    if decision not in ("accept", "return"):
        raise ValidationError({"decision": [_("Accept it or return it.")]})
    accept = decision == "accept"
    if not accept and not comment.strip():
        raise ValidationError({"comment": [_("Say what is missing.")]})
    assignment.comment = comment.strip()
    if accept:
        assignment.state, assignment.closed_at = Assignment.State.DONE, timezone.now()
    else:
        assignment.state = Assignment.State.OPEN
    assignment.save(update_fields=["state", "comment", "closed_at", "updated_at"])
    audit_record(
        actor=user,
        action="assignment.accept" if accept else "assignment.return",
        obj=assignment,
        comment=comment,
    )
    notify.assignment_closed(assignment, accepted=accept)
    return assignment


@service_transaction
def assignment_cancel(*, user, assignment_id: int, reason: str) -> Assignment:
    assignment = _locked(assignment_id)
    if not (assignment.issued_by_id == user.pk or selectors.may_issue(user, assignment.program_id)):
        raise NotAllowed(_NOT_YOURS)
    if not assignment.is_open:
        raise ConflictError(_("The assignment is closed already."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why it is cancelled.")]})
    assignment.state, assignment.closed_at = Assignment.State.CANCELLED, timezone.now()
    assignment.comment = reason.strip()
    assignment.save(update_fields=["state", "comment", "closed_at", "updated_at"])
    audit_record(actor=user, action="assignment.cancel", obj=assignment, comment=reason)
    notify.assignment_closed(assignment, accepted=False, cancelled=True)
    return assignment


def assignments_sweep(*, now, remind_days: int = 3) -> dict:
    """Remind of assignments due within `remind_days` working days and tell of those overdue
    (the assignee, and the giver too); each letter once, marked on the row, so the beat may
    run it as often as it likes."""
    today = timezone.localdate(now)
    until = workdays.working_days_add(today, remind_days)
    told = {"reminded": 0, "overdue": 0}
    for pk in selectors.assignments_to_remind(today, until).values_list("pk", flat=True):
        told["reminded"] += _tell_once(pk, "reminded_at", notify.assignment_due_soon, now)
    for pk in selectors.assignments_overdue(today).values_list("pk", flat=True):
        told["overdue"] += _tell_once(pk, "overdue_told_at", notify.assignment_overdue, now)
    return told


@service_transaction
def _tell_once(pk: int, mark: str, tell, now) -> int:
    assignment = lock(Assignment.objects).filter(pk=pk, state=Assignment.State.OPEN).first()
    if assignment is None or getattr(assignment, mark) is not None:
        return 0
    setattr(assignment, mark, now)
    assignment.save(update_fields=[mark, "updated_at"])
    tell(assignment)
    return 1
