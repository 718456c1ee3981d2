"""REST endpoints. Thin: parse input (forms validate it), call one service, respond.

Visibility goes through the selectors: a case outside `application_visible_qs(user)` answers 404,
the same as a case that does not exist. Errors raised by services are turned into JSON by
core.api.errors, so the views do not catch them.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from viewflow.workflow.models import Task

from applications import selectors, services
from applications.forms import AttachmentForm
from audit.services import audit_personal_data_read
from core.api.errors import Conflict
from core.api.formfields import form_errors
from core.api.schema import problem_responses as _errors
from programmes import formdef
from programmes import services as programme_services

from . import serializers as s


def _visible_application(request, pk: int):
    return get_object_or_404(
        selectors.application_visible_qs(request.user).prefetch_related(
            "planned_events", "attachments__versions"
        ),
        pk=pk,
    )


def _application_response(request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    """The case as the user may see it. It shows the responsible person's contacts, so the read
    is logged (152-ФЗ) exactly as on the HTML pages."""
    application = _visible_application(request, pk)
    audit_personal_data_read(
        actor=request.user, obj=application, fields=selectors.PERSONAL_FIELDS, channel="api"
    )
    return Response(
        s.ApplicationDetailSerializer(application, context={"request": request}).data, status=code
    )


def _visible_task(request, pk: int) -> Task:
    """Any step of a case the user may see; others' steps answer 404 like missing ones."""
    task = selectors.task_of_visible_application(user=request.user, task_id=pk)
    if task is None:
        raise Http404
    return task


def _task_response(request, pk: int) -> Response:
    task = _visible_task(request, pk)
    return Response(s.TaskDetailSerializer(task, context={"request": request}).data)


# --- Applications -------------------------------------------------------------------------


class ApplicationListCreateView(generics.ListAPIView):
    serializer_class = s.ApplicationSummarySerializer

    def get_queryset(self):
        return selectors.application_visible_qs(self.request.user).select_related("status")

    @extend_schema(
        summary="Applications you may see",
        description="Applicants see their organisations' applications; staff see all.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Start a draft application",
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationDetailSerializer, **_errors(400, 401, 403, 409)},
    )
    def post(self, request):
        serializer = s.ApplicationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = services.application_create(
            user=request.user,
            organisation=data["organisation"],
            program=data["program"],
            fields=data["fields"],
            events=data["events"],
        )
        return _application_response(request, application.pk, status.HTTP_201_CREATED)


