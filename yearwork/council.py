"""The plan of work as a council agenda subject (registered in `apps.py`): a submitted plan
waits for the programme's council; the signed protocol approves it or returns it."""

from django.urls import reverse

from core.transactions import STATUS_CASE

from . import selectors, services
from .models import WorkPlan


def plan_release(item, *, subject, protocol, extract, actor) -> None:
    """Adopted: approved on the meeting's date; not adopted: back to its drafter. Postponed:
    it keeps waiting for the next agenda, as every subject does."""
    if item.outcome == "postponed":
        from audit.services import audit_record

        audit_record(
            actor=actor,
            action="work_plan.council_postpone",
            obj=subject,
            comment=item.decided,
            data={"meeting_date": item.meeting.date.isoformat(), "item": item.pk},
        )
        return
    services.work_plan_council_decide(
        user=actor,
        plan_id=subject.pk,
        adopted=item.outcome == "adopted",
        decision=item.decided,
        meeting_date=item.meeting.date,
    )


def register_subjects() -> None:
    from councils import subjects
    from councils.models import AgendaItem

    subjects.register(
        subjects.AgendaSubject(
            model=WorkPlan,
            kind=AgendaItem.Kind.PLAN,
            waiting=selectors.plans_waiting,
            title=lambda plan: f"{plan} ({plan.program.title})",
            release=plan_release,
            url=lambda plan: reverse("work-plan-detail", args=[plan.pk]),
            locks=lambda plan: [(STATUS_CASE, WorkPlan, plan.pk)],
        )
    )
