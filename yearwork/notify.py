"""Letters of the programme's year of work: written in the transaction of the change, in
Russian, one per event (the dedup key names it)."""

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.urls import absolute_url
from notifications.models import Kind
from notifications.services import notify

from .models import Assignment, WorkPlan


def _tell(*, recipients, kind, subject, message, url, key, details=()):
    with translation.override("ru"):
        notify(
            recipients=recipients,
            kind=kind,
            subject=str(subject),
            template="status_notice",
            context={"message": str(message), "details": [str(d) for d in details]},
            url=absolute_url(url),
            dedup_key=key,
        )


def plan_decided(plan: WorkPlan, *, adopted: bool) -> None:
    """Approved: the drafter and every member whose part it proposes; returned: the drafter."""
    url = reverse("work-plan-detail", args=[plan.pk])
    with translation.override("ru"):
        if not adopted:
            _tell(
                recipients=[plan.drafted_by],
                kind=Kind.DECISION_TAKEN,
                subject=_("The council returned the plan of work"),
                message=_("%(plan)s was returned for revision: %(decision)s")
                % {"plan": plan, "decision": plan.council_decision},
                url=url,
                key=f"work-plan:{plan.pk}:returned:{plan.updated_at.isoformat()}",
            )
            return
        _tell(
            recipients=[plan.drafted_by],
            kind=Kind.DECISION_TAKEN,
            subject=_("The council approved the plan of work"),
            message=_("%(plan)s of %(program)s was approved on %(date)s.")
            % {"plan": plan, "program": plan.program.title, "date": _d(plan.approved_on)},
            url=url,
            key=f"work-plan:{plan.pk}:approved",
        )
        for row in plan.participations.select_related("member"):
            _tell(
                recipients=[row.member],
                kind=Kind.DECISION_TAKEN,
                subject=_("Your part in the year's methodical work"),
                message=_("The council approved %(plan)s. Your part in it: %(part)s")
                % {"plan": plan, "part": row.part},
                url=url,
                key=f"work-plan:{plan.pk}:part:{row.member_id}",
            )


def _d(day) -> str:
    return date_format(day, "d.m.Y")


def _about(assignment: Assignment) -> list[str]:
    return [
        _("Programme: %(p)s") % {"p": assignment.program.title},
        _("Due: %(d)s") % {"d": _d(assignment.due)},
    ]


def _url(assignment: Assignment) -> str:
    return reverse("assignment-detail", args=[assignment.pk])


def assignment_given(assignment: Assignment) -> None:
    with translation.override("ru"):
        _tell(
            recipients=[assignment.assignee],
            kind=Kind.TASK_ASSIGNED,
            subject=_("An assignment for you: %(t)s") % {"t": assignment.title[:150]},
            message=_("%(who)s gave you an assignment: %(t)s")
            % {"who": assignment.issued_by.get_full_name(), "t": assignment.title},
            details=_about(assignment),
            url=_url(assignment),
            key=f"assignment:{assignment.pk}:given",
        )


def assignment_reported(assignment: Assignment) -> None:
    with translation.override("ru"):
        _tell(
            recipients=[assignment.issued_by],
            kind=Kind.TASK_ASSIGNED,
            subject=_("An assignment is reported: %(t)s") % {"t": assignment.title[:150]},
            message=_("%(who)s reported on the assignment; accept it or return it.")
            % {"who": assignment.assignee.get_full_name()},
            details=_about(assignment),
            url=_url(assignment),
            key=f"assignment:{assignment.pk}:reported:{assignment.reported_at.isoformat()}",
        )


def assignment_closed(assignment: Assignment, *, accepted: bool, cancelled: bool = False) -> None:
    with translation.override("ru"):
        if cancelled:
            subject = _("An assignment is cancelled: %(t)s")
            message = _("The assignment is cancelled: %(c)s")
        elif accepted:
            subject = _("An assignment is accepted as done: %(t)s")
            message = _("The assignment is accepted as done. %(c)s")
        else:
            subject = _("An assignment is returned: %(t)s")
            message = _("The report was not accepted: %(c)s")
        _tell(
            recipients=[assignment.assignee],
            kind=Kind.DECISION_TAKEN,
            subject=subject % {"t": assignment.title[:150]},
            message=message % {"c": assignment.comment},
            details=_about(assignment),
            url=_url(assignment),
            key=f"assignment:{assignment.pk}:closed:{assignment.updated_at.isoformat()}",
        )


def assignment_due_soon(assignment: Assignment) -> None:
    with translation.override("ru"):
        _tell(
            recipients=[assignment.assignee],
            kind=Kind.DEADLINE_APPROACHING,
            subject=_("An assignment is due on %(d)s") % {"d": _d(assignment.due)},
            message=_("The assignment «%(t)s» is due on %(d)s.")
            % {"t": assignment.title, "d": _d(assignment.due)},
            details=_about(assignment),
            url=_url(assignment),
            key=f"assignment:{assignment.pk}:due-soon",
        )


def assignment_overdue(assignment: Assignment) -> None:
    with translation.override("ru"):
        _tell(
            recipients=[assignment.assignee, assignment.issued_by],
            kind=Kind.DEADLINE_MISSED,
            subject=_("An assignment is overdue: %(t)s") % {"t": assignment.title[:150]},
            message=_("The assignment «%(t)s» was due on %(d)s and is not reported.")
            % {"t": assignment.title, "d": _d(assignment.due)},
            details=_about(assignment),
            url=_url(assignment),
            key=f"assignment:{assignment.pk}:overdue",
        )
