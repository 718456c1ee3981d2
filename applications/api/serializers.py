"""Shapes of the API. Input is validated by the forms of applications.forms (see formfields.py);
output reads models and selectors, never deciding anything itself."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications import selectors
from applications.forms import (
    STEP_FORMS,
    ApplicationForm,
    PlannedEventForm,
    application_form_class,
)
from applications.models import Application, Order, PlannedEvent
from core.api.formfields import FormSerializer, describe_form, form_serializer, require_mapping
from core.ids import ID_MAX
from core.limits import LINE
from core.urls import absolute_url
from programmes import formdef
from programmes import services as programme_services
from programmes.models import Organisation, Program
from programmes.services import FORM_COLUMNS

# --- Errors (schema only: core/problems.py and core.api.errors build them) -------------


# --- Input ----------------------------------------------------------------------------------

PlannedEventInputSerializer = form_serializer(
    PlannedEventForm, "PlannedEventInput", doc="An event planned for a year of the status."
)
_ApplicationFieldsSerializer = form_serializer(
    ApplicationForm, "ApplicationFields", doc="Приложение 1: the fields of the application."
)
EVENTS_KEY = "planned_events"


def _events_from(value, *, term_years: int) -> tuple[list[dict], dict[str, list[str]]]:
    """Each event is checked by PlannedEventForm as on the page (years of the programme's term,
    a half-filled event kept in a draft, an event with no text ignored), errors keyed
    planned_events.<index>.<field>."""
    if not isinstance(value, list):
        return [], {EVENTS_KEY: [_("Send the planned events as a list of objects.")]}
    events, errors = [], {}
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            errors[f"{EVENTS_KEY}.{index}"] = [_("Send each planned event as an object.")]
            continue
        form = PlannedEventForm(data=item, term_years=term_years)
        if form.is_blank():
            continue
        if form.is_valid():
            events.append(form.event())
        else:
            errors.update(
                {
                    f"{EVENTS_KEY}.{index}.{field}": [str(m) for m in messages]
                    for field, messages in form.errors.items()
                }
            )
    return events, errors


def _id_or_error(value, errors: dict, field: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = [_("Give the id as a whole number.")]
        return None
    if not 1 <= number <= ID_MAX:
        errors[field] = [_("Nothing has this id; check the number.")]
        return None
    return number


class ApplicationCreateSerializer(_ApplicationFieldsSerializer):
    """A new draft. Every field of Приложение 1 may stay empty until submission."""

    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=(
            "Id of an organisation you act for; may be left out if you act for only one, "
            "and is left out where the programme takes applications from persons."
        ),
    )
    program = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text="Id of the programme; may be left out while only one programme accepts applications.",
    )
    planned_events = PlannedEventInputSerializer(many=True, required=False)

    def _organisation(self, data, errors, program) -> Organisation | None:
        if data.get("organisation") in (None, ""):
            if program is not None and program.for_persons:
                return None  # the person applies in his own name (services.application_create)
            own = list(
                selectors.organisations_of(self.context["request"].user).filter(
                    person__isnull=True
                )[:2]
            )
            if len(own) == 1:
                return own[0]
            errors["organisation"] = [_("Choose the organisation you apply for.")]
            return None
        pk = _id_or_error(data["organisation"], errors, "organisation")
        found = Organisation.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and found is None:
            errors["organisation"] = [_("There is no organisation with this id.")]
        return found

    def _program(self, data, errors) -> Program | None:
        if data.get("program") in (None, ""):
            open_programs = list(selectors.program_open_qs()[:2])
            if len(open_programs) == 1:
                return open_programs[0]
            errors["program"] = [_("Choose the programme you apply to.")]
            return None
        pk = _id_or_error(data["program"], errors, "program")
        found = Program.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and found is None:
            errors["program"] = [_("There is no programme with this id.")]
        return found

    def to_internal_value(self, data):
        require_mapping(data)
        errors = {}
        program = self._program(data, errors)
        organisation = self._organisation(data, errors, program)
        # The fields are those of the programme's current form (Tomsk's are documented here).
        version = programme_services.current_form(program) if program else None
        self.form_class = application_form_class(version)
        fields, form_errors = self.run_form(data)
        errors.update(form_errors)
        events, event_errors = _events_from(
            data.get(EVENTS_KEY) or [], term_years=selectors.plan_years_for(program)
        )
        errors.update(event_errors)
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "organisation": organisation,
            "program": program,
            "fields": fields,
            "events": events,
        }


class ApplicationUpdateSerializer(_ApplicationFieldsSerializer):
    """Changes to a draft or a returned application: only the fields sent are changed."""

    planned_events = PlannedEventInputSerializer(
        many=True, required=False, help_text="When given, replaces all planned events."
    )

    def to_internal_value(self, data):
        require_mapping(data)
        # The form the application was filed with, which sees the whole application, so rules
        # spanning fields hold as on the page.
        self.form_class = application_form_class(self.instance.form_version)
        names = list(self.form_class.base_fields)
        given = [name for name in names if name in data]
        merged = selectors.application_answers(self.instance)
        merged.update({name: data[name] for name in given})
        cleaned, errors = self.run_form(merged)
        events = None
        if EVENTS_KEY in data:
            events, event_errors = _events_from(
                data[EVENTS_KEY] or [], term_years=selectors.plan_years_for(self.instance.program)
            )
            errors.update(event_errors)
        if errors:
            raise serializers.ValidationError(errors)
        return {"fields": {name: cleaned[name] for name in given}, "events": events}


class AttachmentUploadSerializer(serializers.Serializer):
    """Schema of the multipart upload; applications.forms.AttachmentForm validates it."""

    file = serializers.FileField(
        help_text="PDF, DOCX, XLSX, ODT, DOC, PNG or JPEG; checked by content."
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=LINE)
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="One of the kinds of files the programme's form asks for "
        "(GET /api/programmes/{id}/form/, `attachments`); empty for another document.",
    )


# The decision body of each step, e.g. "council" → component CouncilDecision.
STEP_SERIALIZERS: dict[str, type[FormSerializer]] = {
    name: form_serializer(form_class, f"{name.title()}Decision")
    for name, form_class in STEP_FORMS.items()
}


# --- Output: applications ---------------------------------------------------------------


class PlannedEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlannedEvent
        fields = ["id", "year_index", "title", "timing", "audience"]


class AttachmentSerializer(serializers.Serializer):
    """A document attached to the application, described by its latest version."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    file_name = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()
    content_type = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def _version(self, document):
        # versions are prefetched by the view; pick the latest in Python to avoid a query each
        versions = list(document.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None

    def get_file_name(self, document) -> str:
        version = self._version(document)
        return version.original_name if version else ""

    def get_size(self, document) -> int:
        version = self._version(document)
        return version.size if version else 0

    def get_content_type(self, document) -> str:
        version = self._version(document)
        return version.content_type if version else ""

    def get_sha256(self, document) -> str:
        version = self._version(document)
        return version.sha256 if version else ""


class CaseDocumentSerializer(serializers.Serializer):
    """A document of the case's paperwork (registered application, order, certificate, letter)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    reg_number = serializers.CharField()
    reg_date = serializers.DateField(allow_null=True)
    render_state = serializers.CharField(
        help_text="preparing, ready or failed; empty for a document that is not a print form."
    )
    signed = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="The current version (a signed PDF once signed); null until the file exists."
    )

    def get_signed(self, document) -> bool:
        return bool(document.signatures.all())

    def get_verify_url(self, document) -> str:
        """The public link printed under the document's QR code (SITE_URL), not one on the host
        this request came in on: a document has one verification address."""
        return absolute_url(reverse("document-verify", args=[document.verify_code]))

    def get_download_url(self, document) -> str | None:
        version = document.current_version
        if version is None:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api:document-download", args=[document.pk, version.number])
        )


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["number", "date"]


class OrderDraftInputSerializer(serializers.Serializer):
    applications = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        allow_empty=True,
        help_text="Ids of the cases waiting for the department's approval, all of one programme.",
    )


class OrderCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="application.pk")
    reg_number = serializers.CharField(source="application.reg_number")
    organisation = serializers.CharField(source="application.organisation.name")
    kind = serializers.CharField(source="application.kind")
    state = serializers.CharField(source="application.state")
    in_order = serializers.BooleanField(
        help_text="False once the case left the order (returned to the council, or redrafted)."
    )


class OrderDetailSerializer(serializers.ModelSerializer):
    """A drafted order with the cases it lists; signing it approves them all or none."""

    program = serializers.CharField(source="program.code")
    document = serializers.SerializerMethodField()
    applications = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "number", "date", "program", "document", "applications"]
        read_only_fields = fields

    @extend_schema_field(CaseDocumentSerializer)
    def get_document(self, order):
        return CaseDocumentSerializer(order.document, context=self.context).data

    @extend_schema_field(OrderCaseSerializer(many=True))
    def get_applications(self, order):
        return OrderCaseSerializer(selectors.order_rows(order), many=True).data


class StatusTermSerializer(serializers.Serializer):
    """The term of the status the case was granted (the statuses app owns the row)."""

    valid_from = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    action = serializers.CharField()
    label = serializers.CharField()
    comment = serializers.CharField()
    url = serializers.CharField(
        help_text="A document issued with the event (an extract), or empty."
    )


class ApplicationSummarySerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    state_label = serializers.SerializerMethodField(
        help_text="The state in the applicant's words, e.g. “Статус присвоен до 31.08.2029”."
    )
    holder = serializers.SerializerMethodField(help_text="Who must act next, in words.")

    class Meta:
        model = Application
        fields = [
            "id",
            "program",
            "organisation",
            "organisation_name",
            "kind",
            "reg_number",
            "reg_date",
            "topic",
            "state",
            "state_label",
            "holder",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_state_label(self, application) -> str:
        return selectors.application_state_label(application)

    def get_holder(self, application) -> str:
        return selectors.application_holder(application)


class ChangeSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The field, as the form names it.")
    before = serializers.CharField(help_text="Empty when the value was added.")
    after = serializers.CharField(help_text="Empty when the value was removed.")


class SubmissionSerializer(serializers.Serializer):
    """One submission of the application and the version of its printed form."""

    number = serializers.IntegerField(source="submission.number")
    submitted_at = serializers.DateTimeField(source="submission.submitted_at")
    submitted_by = serializers.SerializerMethodField()
    comment = serializers.CharField(source="submission.comment")
    print_state = serializers.CharField(
        source="state", help_text="ready, preparing, failed or superseded."
    )
    version = serializers.SerializerMethodField(help_text="Version number of the PDF, or null.")
    download_url = serializers.SerializerMethodField()
    changes = ChangeSerializer(many=True, help_text="What changed since the previous submission.")

    def get_submitted_by(self, row) -> str:
        user = row.submission.submitted_by
        return user.get_full_name() or user.username

    def get_version(self, row) -> int | None:
        return row.version.number if row.version else None

    def get_download_url(self, row) -> str | None:
        if row.version is None:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api:document-download", args=[row.document.pk, row.version.number])
        )


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    program_title = serializers.CharField(source="program.title", read_only=True)
    planned_events = PlannedEventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    documents = serializers.SerializerMethodField()
    submissions = serializers.SerializerMethodField()
    order = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    open_task = serializers.SerializerMethodField(
        help_text="Id of the open step when the requesting user may act on it, else null."
    )
    can_edit = serializers.SerializerMethodField()
    form_version = serializers.IntegerField(
        source="form_version.number",
        read_only=True,
        allow_null=True,
        help_text="The version of the programme's form the application is filed with.",
    )
    answers = serializers.SerializerMethodField(
        help_text="Every answer to its form, by field name (the form: /api/programmes/{id}/form/)."
    )

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "program_title",
            *FORM_COLUMNS,
            "form_version",
            "answers",
            "planned_events",
            "attachments",
            "documents",
            "submissions",
            "order",
            "status",
            "timeline",
            "open_task",
            "can_edit",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.JSONField()))
    def get_answers(self, application):
        return selectors.application_answers(application)

    @extend_schema_field(CaseDocumentSerializer(many=True))
    def get_documents(self, application):
        return CaseDocumentSerializer(
            selectors.application_documents(application), many=True, context=self.context
        ).data

    @extend_schema_field(SubmissionSerializer(many=True))
    def get_submissions(self, application):
        return SubmissionSerializer(
            selectors.application_submissions(application), many=True, context=self.context
        ).data

    @extend_schema_field(OrderSerializer(allow_null=True))
    def get_order(self, application):
        return OrderSerializer(application.order).data if application.order_id else None

    @extend_schema_field(StatusTermSerializer(allow_null=True))
    def get_status(self, application):
        status = getattr(application, "status", None)
        return StatusTermSerializer(status).data if status else None

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, application):
        return TimelineEntrySerializer(selectors.application_timeline(application), many=True).data

    def get_open_task(self, application) -> int | None:
        if not application.process_id:
            return None
        return (
            selectors.task_visible_qs(self.context["request"].user)
            .filter(process_id=application.process_id)
            .values_list("pk", flat=True)
            .first()
        )

    def get_can_edit(self, application) -> bool:
        return selectors.application_can_edit(
            application=application, user=self.context["request"].user
        )


# --- Output: tasks ------------------------------------------------------------------------


class ChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="A string, or an integer for year_index.")
    label = serializers.CharField()


class FormFieldSerializer(serializers.Serializer):
    """One field of the step's form, enough for a client to render and validate it."""

    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["string", "text", "choice", "date", "email", "integer", "file"]
    )
    required = serializers.BooleanField()
    help_text = serializers.CharField()
    max_length = serializers.IntegerField(allow_null=True)
    choices = ChoiceSerializer(many=True)


