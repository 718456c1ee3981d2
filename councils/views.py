"""The council's pages. Thin: parse input with the shared forms, call one service, render.

Every page checks the object against the user: meetings and protocols are visible to the
council's current members and to staff who see every case; an extract also to its applicant.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timezone import localdate as today
from django.utils.translation import gettext as _

from core.errors import DocketError
from documents.models import Document

from . import forms, paper, selectors, services
from .models import AgendaItem, Extract, Meeting, Protocol


def _report(request, exc) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, exc.message)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _acts(view):
    """POST handlers: a refused action is a message on the same page, nothing changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (DocketError, ValidationError) as exc:
            _report(request, exc)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return redirect(request.path)

    return wrapper


@login_required
def council_list(request):
    councils = list(selectors.council_visible_qs(request.user))
    mine = [c for c in councils if selectors.seat_of(council=c, user=request.user, day=today())]
    if len(mine) == 1 and request.GET.get("all") is None:
        return redirect("council-detail", mine[0].pk)
    rows = [
        {
            "council": c,
            "warning": selectors.meetings_year_warning(c),
            "waiting": len(selectors.cases_waiting(c)),
        }
        for c in councils
    ]
    return render(request, "councils/council_list.html", {"rows": rows})


@login_required
def council_detail(request, pk):
    council = get_object_or_404(selectors.council_visible_qs(request.user), pk=pk)
    is_secretary = selectors.is_secretary(council=council, user=request.user)
    form = forms.MeetingForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "place": council.default_place},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.meeting_create(
                    council_id=council.pk, user=request.user, **form.cleaned_data
                )
            except (DocketError, ValidationError) as exc:
                _report(request, exc)
            else:
                messages.success(request, _("The meeting is planned; now build its agenda."))
                return redirect("meeting-detail", meeting.pk)
        else:
            _form_errors(request, form)
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "meetings": council.meetings.all(),
            "waiting": selectors.cases_waiting(council),
            "members": selectors.members_on(council, timezone.localdate()),
            "warning": selectors.meetings_year_warning(council),
            "is_secretary": is_secretary,
            "form": form,
        },
    )


def _visible_meeting(request, pk) -> Meeting:
    return get_object_or_404(selectors.meeting_visible_qs(request.user), pk=pk)


@login_required
def meeting_detail(request, pk):
    meeting = _visible_meeting(request, pk)
    if request.method == "POST":
        return _meeting_action(request, meeting)
    council = meeting.council
    seats = list(selectors.members_on(council, meeting.date))
    present = set(selectors.present_members(meeting).values_list("pk", flat=True))
    is_running = meeting.status in (Meeting.Status.PLANNED, Meeting.Status.OPEN)
    guests = meeting.attendance.filter(member__isnull=True)
    attendance_form = forms.AttendanceForm(
        seats=seats,
        initial={
            "members": list(present),
            "guests": "\n".join(
                ", ".join(p for p in (g.guest_name, g.guest_position) if p) for g in guests
            ),
        },
    )
    return render(
        request,
        "councils/meeting_detail.html",
        {
            "meeting": meeting,
            "council": council,
            "items": meeting.items.all(),
            "seats": seats,
            "present": present,
            "guests": guests,
            "quorum": selectors.meeting_quorum(meeting),
            "chair": selectors.meeting_chair(meeting),
            "is_secretary": selectors.is_secretary(council=council, user=request.user),
            "waiting": selectors.cases_waiting(council) if is_running else [],
            "is_running": is_running,
            "attendance_form": attendance_form,
            "reschedule_form": forms.RescheduleForm(
                initial={"date": meeting.date, "place": meeting.place, "format": meeting.format}
            ),
            "cancel_form": forms.CancelMeetingForm(),
            "reschedulings": selectors.meeting_reschedulings(meeting),
            "free_form": forms.FreeItemForm(),
            "protocol": meeting.protocols.filter(corrects__isnull=True).first(),
        },
    )


