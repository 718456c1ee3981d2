"""Shapes of the council API. Input is validated by councils.forms (the pages'
forms); output reads models and selectors."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.formfields import FormSerializer, form_serializer, require_mapping
from core.ids import ID_MAX
from core.limits import LINE

from .. import forms, selectors
from ..models import AgendaItem, Council, CouncilMember, Extract, Meeting, Protocol, Vote

MeetingInputSerializer = form_serializer(forms.MeetingForm, "MeetingInput")
RescheduleInputSerializer = form_serializer(forms.RescheduleForm, "MeetingRescheduleInput")
CancelInputSerializer = form_serializer(forms.CancelMeetingForm, "MeetingCancelInput")
VoteInputSerializer = form_serializer(forms.VoteForm, "VoteInput")
PaperTallyInputSerializer = form_serializer(forms.PaperTallyForm, "PaperTallyInput")
RecusalInputSerializer = form_serializer(forms.RecusalForm, "RecusalInput")
ItemCloseInputSerializer = form_serializer(forms.ItemCloseForm, "ItemCloseInput")


class AgendaItemInputSerializer(FormSerializer):
    """A waiting case: `application` (its id), or `subject` (the case's type as listed in the
    council's `waiting`, e.g. "statuses.submission") with `subject_id`; or `title` (a free
    question)."""

    application = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    subject = serializers.CharField(required=False, max_length=100)
    subject_id = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    title = serializers.CharField(required=False, max_length=LINE)

    @staticmethod
    def _id(value, field):
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(
                {field: [_("Give the id as a whole number.")]}
            ) from exc
        if not 1 <= number <= ID_MAX:
            raise serializers.ValidationError(
                {field: [_("Nothing has this id; check the number.")]}
            )
        return number

    def to_internal_value(self, data):
        require_mapping(data)
        application, title = data.get("application"), data.get("title")
        subject, subject_id = data.get("subject"), data.get("subject_id")
        if subject not in (None, ""):
            if subject_id in (None, ""):
                raise serializers.ValidationError(
                    {"subject_id": [_("Give the id of the waiting case.")]}
                )
            return {"subject": str(subject), "subject_id": self._id(subject_id, "subject_id")}
        if application in (None, "") and not (title or "").strip():
            raise serializers.ValidationError(
                {"application": [_("Give the id of a waiting case or the text of a question.")]}
            )
        if application not in (None, ""):
            return {"application_id": self._id(application, "application")}
        return {"title": str(title)}


class GuestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=LINE)
    position = serializers.CharField(max_length=LINE, required=False, allow_blank=True)


class AttendanceInputSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        help_text="Ids of the seats (council members) present.",
    )
    guests = GuestSerializer(many=True, required=False)


class CorrectionItemSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1)
    heard = serializers.CharField(required=False, allow_blank=True)
    spoke = serializers.CharField(required=False, allow_blank=True)
    decided = serializers.CharField(required=False, allow_blank=True)


class CorrectionInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    items = CorrectionItemSerializer(many=True, required=False)


# --- Output ---------------------------------------------------------------------------------


class SeatSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)

    class Meta:
        model = CouncilMember
        fields = ["id", "user", "name", "role", "valid_from", "valid_until"]
        read_only_fields = fields


class WaitingCaseSerializer(serializers.Serializer):
    kind = serializers.CharField()
    subject = serializers.CharField(help_text="The case's type, to put it on an agenda.")
    id = serializers.IntegerField(source="object.pk")
    title = serializers.CharField()


class CouncilSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField()
    year_warning = serializers.SerializerMethodField(
        help_text="Set when the programme's minimum of meetings this year is at risk."
    )

    class Meta:
        model = Council
        fields = [
            "id",
            "program",
            "name",
            "quorum_rule",
            "decision_rule",
            "tie_rule",
            "min_meetings_per_year",
            "members",
            "waiting",
            "year_warning",
        ]
        read_only_fields = fields

    @extend_schema_field(SeatSerializer(many=True))
    def get_members(self, council):
        from django.utils import timezone

        return SeatSerializer(selectors.members_on(council, timezone.localdate()), many=True).data

    @extend_schema_field(WaitingCaseSerializer(many=True))
    def get_waiting(self, council):
        return WaitingCaseSerializer(selectors.cases_waiting(council), many=True).data

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_year_warning(self, council):
        return selectors.meetings_year_warning(council)


class TallySerializer(serializers.Serializer):
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    abstained = serializers.IntegerField()
    eligible = serializers.IntegerField()
    not_voted = serializers.IntegerField()


class VoteSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.get_full_name", read_only=True)

    class Meta:
        model = Vote
        fields = ["member", "member_name", "choice", "updated_at"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="application, report, renewal, termination, problem or free."
    )
    status = serializers.CharField(read_only=True, help_text="pending, voting or closed.")
    outcome = serializers.CharField(
        read_only=True, help_text="adopted, not_adopted, postponed; empty while open."
    )
    application = serializers.SerializerMethodField(
        help_text="Id of the case, for application items."
    )
    subject = serializers.SerializerMethodField(
        help_text="The case's type (e.g. statuses.submission); empty for a free question."
    )
    subject_id = serializers.IntegerField(read_only=True, allow_null=True)
    tally = serializers.SerializerMethodField(help_text="Live counts while voting.")
    recused = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "number",
            "kind",
            "title",
            "application",
            "subject",
            "subject_id",
            "status",
            "tally",
            "recused",
            "outcome",
            "heard",
            "spoke",
            "decided",
            "votes_for",
            "votes_against",
            "abstained",
        ]
        read_only_fields = fields

    def get_application(self, item) -> int | None:
        return item.subject_id if item.kind == AgendaItem.Kind.APPLICATION else None

    def get_subject(self, item) -> str:
        if not item.subject_type_id:
            return ""
        return f"{item.subject_type.app_label}.{item.subject_type.model}"

    @extend_schema_field(TallySerializer)
    def get_tally(self, item):
        tally = selectors.item_tally(item)
        return TallySerializer(tally).data

    def get_recused(self, item) -> list[int]:
        return list(item.recusals.values_list("member_id", flat=True))


class QuorumSerializer(serializers.Serializer):
    members = serializers.IntegerField()
    present = serializers.IntegerField()
    needed = serializers.IntegerField()
    reached = serializers.BooleanField()


class MeetingSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="planned, open, closed or cancelled.")
    quorum = serializers.SerializerMethodField()
    present = serializers.SerializerMethodField()
    guests = serializers.SerializerMethodField()
    items = AgendaItemSerializer(many=True, read_only=True)
    protocol = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "council",
            "year",
            "number",
            "date",
            "place",
            "format",
            "status",
            "cancelled_at",
            "cancel_reason",
            "quorum",
            "present",
            "guests",
            "items",
            "protocol",
        ]
        read_only_fields = fields

    @extend_schema_field(QuorumSerializer)
    def get_quorum(self, meeting):
        return QuorumSerializer(selectors.meeting_quorum(meeting)).data

    @extend_schema_field(SeatSerializer(many=True))
    def get_present(self, meeting):
        return SeatSerializer(selectors.present_members(meeting), many=True).data

    @extend_schema_field(GuestSerializer(many=True))
    def get_guests(self, meeting):
        return [
            {"name": a.guest_name, "position": a.guest_position}
            for a in meeting.attendance.filter(member__isnull=True)
        ]

    def get_protocol(self, meeting) -> int | None:
        protocol = meeting.protocols.filter(corrects__isnull=True).first()
        return protocol.pk if protocol else None


class SignoffSerializer(serializers.Serializer):
    role = serializers.CharField()
    signer = serializers.CharField(source="signer.get_full_name")
    at = serializers.DateTimeField(source="created_at")


class PaperSerializer(serializers.Serializer):
    """The registered document behind a protocol or an extract."""

    id = serializers.IntegerField()
    reg_number = serializers.CharField()
    reg_date = serializers.DateField(allow_null=True)
    render_state = serializers.CharField(help_text="preparing, ready or failed.")
    signatures = serializers.SerializerMethodField()

    def get_signatures(self, document) -> list[str]:
        return [s.signer.get_full_name() for s in document.signatures.select_related("signer")]


class ProtocolSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="draft or signed.")
    document = PaperSerializer(read_only=True, allow_null=True)
    signoffs = SignoffSerializer(many=True, read_only=True)
    correction = serializers.SerializerMethodField()

    class Meta:
        model = Protocol
        fields = [
            "id",
            "meeting",
            "state",
            "content",
            "signoffs",
            "signed_at",
            "corrects",
            "correction_reason",
            "correction",
            "document",
        ]
        read_only_fields = fields

    def get_correction(self, protocol) -> int | None:
        found = Protocol.objects.filter(corrects=protocol).values_list("pk", flat=True).first()
        return found


class ExtractSerializer(serializers.ModelSerializer):
    protocol_state = serializers.CharField(source="protocol.state", read_only=True)
    document = PaperSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Extract
        fields = ["id", "protocol", "protocol_state", "item", "content", "document", "created_at"]
        read_only_fields = fields