class ApplicationDetailView(generics.GenericAPIView):
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(
        summary="An application with its state, timeline, documents and decisions",
        responses={200: s.ApplicationDetailSerializer, **_errors(401, 404)},
    )
    def get(self, request, pk: int):
        return _application_response(request, pk)

    @extend_schema(
        summary="Edit a draft or a returned application",
        request=s.ApplicationUpdateSerializer,
        responses={200: s.ApplicationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, pk: int):
        application = _visible_application(request, pk)
        serializer = s.ApplicationUpdateSerializer(application, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.application_update(
            application_id=application.pk,
            user=request.user,
            fields=serializer.validated_data["fields"],
            events=serializer.validated_data["events"],
        )
        return _application_response(request, application.pk)


class ApplicationAttachView(generics.GenericAPIView):
    serializer_class = s.AttachmentUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Attach a file to a draft or a returned application",
        description="The type is decided by the content, not the name. A rejected file stores nothing.",
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.ApplicationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        application = _visible_application(request, pk)
        form = AttachmentForm(
            request.data, request.FILES, kinds=selectors.application_attachment_asked(application)
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        try:
            services.application_attach(
                application_id=application.pk,
                user=request.user,
                uploaded=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            # documents.validators judge the file itself: show their words under `file`.
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"file": exc.messages}) from exc
        return _application_response(request, application.pk, status.HTTP_201_CREATED)


class ApplicationSubmitView(generics.GenericAPIView):
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(
        summary="Submit a draft, or send a returned application back to the methodist",
        request=None,
        responses={200: s.ApplicationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        application = _visible_application(request, pk)
        services.application_submit(application_id=application.pk, user=request.user)
        return _application_response(request, application.pk)


class ApplicationOrderDraftView(generics.GenericAPIView):
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(
        summary="Department official: draft the order (registered in the order journal)",
        description=(
            "The order's PDF is prepared in the background (`documents[].render_state`); sign it "
            "with `order/sign/` once it is `ready`. Calling it again returns the same order."
        ),
        request=None,
        responses={200: s.ApplicationDetailSerializer, **_errors(401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        application = _visible_application(request, pk)
        services.order_draft(application_id=application.pk, user=request.user)
        return _application_response(request, application.pk)


class ApplicationOrderSignView(generics.GenericAPIView):
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(
        summary="Department official: sign the drafted order with your own key and approve",
        request=None,
        responses={200: s.ApplicationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        application = _visible_application(request, pk)
        services.order_sign_and_approve(application_id=application.pk, user=request.user)
        return _application_response(request, application.pk)


# --- Orders for several cases -----------------------------------------------------------------


def _order_response(request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    order = selectors.order_for_official(user=request.user, order_id=pk)
    if order is None:
        raise Http404
    return Response(s.OrderDetailSerializer(order, context={"request": request}).data, status=code)


class OrderListCreateView(generics.GenericAPIView):
    serializer_class = s.OrderDetailSerializer

    @extend_schema(
        summary="Department official: draft one order for several cases",
        description=(
            "Every case must wait for the department's approval and belong to one programme. "
            "The order is registered once in the order journal and lists every school; its PDF "
            "is prepared in the background (`document.render_state`). An unsigned draft of one "
            "of the cases is replaced; the same cases again return the same order."
        ),
        request=s.OrderDraftInputSerializer,
        responses={201: s.OrderDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        serializer = s.OrderDraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_draft_for_cases(
            application_ids=serializer.validated_data["applications"], user=request.user
        )
        return _order_response(request, order.pk, status.HTTP_201_CREATED)


class OrderDetailView(generics.GenericAPIView):
    serializer_class = s.OrderDetailSerializer

    @extend_schema(
        summary="Department official: a drafted order with the cases it lists",
        responses={200: s.OrderDetailSerializer, **_errors(401, 404)},
    )
    def get(self, request, pk: int):
        return _order_response(request, pk)


class OrderSignView(generics.GenericAPIView):
    serializer_class = s.OrderDetailSerializer

    @extend_schema(
        summary="Department official: sign the order with your own key and approve its cases",
        description=(
            "All or nothing: if one case no longer waits for this order, nothing is signed and "
            "the 409 names that case."
        ),
        request=None,
        responses={200: s.OrderDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        if selectors.order_for_official(user=request.user, order_id=pk) is None:
            raise Http404
        services.order_sign_and_approve_cases(order_id=pk, user=request.user)
        return _order_response(request, pk)


# --- Tasks --------------------------------------------------------------------------------


class TaskListView(generics.ListAPIView):
    serializer_class = s.TaskSerializer

    def get_queryset(self):
        return selectors.task_visible_qs(self.request.user).select_related(
            "process__application__organisation"
        )

    @extend_schema(summary="Steps you hold and steps of your role nobody has taken yet")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TaskDetailView(generics.GenericAPIView):
    serializer_class = s.TaskDetailSerializer

    @extend_schema(
        summary="A step with its case and the fields of its decision form",
        responses={200: s.TaskDetailSerializer, **_errors(401, 404)},
    )
    def get(self, request, pk: int):
        return _task_response(request, pk)


class TaskClaimView(generics.GenericAPIView):
    serializer_class = s.TaskDetailSerializer

    @extend_schema(
        summary="Take a step for yourself",
        request=None,
        responses={200: s.TaskDetailSerializer, **_errors(401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        _visible_task(request, pk)
        services.task_claim(task_id=pk, user=request.user)
        return _task_response(request, pk)


class TaskCompleteView(generics.GenericAPIView):
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(
        summary="Decide a step",
        description=(
            "The body is the decision of the step (`step` of the task): check → CheckDecision, "
            "revise → ReviseDecision, council → CouncilDecision, approve → ApproveDecision. "
            "GET /api/tasks/{id}/ lists the fields. Answers with the case as it is afterwards."
        ),
        request=PolymorphicProxySerializer(
            component_name="StepDecision",
            serializers=list(s.STEP_SERIALIZERS.values()),
            resource_type_field_name=None,
        ),
        responses={200: s.ApplicationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        task = _visible_task(request, pk)
        serializer_class = s.STEP_SERIALIZERS.get(task.flow_task.name)
        if serializer_class is None:
            raise Conflict(_("This step is done by the system; there is nothing to decide."))
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.task_complete(task_id=task.pk, user=request.user, data=serializer.validated_data)
        return _application_response(request, task.process.application.pk)


# --- Registry -----------------------------------------------------------------------------


class ProgramFormView(generics.GenericAPIView):
    """The current application form of a programme that accepts applications: the fields to
    send (flat, by name) when creating an application of it. Generated from the same
    definition that validates them."""

    serializer_class = s.ProgramFormSerializer

    @extend_schema(
        summary="The application form of a programme",
        responses={200: s.ProgramFormSerializer, **_errors(401, 404)},
    )
    def get(self, request, pk: int):
        program = get_object_or_404(selectors.program_open_qs(), pk=pk)
        version = programme_services.current_form(program)
        if version is None:
            raise Http404
        return Response(
            {
                "program": program.pk,
                "version": version.number,
                "fields": formdef.describe(version.definition),
                "planned_events": bool(version.definition.get("events")),
                "attachments": formdef.attachment_kinds(version.definition),
                "applicants": program.applicants,
            }
        )
