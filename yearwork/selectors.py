"""Who sees and keeps the programme's plan of work and its assignments."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from communities import selectors as communities
from communities.models import PlanItem
from councils import selectors as councils
from councils.models import Council, CouncilMember
from programmes import access
from programmes.models import Program

from .models import Assignment, WorkPlan, WorkPlanItem


def _seated_program_ids(user, roles=None) -> QuerySet:
    seats = CouncilMember.objects.on(timezone.localdate()).filter(user=user)
    if roles is not None:
        seats = seats.filter(role__in=roles)
    return Council.objects.filter(pk__in=seats.values("council_id")).values("program_id")


def programs_to_plan(user) -> QuerySet[Program]:
    """Programmes whose plan this user drafts: the council's secretary (or the deputy chair
    standing in), and the methodists who curate the programme."""
    if not user.is_authenticated:
        return Program.objects.none()
    ids = access.staff_program_ids(user, access.CHECK)
    qs = Program.objects.filter(is_active=True)
    if ids is None:
        return qs.order_by("title")
    secretary = _seated_program_ids(user, councils.SECRETARY_ROLES)
    return qs.filter(Q(pk__in=ids) | Q(pk__in=secretary)).order_by("title")


def may_draft(user, plan: WorkPlan) -> bool:
    return programs_to_plan(user).filter(pk=plan.program_id).exists()


def plans_visible_qs(user) -> QuerySet[WorkPlan]:
    """The programme's staff, its council and its members (who work by the plan)."""
    qs = WorkPlan.objects.select_related("program", "drafted_by")
    if not user.is_authenticated:
        return qs.none()
    served = access.staff_program_ids(user, access.SEE_ALL)
    if served is None:
        return qs
    return qs.filter(
        Q(program_id__in=served)
        | Q(program_id__in=_seated_program_ids(user))
        | Q(program_id__in=communities.member_program_ids(user))
        | Q(program_id__in=programs_to_plan(user).values("pk"))
    )


def may_mark(user, item: WorkPlanItem) -> bool:
    """Execution is marked by whoever drafts the plan and by the member who answers for the
    item; a community's item by the community's keepers (it is their item)."""
    if item.source_id:
        return communities.may_keep(user, item.source.community)
    return item.responsible_user_id == user.pk or may_draft(user, item.plan)


def community_items(program_id: int, academic_year: int) -> QuerySet[PlanItem]:
    """The plans of the programme's active communities for the year, to gather (3.2)."""
    return (
        PlanItem.objects.filter(
            community__program_id=program_id,
            community__is_active=True,
            academic_year=academic_year,
        )
        .select_related("community")
        .order_by("due", "pk")
    )


def participants_candidates(program_id: int):
    """Whose part the council proposes: the programme's members."""
    return communities.curator_candidates(program_id)


def plans_waiting(council) -> QuerySet[WorkPlan]:
    return WorkPlan.objects.filter(
        program_id=council.program_id, state=WorkPlan.State.AT_COUNCIL
    ).order_by("created_at", "pk")


def plan_progress(plan: WorkPlan) -> dict:
    items = list(plan.items.select_related("source"))
    done = sum(1 for i in items if i.held_on)
    today = timezone.localdate()
    late = sum(1 for i in items if not i.held_on and i.due < today)
    return {"total": len(items), "done": done, "late": late}


# --- Assignments ----------------------------------------------------------------------------


def programs_to_assign(user) -> QuerySet[Program]:
    """Programmes this user gives assignments to: the approving body's officials and the
    methodists curating the programme (Klin 4.3)."""
    if not user.is_authenticated:
        return Program.objects.none()
    qs = Program.objects.filter(is_active=True).order_by("title")
    ids = [access.staff_program_ids(user, perm) for perm in (access.CHECK, access.APPROVE)]
    if any(i is None for i in ids):
        return qs
    return qs.filter(Q(pk__in=ids[0]) | Q(pk__in=ids[1]))


def may_issue(user, program_id: int) -> bool:
    return programs_to_assign(user).filter(pk=program_id).exists()


def assignees(program_id: int):
    """Who carries out an assignment: the council's members in force and the programme's
    members."""
    today = timezone.localdate()
    seated = CouncilMember.objects.on(today).filter(council__program_id=program_id)
    members = communities.curator_candidates(program_id).values("pk")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(pk__in=seated.values("user_id")) | Q(pk__in=members))
        .order_by("last_name", "first_name", "pk")
    )


def assignments_visible_qs(user) -> QuerySet[Assignment]:
    qs = Assignment.objects.select_related("program", "issued_by", "assignee")
    if not user.is_authenticated:
        return qs.none()
    served = access.staff_program_ids(user, access.SEE_ALL)
    if served is None:
        return qs
    return qs.filter(
        Q(program_id__in=served)
        | Q(assignee=user)
        | Q(issued_by=user)
        | Q(program_id__in=_seated_program_ids(user, councils.SECRETARY_ROLES))
    )


def assignments_to_remind(today, until) -> QuerySet[Assignment]:
    """Open assignments due by `until` not reminded yet (the partial index on open dues)."""
    return Assignment.objects.filter(
        state=Assignment.State.OPEN, due__gte=today, due__lte=until, reminded_at__isnull=True
    )


def assignments_overdue(today) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        state=Assignment.State.OPEN, due__lt=today, overdue_told_at__isnull=True
    )
