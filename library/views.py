"""Pages of the bank of best practice: thin, the services check who may do what."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.errors import DocketError
from core.forms import error_summary, errors_to_forms
from core.ratelimit import rate_exceeded
from documents.downloads import version_response

from . import selectors, services
from .forms import CatalogueSearchForm, FilesForm, PracticeForm, ReviewForm
from .models import Practice

PAGE = 20


@login_required
@require_safe
def practice_list(request):
    """My practices, and (for the programme's secretaries) those waiting for a decision."""
    return render(
        request,
        "library/practice_list.html",
        {
            "mine": Practice.objects.filter(author=request.user).select_related("program"),
            "queue": selectors.review_queue(request.user).select_related("program", "author"),
            "may_submit": selectors.programs_to_submit(request.user).exists(),
        },
    )


@login_required
def practice_create(request):
    programs = selectors.programs_to_submit(request.user)
    if not programs.exists():
        raise Http404
    form = PracticeForm(request.POST or None)
    files = FilesForm(request.POST or None, request.FILES or None)
    summary = []
    if request.method == "POST":
        if form.is_valid() and files.is_valid():
            program = get_object_or_404(programs, pk=request.POST.get("program"))
            try:
                practice = services.practice_submit(
                    user=request.user,
                    program_id=program.pk,
                    fields=form.cleaned_data,
                    files=files.cleaned_data["files"],
                )
            except ValidationError as exc:
                errors_to_forms(request, exc, form, files)
            except DocketError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("The practice is submitted. Sign your consent to its publication below."),
                )
                return redirect("practice-detail", practice.pk)
        summary = error_summary(form, files)
    return render(
        request,
        "library/practice_form.html",
        {"form": form, "files": files, "programs": programs, "error_summary": summary},
    )


@login_required
def practice_detail(request, pk):
    practice = get_object_or_404(selectors.practices_visible_qs(request.user), pk=pk)
    is_author = practice.author_id == request.user.pk
    may_review = practice.state == Practice.State.SUBMITTED and selectors.may_review(
        request.user, practice
    )
    latest = selectors.latest_version(practice)
    review = ReviewForm(request.POST or None) if may_review else None
    revise = None
    files = None
    if is_author and practice.state == Practice.State.RETURNED:
        revise = PracticeForm(
            request.POST or None,
            initial={
                "kind": practice.kind,
                **{f: getattr(latest, f) for f in PracticeForm.base_fields if f != "kind"},
            },
        )
        files = FilesForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "review" and review is not None and review.is_valid():
                services.practice_review(
                    user=request.user, practice_id=practice.pk, **review.cleaned_data
                )
                messages.success(request, _("Saved."))
                return redirect("practice-detail", practice.pk)
            if action == "revise" and revise is not None and revise.is_valid() and files.is_valid():
                services.practice_revise(
                    user=request.user,
                    practice_id=practice.pk,
                    fields=revise.cleaned_data,
                    files=files.cleaned_data["files"],
                )
                messages.success(request, _("The practice is resubmitted."))
                return redirect("practice-detail", practice.pk)
            if action == "withdraw" and is_author:
                services.practice_withdraw(
                    user=request.user,
                    practice_id=practice.pk,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("The practice is withdrawn."))
                return redirect("practice-detail", practice.pk)
            if action not in ("review", "revise", "withdraw"):
                raise Http404
        except ValidationError as exc:
            errors_to_forms(request, exc, review if action == "review" else revise, files)
        except DocketError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "library/practice_detail.html",
        {
            "practice": practice,
            "versions": practice.versions.prefetch_related("files").order_by("-number"),
            "latest": latest,
            "is_author": is_author,
            "consent_given": selectors.consent_given(practice),
            "review_form": review,
            "revise_form": revise,
            "files_form": files,
            "error_summary": error_summary(*(f for f in (review, revise, files) if f is not None)),
        },
    )


def _throttled(request):
    if not rate_exceeded(
        request, scope="public-practices", limit=settings.PUBLIC_REGISTRY_REQUESTS_PER_MINUTE
    ):
        return None
    response = render(request, "statuses/public_registry_throttled.html", status=429)
    response["Retry-After"] = "60"
    return response


@require_safe
def catalogue(request):
    """No login: the approved practices, searchable by text, subject and level."""
    if throttled := _throttled(request):
        return throttled
    form = CatalogueSearchForm(request.GET or None)
    query = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.catalogue_qs(
        text=query.get("q", ""),
        subject=query.get("subject", ""),
        level=query.get("level", ""),
        program=request.GET.get("program", ""),
        kind=query.get("kind", ""),
    )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "library/catalogue.html",
        {"form": form, "page": page, "query": params.urlencode()},
    )


def _published(pk) -> Practice:
    practice = selectors.catalogue_qs().filter(pk=pk).first()
    if practice is None:
        raise Http404
    return practice


@require_safe
def catalogue_detail(request, pk):
    if throttled := _throttled(request):
        return throttled
    practice = _published(pk)
    return render(
        request,
        "library/catalogue_detail.html",
        {"practice": practice, "version": practice.published},
    )


@require_safe
def catalogue_file(request, pk, document_id):
    """A material of a published practice, to anyone (the author consented to it)."""
    if throttled := _throttled(request):
        return throttled
    practice = _published(pk)
    document = get_object_or_404(practice.published.files, pk=document_id)
    version = document.current_version
    if version is None:
        raise Http404
    return version_response(version)
