"""REST API of the programme's year of work (mounted under /api/ by config/api_urls.py): the
same forms and services as the pages."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api.formfields import form_serializer
from core.api.schema import problem_responses as _errors
from core.errors import ConflictError, NotAllowed

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
from .models import Assignment, Participation, WorkPlan, WorkPlanItem


class WorkPlanCreateSerializer(form_serializer(WorkPlanForm, "WorkPlanCreateFields")):
    program = serializers.IntegerField(help_text="The programme whose plan it is.")


ItemInput = form_serializer(WorkPlanItemForm, "WorkPlanItemFields", doc="An item of the plan.")
ParticipationInput = form_serializer(
    ParticipationForm, "ParticipationFields", doc="A member's part; empty text removes it."
)
ItemDoneInput = form_serializer(ItemDoneForm, "WorkPlanItemDone", doc="Execution of an item.")


class AssignmentCreateSerializer(form_serializer(AssignmentForm, "AssignmentFields")):
    program = serializers.IntegerField(help_text="The programme given the assignment.")


ReportInput = form_serializer(AssignmentReportForm, "AssignmentReport", doc="What was done.")
CloseInput = form_serializer(AssignmentCloseForm, "AssignmentClose", doc="Accept or return.")
CancelInput = form_serializer(AssignmentCancelForm, "AssignmentCancel", doc="Why cancelled.")


class WorkPlanItemSerializer(serializers.ModelSerializer):
    community = serializers.CharField(
        source="community.name", read_only=True, allow_null=True, default=None
    )
    held_on = serializers.DateField(read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True)

    class Meta:
        model = WorkPlanItem
        fields = [
            "id",
            "title",
            "due",
            "responsible",
            "responsible_user",
            "community",
            "source",
            "held_on",
            "outcome",
        ]
        read_only_fields = fields


class ParticipationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.get_full_name", read_only=True)

    class Meta:
        model = Participation
        fields = ["member", "member_name", "part"]
        read_only_fields = fields


class WorkPlanSerializer(serializers.ModelSerializer):
    program_title = serializers.CharField(source="program.title", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    items = WorkPlanItemSerializer(many=True, read_only=True)
    participations = ParticipationSerializer(many=True, read_only=True)

    class Meta:
        model = WorkPlan
        fields = [
            "id",
            "program",
            "program_title",
            "academic_year",
            "state",
            "state_label",
            "drafted_by",
            "approved_on",
            "council_decision",
            "items",
            "participations",
        ]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    program_title = serializers.CharField(source="program.title", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    issued_by_name = serializers.CharField(source="issued_by.get_full_name", read_only=True)
    assignee_name = serializers.CharField(source="assignee.get_full_name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "program",
            "program_title",
            "title",
            "description",
            "due",
            "state",
            "state_label",
            "issued_by",
            "issued_by_name",
            "assignee",
            "assignee_name",
            "report",
            "reported_at",
            "comment",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


def _input(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _program_id(request) -> int:
    """The programme named in the body (the page takes it from the address)."""
    try:
        return int(request.data.get("program", ""))
    except (TypeError, ValueError):
        raise ValidationError({"program": [_("Send the programme's id.")]}) from None


def _plans(request):
    return selectors.plans_visible_qs(request.user).prefetch_related(
        "items__source__community", "participations__member"
    )


def _plan(request, pk: int, code=status.HTTP_200_OK) -> Response:
    plan = get_object_or_404(_plans(request), pk=pk)
    return Response(WorkPlanSerializer(plan).data, status=code)


class WorkPlanListView(generics.GenericAPIView):
    serializer_class = WorkPlanSerializer

    @extend_schema(
        operation_id="work_plans_list",
        summary="The plans of work I may read",
        responses={200: WorkPlanSerializer(many=True), **_errors(401)},
    )
    def get(self, request):
        page = self.paginate_queryset(_plans(request).order_by("-academic_year", "pk"))
        return self.get_paginated_response(WorkPlanSerializer(page, many=True).data)

    @extend_schema(
        operation_id="work_plans_create",
        summary="The secretary drafts the year's plan (the communities' plans gathered in)",
        request=WorkPlanCreateSerializer,
        responses={201: WorkPlanSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request):
        data = _input(WorkPlanCreateSerializer, request)
        plan = services.work_plan_create(
            user=request.user, program_id=_program_id(request), academic_year=data["academic_year"]
        )
        return _plan(request, plan.pk, status.HTTP_201_CREATED)


class WorkPlanDetailView(generics.GenericAPIView):
    serializer_class = WorkPlanSerializer

    @extend_schema(summary="A plan of work with its items and members' parts")
    def get(self, request, pk: int):
        return _plan(request, pk)


def _plan_action(summary: str, request_serializer, call, precheck=None):
    """A POST on a plan: who may act is checked first (so a refused body never hides a refused
    person), then the body by the page's form, then one service is called."""

    @extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: WorkPlanSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        plan = get_object_or_404(selectors.plans_visible_qs(request.user), pk=pk)
        (precheck or _drafter)(request.user, plan)
        data = _input(request_serializer, request) if request_serializer else {}
        call(user=request.user, plan=plan, **data)
        return _plan(request, plan.pk)

    return type(
        f"WorkPlan{call.__name__.title().replace('_', '')}View",
        (generics.GenericAPIView,),
        {"post": post, "serializer_class": request_serializer or WorkPlanSerializer},
    )