@_acts
def _meeting_action(request, meeting):
    action, user = request.POST.get("action"), request.user
    if action == "add_case":
        form = forms.CaseItemForm(request.POST)
        if form.is_valid():
            services.agenda_item_add(meeting_id=meeting.pk, user=user, **form.cleaned_data)
            messages.success(request, _("The case is on the agenda."))
        else:
            _form_errors(request, form)
    elif action == "add_free":
        form = forms.FreeItemForm(request.POST)
        if form.is_valid():
            services.agenda_item_add(meeting_id=meeting.pk, user=user, **form.cleaned_data)
            messages.success(request, _("The question is on the agenda."))
        else:
            _form_errors(request, form)
    elif action == "remove_item":
        item = get_object_or_404(meeting.items, pk=request.POST.get("item") or 0)
        services.agenda_item_remove(item_id=item.pk, user=user)
        messages.success(request, _("The question is taken off the agenda."))
    elif action == "notify":
        services.meeting_notify(meeting_id=meeting.pk, user=user)
        messages.success(request, _("The members are notified of the meeting and its agenda."))
    elif action == "reschedule":
        form = forms.RescheduleForm(request.POST)
        if form.is_valid():
            meeting = services.meeting_reschedule(
                meeting_id=meeting.pk, user=user, **form.cleaned_data
            )
            messages.success(
                request,
                _("The meeting is moved to %(date)s.")
                % {"date": meeting.date.strftime("%d.%m.%Y")},
            )
        else:
            _form_errors(request, form)
    elif action == "cancel":
        form = forms.CancelMeetingForm(request.POST)
        if form.is_valid():
            services.meeting_cancel(meeting_id=meeting.pk, user=user, **form.cleaned_data)
            messages.success(
                request,
                _("The meeting is cancelled; its cases wait for the next meeting."),
            )
        else:
            _form_errors(request, form)
    elif action == "attendance":
        seats = selectors.members_on(meeting.council, meeting.date)
        form = forms.AttendanceForm(request.POST, seats=seats)
        if form.is_valid():
            services.attendance_record(
                meeting_id=meeting.pk,
                user=user,
                member_ids=form.cleaned_data["members"],
                guests=form.cleaned_guests(),
            )
            messages.success(request, _("The attendance is recorded."))
        else:
            _form_errors(request, form)
    elif action == "open":
        services.meeting_open(meeting_id=meeting.pk, user=user)
        messages.success(request, _("The meeting is open."))
    elif action == "close":
        protocol = services.meeting_close(meeting_id=meeting.pk, user=user)
        messages.success(request, _("The meeting is closed; the protocol awaits signatures."))
        return redirect("protocol-detail", protocol.pk)
    else:
        raise Http404
    return redirect("meeting-detail", meeting.pk)


@login_required
def item_detail(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.filter(meeting__in=selectors.meeting_visible_qs(request.user)), pk=pk
    )
    if request.method == "POST":
        return _item_action(request, item)
    meeting = item.meeting
    council = meeting.council
    is_secretary = selectors.is_secretary(council=council, user=request.user)
    seat = selectors.present_members(meeting).filter(user=request.user).first()
    my_vote = item.votes.filter(member=seat).first() if seat else None
    recused = {r.member_id: r for r in item.recusals.all()}
    tally = selectors.item_tally(item)
    result = selectors.item_result(item) if item.status == AgendaItem.Status.VOTING else None
    close_form = None
    if is_secretary and item.status != AgendaItem.Status.CLOSED:
        outcome = (
            AgendaItem.Outcome.ADOPTED
            if result and result.adopted
            else AgendaItem.Outcome.NOT_ADOPTED
            if result
            else AgendaItem.Outcome.POSTPONED
        )
        close_form = forms.ItemCloseForm(initial=paper.default_texts(item, outcome=outcome))
    return render(
        request,
        "councils/item_detail.html",
        {
            "item": item,
            "meeting": meeting,
            "seat": seat,
            "my_vote": my_vote,
            "can_vote": seat is not None
            and seat.pk not in recused
            and item.status == AgendaItem.Status.VOTING
            and item.tally == AgendaItem.Tally.ELECTRONIC,
            "recused": recused,
            "is_secretary": is_secretary,
            "tally": tally,
            "result": result,
            "present": selectors.present_members(meeting),
            "votes": item.votes.select_related("member__user"),
            "tally_form": forms.PaperTallyForm(),
            "close_form": close_form,
            "vote_choices": forms.VoteForm.base_fields["choice"].choices,
            # No automatic reload: it wiped what the secretary was typing into the minutes.
            "live": item.status == AgendaItem.Status.VOTING and is_secretary,
        },
    )


