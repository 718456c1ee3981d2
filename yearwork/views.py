"""Pages of the programme's year of work: thin; the services check who may do what."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DocketError
from core.forms import error_summary, errors_to_forms

from . import selectors, services
from .forms import (
    AssignmentCancelForm,
    AssignmentCloseForm,
    AssignmentForm,
    AssignmentReportForm,
    ItemDoneForm,
    ParticipationForm,
    WorkPlanForm,
    WorkPlanItemForm,
)
from .models import Assignment, WorkPlan


def _picked(request, programs):
    program = next((p for p in programs if p.code == request.GET.get("program")), None)
    return program or (programs[0] if programs else None)


def _run(request, form, call, done: str):
    """Call the service with the form's data; True when it went through."""
    if not form.is_valid():
        return False
    try:
        call(**form.cleaned_data)
    except ValidationError as exc:
        errors_to_forms(request, exc, form)
        return False
    except DocketError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


@login_required
def work_plan_list(request):
    programs = list(selectors.programs_to_plan(request.user))
    program = _picked(request, programs)
    form = WorkPlanForm(
        request.POST or None, initial={"academic_year": _academic_year(timezone.localdate())}
    )
    if request.method == "POST":
        if program is None:
            raise Http404
        created = {}

        def create(**data):
            created["plan"] = services.work_plan_create(
                user=request.user, program_id=program.pk, **data
            )

        if _run(request, form, create, _("The draft plan is made.")):
            return redirect("work-plan-detail", created["plan"].pk)
    return render(
        request,
        "yearwork/work_plan_list.html",
        {
            "plans": selectors.plans_visible_qs(request.user),
            "programs": programs,
            "program": program,
            "form": form if program else None,
            "error_summary": error_summary(form),
        },
    )


def _academic_year(day) -> int:
    return day.year if day.month >= 9 else day.year - 1


@login_required
def work_plan_detail(request, pk):
    plan = get_object_or_404(selectors.plans_visible_qs(request.user), pk=pk)
    drafts = selectors.may_draft(request.user, plan) and plan.state == WorkPlan.State.DRAFT
    data = request.POST if request.method == "POST" else None
    action = data.get("action") if data else None
    forms = {
        "item_add": WorkPlanItemForm(data if action == "item_add" else None),
        "participation": ParticipationForm(data if action == "participation" else None),
        "item_done": ItemDoneForm(data if action == "item_done" else None),
    }
    user = request.user
    if data is not None:
        done = _("Saved.")
        if action == "item_add":
            ok = _run(
                request,
                forms[action],
                lambda **d: services.work_plan_item_add(user=user, plan_id=plan.pk, **d),
                done,
            )
        elif action == "participation":
            ok = _run(
                request,
                forms[action],
                lambda **d: services.participation_set(user=user, plan_id=plan.pk, **d),
                done,
            )
        elif action == "item_done":
            form = forms[action]
            if form.is_valid():
                get_object_or_404(plan.items, pk=form.cleaned_data["item"])
            ok = _run(
                request,
                form,
                lambda item, **d: services.work_plan_item_done(user=user, item_id=item, **d),
                done,
            )
        elif action in ("gather", "submit", "item_remove"):
            ok = _simple(request, plan, action)
        else:
            raise Http404
        if ok:
            return redirect("work-plan-detail", plan.pk)
    items = list(plan.items.select_related("source__community", "responsible_user"))
    markable = {i.pk for i in items if plan.state == WorkPlan.State.APPROVED and not i.held_on}
    markable = {i.pk for i in items if i.pk in markable and selectors.may_mark(user, i)}
    return render(
        request,
        "yearwork/work_plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "markable": markable,
            "participations": plan.participations.select_related("member"),
            "drafts": drafts,
            "candidates": selectors.participants_candidates(plan.program_id) if drafts else [],
            "progress": selectors.plan_progress(plan),
            "forms": forms,
            "error_summary": error_summary(*forms.values()),
        },
    )


def _simple(request, plan, action) -> bool:
    try:
        if action == "gather":
            count = services.work_plan_gather(user=request.user, plan_id=plan.pk)
            messages.success(
                request, _("Items gathered from the communities: %(n)s.") % {"n": count}
            )
        elif action == "submit":
            services.work_plan_submit(user=request.user, plan_id=plan.pk)
            messages.success(request, _("The plan is put before the council."))
        else:
            item = get_object_or_404(plan.items, pk=request.POST.get("item") or 0)
            services.work_plan_item_remove(user=request.user, item_id=item.pk)
            messages.success(request, _("The item is taken off the plan."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    except DocketError as exc:
        messages.error(request, exc.message)
        return False
    return True


# --- Assignments ----------------------------------------------------------------------------


@login_required
def assignment_list(request):
    programs = list(selectors.programs_to_assign(request.user))
    program = _picked(request, programs)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST":
        if program is None:
            raise Http404
        created = {}

        def issue(**data):
            created["a"] = services.assignment_issue(
                user=request.user, program_id=program.pk, **data
            )

        if _run(request, form, issue, _("The assignment is given.")):
            return redirect("assignment-detail", created["a"].pk)
    state = request.GET.get("state", "open")
    qs = selectors.assignments_visible_qs(request.user)
    if state == "open":
        qs = qs.filter(state__in=Assignment.OPEN_STATES)
    return render(
        request,
        "yearwork/assignment_list.html",
        {
            "assignments": qs,
            "state": state,
            "today": timezone.localdate(),
            "programs": programs,
            "program": program,
            "form": form if program else None,
            "assignees": selectors.assignees(program.pk) if program else [],
            "error_summary": error_summary(form),
        },
    )


@login_required
def assignment_detail(request, pk):
    assignment = get_object_or_404(selectors.assignments_visible_qs(request.user), pk=pk)
    user = request.user
    data = request.POST if request.method == "POST" else None
    action = data.get("action") if data else None
    forms = {
        "report": AssignmentReportForm(data if action == "report" else None),
        "close": AssignmentCloseForm(data if action == "close" else None),
        "cancel": AssignmentCancelForm(data if action == "cancel" else None),
    }
    calls = {
        "report": services.assignment_report,
        "close": services.assignment_close,
        "cancel": services.assignment_cancel,
    }
    if data is not None:
        if action not in calls:
            raise Http404
        if _run(
            request,
            forms[action],
            lambda **d: calls[action](user=user, assignment_id=assignment.pk, **d),
            _("Saved."),
        ):
            return redirect("assignment-detail", assignment.pk)
    gives = assignment.issued_by_id == user.pk or selectors.may_issue(user, assignment.program_id)
    return render(
        request,
        "yearwork/assignment_detail.html",
        {
            "assignment": assignment,
            "today": timezone.localdate(),
            "may_report": assignment.assignee_id == user.pk
            and assignment.state == Assignment.State.OPEN,
            "may_close": gives and assignment.state == Assignment.State.REPORTED,
            "may_cancel": gives and assignment.is_open,
            "forms": forms,
            "error_summary": error_summary(*forms.values()),
        },
    )