def _drafter(user, plan) -> None:
    if not selectors.may_draft(user, plan):
        raise NotAllowed(_("This step is for another role; you cannot take it."))


def _approved(user, plan) -> None:
    if plan.state != WorkPlan.State.APPROVED:
        raise ConflictError(_("Execution is marked on an approved plan."))


def _add(*, user, plan, **data):
    services.work_plan_item_add(user=user, plan_id=plan.pk, **data)


def _part(*, user, plan, **data):
    services.participation_set(user=user, plan_id=plan.pk, **data)


def _submit(*, user, plan):
    services.work_plan_submit(user=user, plan_id=plan.pk)


def _done(*, user, plan, item, **data):
    get_object_or_404(plan.items, pk=item)
    services.work_plan_item_done(user=user, item_id=item, **data)


WorkPlanItemAddView = _plan_action("Add an item to a draft plan", ItemInput, _add)
ParticipationView = _plan_action("Propose a member's part in the year", ParticipationInput, _part)
WorkPlanSubmitView = _plan_action("Put the draft before the council", None, _submit)
WorkPlanItemDoneView = _plan_action(
    "Mark an item of the approved plan done", ItemDoneInput, _done, precheck=_approved
)


# --- Assignments ----------------------------------------------------------------------------


def _assignment(request, pk: int, code=status.HTTP_200_OK) -> Response:
    assignment = get_object_or_404(selectors.assignments_visible_qs(request.user), pk=pk)
    return Response(AssignmentSerializer(assignment).data, status=code)


class AssignmentListView(generics.GenericAPIView):
    serializer_class = AssignmentSerializer

    @extend_schema(
        operation_id="assignments_list",
        summary="Assignments I carry out, gave, or see as the programme's staff",
        responses={200: AssignmentSerializer(many=True), **_errors(401)},
    )
    def get(self, request):
        qs = selectors.assignments_visible_qs(request.user).order_by("due", "pk")
        if request.query_params.get("state") == "open":
            qs = qs.filter(state__in=Assignment.OPEN_STATES)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="assignments_create",
        summary="The approving body gives the programme an assignment",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request):
        data = _input(AssignmentCreateSerializer, request)
        assignment = services.assignment_issue(
            user=request.user, program_id=_program_id(request), **data
        )
        return _assignment(request, assignment.pk, status.HTTP_201_CREATED)


class AssignmentDetailView(generics.GenericAPIView):
    serializer_class = AssignmentSerializer

    @extend_schema(summary="An assignment")
    def get(self, request, pk: int):
        return _assignment(request, pk)


def _carries_out(user, assignment) -> None:
    if assignment.assignee_id != user.pk:
        raise NotAllowed(_("The person carrying out the assignment reports on it."))


def _gives(user, assignment) -> None:
    if not (assignment.issued_by_id == user.pk or selectors.may_issue(user, assignment.program_id)):
        raise NotAllowed(_("This step is for another role; you cannot take it."))


def _reported(user, assignment) -> None:
    _gives(user, assignment)
    if assignment.state != Assignment.State.REPORTED:
        raise ConflictError(_("Nothing has been reported on the assignment yet."))


def _assignment_action(summary: str, request_serializer, service, precheck):
    @extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: AssignmentSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        assignment = get_object_or_404(selectors.assignments_visible_qs(request.user), pk=pk)
        precheck(request.user, assignment)
        service(
            user=request.user, assignment_id=assignment.pk, **_input(request_serializer, request)
        )
        return _assignment(request, assignment.pk)

    return type(
        f"Assignment{service.__name__.title().replace('_', '')}View",
        (generics.GenericAPIView,),
        {"post": post, "serializer_class": request_serializer},
    )


AssignmentReportView = _assignment_action(
    "The person carrying it out reports", ReportInput, services.assignment_report, _carries_out
)
AssignmentCloseView = _assignment_action(
    "The one who gave it accepts or returns it", CloseInput, services.assignment_close, _reported
)
AssignmentCancelView = _assignment_action(
    "The one who gave it cancels it", CancelInput, services.assignment_cancel, _gives
)
