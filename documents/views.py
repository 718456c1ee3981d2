"""Pages of documents: thin, every object checked (404 for what the user may not see)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.ratelimit import rate_exceeded
from core.uploads import cap_uploads, declared_too_big

from . import selectors, services
from .downloads import version_response
from .models import Document, Journal


class CompareForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Your file"))


class NewVersionForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Corrected file"))


def _may_add_version(user, document: Document) -> bool:
    """Uploaded files (not print forms) get corrected versions from their author until signed."""
    return (
        document.created_by_id == user.pk
        and not document.render_state
        and not document.signatures.exists()
    )


def _visible_document(request, pk) -> Document:
    document = get_object_or_404(Document.objects.select_related("journal", "case_type"), pk=pk)
    if not selectors.document_can_view(user=request.user, document=document):
        raise Http404
    return document


def _verify_page(request, document, *, form=None, check=None, error="", status=200):
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "current": document.current_version,
            "signatures": selectors.signatures_report(document),
            "form": form or CompareForm(),
            "check": check,
            "file_error": error,
        },
        status=status,
    )


def _too_big_message() -> str:
    return _("The file is too large to compare (more than %(limit)s).") % {
        "limit": filesizeformat(settings.DOCUMENTS_VERIFY_MAX_BYTES)
    }


@csrf_exempt
def verify(request, code):
    """Public (the QR target): what the document is and whether a file at hand is it.

    Shows only what the printed document itself shows: kind, number, date, hash, signers.
    Anyone may call it, so it is throttled per client address, and a file to compare is read
    under a hard cap: a body declared too large is refused unread, and the upload handler
    stops reading once the file passes the cap. The CSRF check runs after the handler is set
    (`_verify` is csrf_protect'ed): reading the token would otherwise read the whole body."""
    limited = rate_exceeded(
        request, scope="verify-page", limit=settings.DOCUMENTS_VERIFY_VIEWS_PER_MINUTE
    ) or (
        request.method == "POST"
        and rate_exceeded(
            request, scope="verify-check", limit=settings.DOCUMENTS_VERIFY_CHECKS_PER_MINUTE
        )
    )
    if limited:
        response = render(request, "documents/verify_throttled.html", status=429)
        response["Retry-After"] = "60"
        return response
    cap = settings.DOCUMENTS_VERIFY_MAX_BYTES
    if request.method == "POST" and declared_too_big(request, cap=cap):
        document = selectors.document_by_code(code)
        if document is None:
            return render(request, "documents/verify.html", {"document": None}, status=404)
        return _verify_page(request, document, error=_too_big_message(), status=413)
    cap_uploads(request, cap=cap)
    return _verify(request, code)


@csrf_protect
def _verify(request, code):
    document = selectors.document_by_code(code)
    if document is None:
        return render(request, "documents/verify.html", {"document": None}, status=404)
    if request.method != "POST":
        return _verify_page(request, document)
    if request.upload_too_big:
        return _verify_page(request, document, error=_too_big_message(), status=413)
    form = CompareForm(request.POST, request.FILES)
    if not form.is_valid():
        return _verify_page(request, document, form=form, status=400)
    check = selectors.file_check(document=document, fileobj=form.cleaned_data["file"])
    return _verify_page(request, document, form=form, check=check)


@login_required
def document_detail(request, pk):
    document = _visible_document(request, pk)
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "current": document.current_version,
            "versions": document.versions.select_related("created_by").order_by("-number"),
            "signatures": selectors.signatures_report(document),
            "signatories": document.signatories.select_related("user"),
            "may_sign": services.document_may_sign(document=document, user=request.user),
            "may_add_version": _may_add_version(request.user, document),
            "version_form": NewVersionForm(),
            "has_certificate": services.signer_certificate_current(request.user) is not None,
        },
    )


@login_required
def version_download(request, pk, number):
    """Every download is checked per object and logged (who, when, which version)."""
    document = _visible_document(request, pk)
    version = get_object_or_404(document.versions, number=number)
    services.version_download_record(version=version, user=request.user)
    return version_response(version)


@login_required
@require_POST
def document_version_add(request, pk):
    """A new upload is a new version; the earlier ones stay downloadable as they were."""
    document = _visible_document(request, pk)
    if not _may_add_version(request.user, document):
        raise Http404
    form = NewVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("document-detail", pk)
    try:
        version = services.document_upload_version(
            document=document, uploaded=form.cleaned_data["file"], author=request.user
        )
        messages.success(request, _("Version %(number)s is stored.") % {"number": version.number})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("document-detail", pk)


@login_required
@require_POST
def document_sign(request, pk):
    document = _visible_document(request, pk)
    try:
        services.document_sign(document=document, signer=request.user)
        messages.success(request, _("Signed. The signed PDF is the document's current version."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not sign this document."))
    return redirect("document-detail", pk)


@login_required
@require_POST
def document_render_retry(request, pk):
    document = _visible_document(request, pk)
    if not request.user.is_staff:
        raise Http404
    try:
        services.print_form_retry(document=document, actor=request.user)
        messages.success(request, _("The document is being prepared again."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("document-detail", pk)


@login_required
def journal_list(request):
    if not request.user.has_perm("documents.view_journal"):
        raise Http404
    return render(request, "documents/journal_list.html", {"journals": Journal.objects.all()})


@login_required
def journal_detail(request, pk):
    if not request.user.has_perm("documents.view_journal"):
        raise Http404
    journal = get_object_or_404(Journal, pk=pk)
    entries = (
        journal.documents.select_related("created_by")
        .prefetch_related("signatures")
        .order_by("-reg_period", "-reg_sequence")
    )
    return render(
        request, "documents/journal_detail.html", {"journal": journal, "entries": entries}
    )
