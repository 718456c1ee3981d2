"""Council endpoints. Thin: the shared forms validate, one service acts, errors are mapped to
JSON by core.api.errors. Objects outside the user's councils answer 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from core.api.schema import problem_responses as _errors

from .. import selectors, services
from ..models import AgendaItem, Extract, Protocol
from . import serializers as s


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _meeting(request, pk):
    return get_object_or_404(selectors.meeting_visible_qs(request.user), pk=pk)


def _item(request, pk):
    return get_object_or_404(
        AgendaItem.objects.filter(meeting__in=selectors.meeting_visible_qs(request.user)), pk=pk
    )


def _protocol(request, pk):
    return get_object_or_404(
        Protocol.objects.filter(meeting__in=selectors.meeting_visible_qs(request.user)), pk=pk
    )


def _meeting_response(request, pk, code=status.HTTP_200_OK):
    return Response(s.MeetingSerializer(_meeting(request, pk)).data, status=code)


def _item_response(request, pk):
    return Response(s.AgendaItemSerializer(_item(request, pk)).data)


def _protocol_response(request, pk, code=status.HTTP_200_OK):
    return Response(s.ProtocolSerializer(_protocol(request, pk)).data, status=code)


class CouncilListView(generics.ListAPIView):
    serializer_class = s.CouncilSerializer

    def get_queryset(self):
        return selectors.council_visible_qs(self.request.user)

    @extend_schema(summary="Councils you sit on (staff: all), with the cases waiting for them")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CouncilMeetingsView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(
        summary="Plan a meeting (the council's secretary)",
        request=s.MeetingInputSerializer,
        responses={201: s.MeetingSerializer, **_errors(400, 403, 404)},
    )
    def post(self, request, pk: int):
        council = get_object_or_404(selectors.council_visible_qs(request.user), pk=pk)
        data = _valid(s.MeetingInputSerializer, request)
        meeting = services.meeting_create(council_id=council.pk, user=request.user, **data)
        return _meeting_response(request, meeting.pk, status.HTTP_201_CREATED)


class MeetingListView(generics.ListAPIView):
    serializer_class = s.MeetingSerializer

    def get_queryset(self):
        return selectors.meeting_visible_qs(self.request.user)

    @extend_schema(summary="Meetings of your councils")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MeetingDetailView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(
        summary="A meeting: quorum, attendance, agenda with live tallies",
        responses={200: s.MeetingSerializer, **_errors(404)},
    )
    def get(self, request, pk: int):
        return _meeting_response(request, pk)


class MeetingItemsView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(
        summary="Put a waiting case or a free question on the agenda",
        request=s.AgendaItemInputSerializer,
        responses={201: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        data = _valid(s.AgendaItemInputSerializer, request)
        services.agenda_item_add(meeting_id=meeting.pk, user=request.user, **data)
        return _meeting_response(request, pk, status.HTTP_201_CREATED)


class ItemDetailView(generics.GenericAPIView):
    serializer_class = s.AgendaItemSerializer

    @extend_schema(
        summary="An agenda item with its live tally",
        responses={200: s.AgendaItemSerializer, **_errors(404)},
    )
    def get(self, request, pk: int):
        return _item_response(request, pk)

    @extend_schema(
        summary="Take a question not yet voted on off the agenda",
        responses={204: None, **_errors(403, 404, 409)},
    )
    def delete(self, request, pk: int):
        services.agenda_item_remove(item_id=_item(request, pk).pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _meeting_action(service, summary):
    class View(generics.GenericAPIView):
        serializer_class = s.MeetingSerializer

        @extend_schema(
            summary=summary,
            request=None,
            responses={200: s.MeetingSerializer, **_errors(403, 404, 409)},
        )
        def post(self, request, pk: int):
            service(meeting_id=_meeting(request, pk).pk, user=request.user)
            return _meeting_response(request, pk)

    View.__name__ = View.__qualname__ = f"{service.__name__.title().replace('_', '')}View"
    return View


MeetingNotifyView = _meeting_action(
    services.meeting_notify, "Notify the members of the meeting and its agenda"
)
MeetingOpenView = _meeting_action(services.meeting_open, "Open the meeting (needs a quorum)")


class MeetingRescheduleView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(
        summary="Move a planned meeting to another date, place or format (the secretary)",
        description="Members already notified of the meeting are told of the change.",
        request=s.RescheduleInputSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        data = _valid(s.RescheduleInputSerializer, request)
        services.meeting_reschedule(meeting_id=meeting.pk, user=request.user, **data)
        return _meeting_response(request, pk)


class MeetingCancelView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(
        summary="Cancel a planned meeting (the secretary)",
        description=(
            "The cases on its agenda wait for the council again and can be put on another "
            "meeting; members already notified are told. The meeting keeps its number."
        ),
        request=s.CancelInputSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        data = _valid(s.CancelInputSerializer, request)
        services.meeting_cancel(meeting_id=meeting.pk, user=request.user, **data)
        return _meeting_response(request, pk)


class MeetingAttendanceView(generics.GenericAPIView):
    serializer_class = s.MeetingSerializer

    @extend_schema(
        summary="Record who is present and who was invited (replaces the list)",
        request=s.AttendanceInputSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        meeting = _meeting(request, pk)
        data = _valid(s.AttendanceInputSerializer, request)
        services.attendance_record(
            meeting_id=meeting.pk,
            user=request.user,
            member_ids=data["members"],
            guests=data.get("guests", []),
        )
        return _meeting_response(request, pk)


class MeetingCloseView(generics.GenericAPIView):
    serializer_class = s.ProtocolSerializer

    @extend_schema(
        summary="Close the meeting; its protocol is drawn up for signature",
        request=None,
        responses={201: s.ProtocolSerializer, **_errors(403, 404, 409)},
    )
    def post(self, request, pk: int):
        protocol = services.meeting_close(meeting_id=_meeting(request, pk).pk, user=request.user)
        return _protocol_response(request, protocol.pk, status.HTTP_201_CREATED)


class ItemVotingView(generics.GenericAPIView):
    serializer_class = s.AgendaItemSerializer

    @extend_schema(
        summary="Open voting on the question (needs a quorum)",
        request=None,
        responses={200: s.AgendaItemSerializer, **_errors(403, 404, 409)},
    )
    def post(self, request, pk: int):
        services.item_voting_start(item_id=_item(request, pk).pk, user=request.user)
        return _item_response(request, pk)


class ItemVoteView(generics.GenericAPIView):
    serializer_class = s.AgendaItemSerializer

    @extend_schema(
        summary="Vote for / against / abstain (a present member; a new choice changes the vote)",
        request=s.VoteInputSerializer,
        responses={200: s.AgendaItemSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        item = _item(request, pk)
        data = _valid(s.VoteInputSerializer, request)
        services.vote_cast(item_id=item.pk, user=request.user, choice=data["choice"])
        return _item_response(request, pk)


class ItemTallyView(generics.GenericAPIView):
    serializer_class = s.AgendaItemSerializer

    @extend_schema(
        summary="Record the count of a paper vote (the secretary)",
        request=s.PaperTallyInputSerializer,
        responses={200: s.AgendaItemSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        item = _item(request, pk)
        data = _valid(s.PaperTallyInputSerializer, request)
        services.item_paper_tally(item_id=item.pk, user=request.user, **data)
        return _item_response(request, pk)


class ItemRecusalView(generics.GenericAPIView):
    serializer_class = s.AgendaItemSerializer

    @extend_schema(
        summary="Mark a member as not voting on the question (conflict of interest)",
        request=s.RecusalInputSerializer,
        responses={200: s.AgendaItemSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        item = _item(request, pk)
        data = _valid(s.RecusalInputSerializer, request)
        services.item_recuse(
            item_id=item.pk, user=request.user, member_id=data["member"], reason=data["reason"]
        )
        return _item_response(request, pk)


class ItemCloseView(generics.GenericAPIView):
    serializer_class = s.AgendaItemSerializer

    @extend_schema(
        summary="Close the question: the outcome follows the council's rules",
        request=s.ItemCloseInputSerializer,
        responses={200: s.AgendaItemSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        item = _item(request, pk)
        data = _valid(s.ItemCloseInputSerializer, request)
        services.item_close(item_id=item.pk, user=request.user, **data)
        return _item_response(request, pk)


class ProtocolDetailView(generics.GenericAPIView):
    serializer_class = s.ProtocolSerializer

    @extend_schema(
        summary="A protocol with its sign-offs",
        responses={200: s.ProtocolSerializer, **_errors(404)},
    )
    def get(self, request, pk: int):
        return _protocol_response(request, pk)


class ProtocolSignView(generics.GenericAPIView):
    serializer_class = s.ProtocolSerializer

    @extend_schema(
        summary="Sign off the protocol (the chair or the secretary of the meeting)",
        description="With both sign-offs the protocol is signed and each case on the agenda moves on.",
        request=None,
        responses={200: s.ProtocolSerializer, **_errors(403, 404, 409)},
    )
    def post(self, request, pk: int):
        services.protocol_sign(protocol_id=_protocol(request, pk).pk, user=request.user)
        return _protocol_response(request, pk)


class ProtocolCorrectionView(generics.GenericAPIView):
    serializer_class = s.ProtocolSerializer

    @extend_schema(
        summary="Correct a signed protocol: a new linked protocol, signed again",
        request=s.CorrectionInputSerializer,
        responses={201: s.ProtocolSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        protocol = _protocol(request, pk)
        data = _valid(s.CorrectionInputSerializer, request)
        items = {
            i["number"]: {k: v for k, v in i.items() if k != "number"}
            for i in data.get("items", [])
        }
        correction = services.protocol_correct(
            protocol_id=protocol.pk, user=request.user, reason=data["reason"], items=items
        )
        return _protocol_response(request, correction.pk, status.HTTP_201_CREATED)


class ExtractDetailView(generics.GenericAPIView):
    serializer_class = s.ExtractSerializer

    @extend_schema(
        summary="An extract from a protocol (the case's applicant, staff, council members)",
        responses={200: s.ExtractSerializer, **_errors(404)},
    )
    def get(self, request, pk: int):
        extract = get_object_or_404(
            Extract.objects.select_related("item__meeting", "protocol"), pk=pk
        )
        if not selectors.extract_visible(user=request.user, extract=extract):
            raise Http404
        return Response(s.ExtractSerializer(extract).data)