@_acts
def _item_action(request, item):
    action, user = request.POST.get("action"), request.user
    if action == "vote":
        form = forms.VoteForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            vote = services.vote_cast(
                item_id=item.pk, user=user, choice=form.cleaned_data["choice"]
            )
            messages.success(
                request,
                _("Your vote “%(choice)s” is counted.") % {"choice": vote.get_choice_display()},
            )
    elif action == "start":
        services.item_voting_start(item_id=item.pk, user=user)
        messages.success(request, _("Voting is open."))
    elif action == "tally":
        form = forms.PaperTallyForm(request.POST)
        if form.is_valid():
            services.item_paper_tally(item_id=item.pk, user=user, **form.cleaned_data)
            messages.success(request, _("The paper vote is recorded."))
        else:
            _form_errors(request, form)
    elif action == "recuse":
        form = forms.RecusalForm(request.POST)
        if form.is_valid():
            services.item_recuse(
                item_id=item.pk,
                user=user,
                member_id=form.cleaned_data["member"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("The member does not vote on this question."))
        else:
            _form_errors(request, form)
    elif action == "close":
        form = forms.ItemCloseForm(request.POST)
        if form.is_valid():
            item = services.item_close(item_id=item.pk, user=user, **form.cleaned_data)
            messages.success(
                request,
                _("The question is closed: %(outcome)s.")
                % {"outcome": item.get_outcome_display().lower()},
            )
            return redirect("meeting-detail", item.meeting_id)
        _form_errors(request, form)
    else:
        raise Http404
    return redirect("item-detail", item.pk)


def _visible_protocol(request, pk) -> Protocol:
    return get_object_or_404(
        Protocol.objects.filter(
            meeting__in=selectors.meeting_visible_qs(request.user)
        ).select_related("meeting__council__program"),
        pk=pk,
    )


@login_required
def protocol_detail(request, pk):
    protocol = _visible_protocol(request, pk)
    if request.method == "POST":
        return _protocol_action(request, protocol)
    meeting = protocol.meeting
    signoffs = {s.role: s for s in protocol.signoffs.select_related("signer")}
    chair = selectors.meeting_chair(meeting)
    secretary = selectors.meeting_secretary(meeting)
    is_signer = protocol.state == Protocol.State.DRAFT and (
        (chair and chair.user_id == request.user.pk and "chair" not in signoffs)
        or (secretary and secretary.user_id == request.user.pk and "secretary" not in signoffs)
    )
    document = protocol.document
    ready = document is None or document.render_state == Document.RenderState.READY
    return render(
        request,
        "councils/protocol_detail.html",
        {
            "protocol": protocol,
            "meeting": meeting,
            "doc": paper.as_context(protocol.content),
            "signoffs": signoffs,
            "can_sign": is_signer and ready,
            "awaits_pdf": is_signer and not ready,
            "paper": document,
            "can_correct": protocol.state == Protocol.State.SIGNED
            and not Protocol.objects.filter(corrects=protocol).exists()
            and selectors.is_secretary(council=meeting.council, user=request.user),
            "correction": Protocol.objects.filter(corrects=protocol).first(),
            "correction_form": forms.CorrectionForm(),
        },
    )


@_acts
def _protocol_action(request, protocol):
    action = request.POST.get("action")
    if action == "sign":
        protocol = services.protocol_sign(protocol_id=protocol.pk, user=request.user)
        if protocol.state == Protocol.State.SIGNED:
            messages.success(request, _("The protocol is signed; its decisions have taken effect."))
        else:
            messages.success(request, _("Your sign-off is recorded."))
    elif action == "correct":
        form = forms.CorrectionForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("protocol-detail", protocol.pk)
        data = form.cleaned_data
        items = {data["item"]: {"decided": data["decided"]}} if data.get("item") else {}
        correction = services.protocol_correct(
            protocol_id=protocol.pk, user=request.user, reason=data["reason"], items=items
        )
        messages.success(request, _("The correction is drawn up; it awaits signatures."))
        return redirect("protocol-detail", correction.pk)
    else:
        raise Http404
    return redirect("protocol-detail", protocol.pk)


@login_required
def extract_detail(request, pk):
    extract = get_object_or_404(
        Extract.objects.select_related("protocol__meeting__council__program", "item"), pk=pk
    )
    if not selectors.extract_visible(user=request.user, extract=extract):
        raise Http404
    return render(
        request,
        "councils/extract_detail.html",
        {"extract": extract, "doc": paper.as_context(extract.content)},
    )