class TaskSerializer(serializers.Serializer):
    """An open step. `task.process.application` is loaded with select_related by the views."""

    id = serializers.IntegerField()
    step = serializers.SerializerMethodField(help_text="check, revise, council or approve.")
    step_title = serializers.SerializerMethodField()
    status = serializers.CharField()
    application = serializers.SerializerMethodField()
    reg_number = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField(help_text="Who took the step; null while nobody.")
    created = serializers.DateTimeField()

    def get_step(self, task) -> str:
        return task.flow_task.name

    def get_step_title(self, task) -> str:
        return str(task.flow_task.task_title or task.flow_task.name)

    def get_application(self, task) -> int:
        return task.process.application.pk

    def get_reg_number(self, task) -> str:
        return task.process.application.reg_number

    def get_organisation(self, task) -> str:
        return str(task.process.application.organisation)

    def get_owner(self, task) -> str | None:
        return task.owner.get_full_name() if task.owner_id else None


class TaskDetailSerializer(TaskSerializer):
    step_description = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    can_claim = serializers.SerializerMethodField()
    application_summary = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField(
        help_text="The decision fields to POST to /complete/, validated by the step's form."
    )

    def get_step_description(self, task) -> str:
        return str(task.flow_task.task_description or "")

    def get_is_mine(self, task) -> bool:
        return task.owner_id == self.context["request"].user.pk

    def get_can_claim(self, task) -> bool:
        user = self.context["request"].user
        return (
            task.status in selectors.OPEN_TASK_STATUSES
            and not task.owner_id
            and task.flow_task.can_assign(user, task)
        )

    @extend_schema_field(ApplicationSummarySerializer)
    def get_application_summary(self, task):
        return ApplicationSummarySerializer(task.process.application, context=self.context).data

    @extend_schema_field(FormFieldSerializer(many=True))
    def get_form(self, task):
        form_class = STEP_FORMS.get(task.flow_task.name)
        return describe_form(form_class) if form_class else []


# --- Output: a programme's application form ------------------------------------------------


class ProgramFormFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=list(formdef.FIELD_TYPES))
    label = serializers.CharField()
    help_text = serializers.CharField()
    required = serializers.BooleanField(help_text="Must be answered before the case is submitted.")
    choices = serializers.ListField(child=serializers.DictField(), required=False)
    fields = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="A repeating group (`type` group): the fields of each row; send the answer "
        "as a list of objects.",
    )
    min = serializers.IntegerField(required=False, help_text="A group: rows needed at least.")


class AttachmentKindSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Send it as `kind` with the file.")
    label = serializers.CharField()
    required = serializers.BooleanField(help_text="Needed before the application is submitted.")


class ProgramFormSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    version = serializers.IntegerField()
    fields = ProgramFormFieldSerializer(many=True)
    planned_events = serializers.BooleanField(
        help_text="Whether the application lists planned events per year of the status."
    )
    attachments = AttachmentKindSerializer(many=True)
    applicants = serializers.ChoiceField(
        choices=["organisations", "persons"],
        help_text="`persons`: a person applies in his own name; send no `organisation`.",
    )
