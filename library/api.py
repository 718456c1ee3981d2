"""REST API of the bank of best practice (mounted under /api/ by config/api_urls.py). The same
services and forms as the pages: a member submits, the secretary decides, the open catalogue
needs no login."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api.formfields import form_errors, form_serializer
from core.api.schema import problem_responses as _errors
from core.errors import ConflictError, NotAllowed

from . import selectors, services
from .forms import FilesForm, PracticeForm, ReviewForm
from .models import Practice, PracticeVersion

PracticeFieldsSerializer = form_serializer(
    PracticeForm, "PracticeFields", doc="The fields of a version of a practice."
)
ReviewInputSerializer = form_serializer(ReviewForm, "PracticeReview", doc="The decision.")


class PracticeUploadSerializer(PracticeFieldsSerializer):
    program = serializers.IntegerField(help_text="The programme whose bank receives it.")
    files = serializers.ListField(
        child=serializers.FileField(), help_text="The materials: one file at least, up to 10."
    )


class ReviseUploadSerializer(PracticeFieldsSerializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="New materials; none keeps the previous version's.",
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class VersionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    files = serializers.SerializerMethodField(help_text="The materials' document ids and titles.")

    class Meta:
        model = PracticeVersion
        fields = [
            "number",
            "title",
            "summary",
            "subject",
            "level",
            "level_label",
            "age_group",
            "authors",
            "files",
            "created_at",
        ]
        read_only_fields = fields

    def get_files(self, version) -> list[dict]:
        return [{"id": d.pk, "title": d.title} for d in version.files.all()]


class PracticeSerializer(serializers.ModelSerializer):
    program_title = serializers.CharField(source="program.title", read_only=True)
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    consent_given = serializers.SerializerMethodField(
        help_text="The author signed the consent (document `consent`); needed to publish."
    )
    versions = VersionSerializer(many=True, read_only=True)
    published_version = serializers.IntegerField(
        source="published.number", read_only=True, allow_null=True
    )

    class Meta:
        model = Practice
        fields = [
            "id",
            "program",
            "program_title",
            "author",
            "author_name",
            "kind",
            "state",
            "state_label",
            "recommended",
            "consent",
            "consent_given",
            "published_version",
            "review_comment",
            "reviewed_at",
            "versions",
        ]
        read_only_fields = fields

    def get_consent_given(self, practice) -> bool:
        return selectors.consent_given(practice)


class PublicPracticeSerializer(serializers.ModelSerializer):
    """What the open catalogue shows: the approved version, its author and materials."""

    program_title = serializers.CharField(source="program.title", read_only=True)
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    version = VersionSerializer(source="published", read_only=True)

    class Meta:
        model = Practice
        fields = [
            "id",
            "kind",
            "program_title",
            "author_name",
            "recommended",
            "reviewed_at",
            "version",
        ]
        read_only_fields = fields


def _fields_and_files(request):
    form = PracticeForm(request.data)
    files = FilesForm(request.data, request.FILES)
    errors = {}
    if not form.is_valid():
        errors.update(form_errors(form))
    if not files.is_valid():
        errors.update(form_errors(files))
    if errors:
        raise ValidationError(errors)
    return form.cleaned_data, files.cleaned_data["files"]


def _visible(request, pk) -> Practice:
    return get_object_or_404(selectors.practices_visible_qs(request.user), pk=pk)


def _response(request, pk, code=status.HTTP_200_OK) -> Response:
    practice = get_object_or_404(Practice.objects.prefetch_related("versions__files"), pk=pk)
    return Response(PracticeSerializer(practice, context={"request": request}).data, status=code)


class PracticeListCreateView(generics.GenericAPIView):
    serializer_class = PracticeSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="practices_list",
        summary="My practices and those waiting for my decision",
        responses={200: PracticeSerializer(many=True), **_errors(401)},
    )
    def get(self, request):
        waiting = selectors.review_queue(request.user).values("pk")
        qs = (
            Practice.objects.filter(Q(author=request.user) | Q(pk__in=waiting))
            .select_related("program", "author", "published")
            .prefetch_related("versions__files")
            .order_by("-created_at", "-pk")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PracticeSerializer(page, many=True).data)

    @extend_schema(
        operation_id="practices_create",
        summary="A member submits a practice with its materials",
        description="Its consent document (`consent`) is then signed by the author "
        "(/api/documents/... or the document page); without it the practice is not published.",
        request={"multipart/form-data": PracticeUploadSerializer},
        responses={201: PracticeSerializer, **_errors(400, 401, 403)},
    )
    def post(self, request):
        fields, files = _fields_and_files(request)
        try:
            program_id = int(request.data.get("program", ""))
        except ValueError:
            raise ValidationError({"program": [_("Send the programme's id.")]}) from None
        practice = services.practice_submit(
            user=request.user, program_id=program_id, fields=fields, files=files
        )
        return _response(request, practice.pk, status.HTTP_201_CREATED)


class PracticeDetailView(generics.GenericAPIView):
    serializer_class = PracticeSerializer

    @extend_schema(
        summary="A practice with all its versions",
        responses={200: PracticeSerializer, **_errors(401, 404)},
    )
    def get(self, request, pk: int):
        return _response(request, _visible(request, pk).pk)


class PracticeReviewView(generics.GenericAPIView):
    serializer_class = ReviewInputSerializer

    @extend_schema(
        summary="The programme's secretary decides on the council's behalf",
        request=ReviewInputSerializer,
        responses={200: PracticeSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        practice = _visible(request, pk)
        if not selectors.may_review(request.user, practice):
            raise NotAllowed(_("This step is for another role; you cannot take it."))
        form = ReviewForm(request.data)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        services.practice_review(user=request.user, practice_id=practice.pk, **form.cleaned_data)
        return _response(request, practice.pk)


class PracticeReviseView(generics.GenericAPIView):
    serializer_class = ReviseUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="The author resubmits a returned practice (a new version)",
        request={"multipart/form-data": ReviseUploadSerializer},
        responses={200: PracticeSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        practice = _visible(request, pk)
        if practice.author_id != request.user.pk:
            raise NotAllowed(_("Only the author changes the practice."))
        if practice.state != Practice.State.RETURNED:
            raise ConflictError(_("Only a practice returned for revision can be resubmitted."))
        fields, files = _fields_and_files(request)
        services.practice_revise(
            user=request.user, practice_id=practice.pk, fields=fields, files=files
        )
        return _response(request, practice.pk)


class PracticeWithdrawView(generics.GenericAPIView):
    serializer_class = WithdrawSerializer

    @extend_schema(
        summary="The author withdraws the practice (also from the catalogue)",
        request=WithdrawSerializer,
        responses={200: PracticeSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        practice = _visible(request, pk)
        if practice.author_id != request.user.pk:
            raise NotAllowed(_("Only the author withdraws the practice."))
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.practice_withdraw(
            user=request.user, practice_id=practice.pk, reason=data.validated_data.get("reason", "")
        )
        return _response(request, practice.pk)


class CatalogueView(generics.ListAPIView):
    """No login: the approved practices, searchable."""

    serializer_class = PublicPracticeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.catalogue_qs(
            text=params.get("q", "")[:200],
            subject=params.get("subject", "")[:200],
            level=params.get("level", "")[:16],
            program=params.get("program", "")[:64],
            kind=params.get("kind", "")[:16],
        ).prefetch_related("published__files")

    @extend_schema(
        summary="The open catalogue of best practice",
        parameters=[
            OpenApiParameter("q", str, description="Words of the title, summary or authors"),
            OpenApiParameter("subject", str, description="A part of the subject"),
            OpenApiParameter("level", str, description="Level of education (a code)"),
            OpenApiParameter("program", str, description="A programme's code"),
            OpenApiParameter("kind", str, description="practice | recommendation"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CataloguePracticeView(generics.RetrieveAPIView):
    serializer_class = PublicPracticeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.catalogue_qs().prefetch_related("published__files")

    @extend_schema(summary="A practice of the open catalogue")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
