"""Pages of curated communities: thin, the services check who may do what."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import DocketError
from core.forms import error_summary, errors_to_forms

from . import selectors, services
from .forms import CommunityForm, ParticipantsForm, PlanItemDoneForm, PlanItemForm


@login_required
def community_list(request):
    """The communities of the programmes the user serves or is a member of; methodists set
    up new ones (?program=<code> picks the programme)."""
    programs = list(selectors.programs_to_organise(request.user))
    program = next((p for p in programs if p.code == request.GET.get("program")), None)
    program = program or (programs[0] if programs else None)
    form = None
    candidates = []
    if program is not None:
        candidates = list(selectors.curator_candidates(program.pk))
        form = CommunityForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                community = services.community_create(
                    user=request.user,
                    program_id=program.pk,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    curator_id=int(request.POST.get("curator") or 0),
                )
            except ValidationError as exc:
                errors_to_forms(request, exc, form)
            except DocketError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The community is set up."))
                return redirect("community-detail", community.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "communities/community_list.html",
        {
            "communities": selectors.communities_visible_qs(request.user).select_related(
                "program", "curator"
            ),
            "programs": programs,
            "program": program,
            "form": form,
            "candidates": candidates,
            "error_summary": error_summary(form) if form is not None else [],
        },
    )


@login_required
def community_detail(request, pk):
    community = get_object_or_404(selectors.communities_visible_qs(request.user), pk=pk)
    keeps = selectors.may_keep(request.user, community)
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if data else None
    participants = ParticipantsForm(
        data if action == "participants" else None,
        initial={"participants": community.participants},
    )
    item_form = PlanItemForm(data if action == "plan_add" else None)
    done_form = PlanItemDoneForm(data if action == "plan_done" else None)
    if data is not None:
        if not keeps:
            raise Http404
        try:
            if action == "participants" and participants.is_valid():
                services.participants_set(
                    user=request.user, community_id=community.pk, **participants.cleaned_data
                )
                messages.success(request, _("Saved."))
                return redirect("community-detail", community.pk)
            if action == "plan_add" and item_form.is_valid():
                services.plan_item_add(
                    user=request.user, community_id=community.pk, **item_form.cleaned_data
                )
                messages.success(request, _("Saved."))
                return redirect("community-detail", community.pk)
            if action == "plan_done" and done_form.is_valid():
                item_id = done_form.cleaned_data.pop("item")
                get_object_or_404(community.plan_items, pk=item_id)
                services.plan_item_done(
                    user=request.user, item_id=item_id, **done_form.cleaned_data
                )
                messages.success(request, _("Saved."))
                return redirect("community-detail", community.pk)
            if action not in ("participants", "plan_add", "plan_done"):
                raise Http404
        except ValidationError as exc:
            target = {"participants": participants, "plan_add": item_form}.get(action, done_form)
            errors_to_forms(request, exc, target)
        except DocketError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": community,
            "keeps": keeps,
            "items": community.plan_items.all(),
            "participants_form": participants,
            "item_form": item_form,
            "done_form": done_form,
            "error_summary": error_summary(participants, item_form, done_form),
        },
    )
