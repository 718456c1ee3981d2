"""Writes of the paper trail. Versions are only ever added; numbers are allocated under a lock;
print forms render after commit; signatures are made with the signer's own key only.

Public API used by other apps (they never touch the models directly to change them):
`document_create`, `document_draft`, `document_link`, `journal_register`, `print_form_request`,
`print_form_retry`, `document_sign` (with `case_signed_register` for the case's app to react to
a signature), `version_download_record`, and the certificate services.
"""

import datetime
import hashlib
import logging
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_personal_data_read, audit_record
from core.transactions import lock, service_transaction

from . import pki, printforms
from .models import (
    CertificateAuthority,
    Document,
    DocumentDownload,
    Journal,
    JournalCounter,
    PrintTemplate,
    RenderRequest,
    Signatory,
    Signature,
    SignerCertificate,
    Version,
)
from .validators import validate_upload

log = logging.getLogger(__name__)

PDF = "application/pdf"
PERSONAL_DATA_KINDS = {
    Document.Kind.ATTACHMENT,
    Document.Kind.APPLICATION,
    Document.Kind.REPORT,
    Document.Kind.PLAN,
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _sha256_file(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


# --- Documents and versions ---------------------------------------------------------------------


def _case_fields(obj) -> dict:
    if obj is None:
        return {}
    return {"case_type": ContentType.objects.get_for_model(obj), "case_id": str(obj.pk)}


@service_transaction
def document_create(
    *,
    uploaded,
    author,
    title: str = "",
    kind: str = Document.Kind.ATTACHMENT,
    owner_org_id: int | None = None,
    case=None,
) -> Document:
    """Validate and store an upload as a new document with version 1; invalid input stores nothing."""
    mime = validate_upload(uploaded, kind=kind)
    document = Document.objects.create(
        kind=kind,
        title=title or uploaded.name,
        created_by=author,
        owner_org_id=owner_org_id,
        **_case_fields(case),
    )
    _version_add(document=document, uploaded=uploaded, author=author, mime=mime)
    audit_record(
        actor=author, action="document.create", obj=document, data={"title": document.title}
    )
    return document


@service_transaction
def document_upload_version(*, document: Document, uploaded, author) -> Version:
    """A corrected file is a new version, never an overwrite. Signed documents are closed."""
    document = lock(Document.objects).get(pk=document.pk)
    if document.signatures.exists():
        raise ValidationError(
            _("The document is signed; a changed file must be issued as a new document."),
            code="signed",
        )
    mime = validate_upload(uploaded, kind=document.kind)
    version = _version_add(document=document, uploaded=uploaded, author=author, mime=mime)
    audit_record(
        actor=author,
        action="document.version_add",
        obj=document,
        data={"version": version.number, "sha256": version.sha256},
    )
    return version


@service_transaction
def document_draft(
    *, kind: str, title: str, author, owner_org_id: int | None = None, case=None
) -> Document:
    """A document without a file yet: a print form to be registered, rendered and signed."""
    document = Document.objects.create(
        kind=kind, title=title, created_by=author, owner_org_id=owner_org_id, **_case_fields(case)
    )
    audit_record(actor=author, action="document.create", obj=document, data={"title": title})
    return document


@service_transaction
def document_link(*, document: Document, obj) -> None:
    """Tie a document to the case it belongs to (any model: documents do not know workflows).

    Linking again to the same case is a no-op; a document never moves to another case.
    """
    fields = _case_fields(obj)
    document = lock(Document.objects).get(pk=document.pk)
    if document.case_type_id == fields["case_type"].pk and document.case_id == fields["case_id"]:
        return
    if document.case_type_id is not None:
        raise ValidationError(
            _("The document already belongs to another case."), code="linked_elsewhere"
        )
    Document.objects.filter(pk=document.pk).update(**fields, updated_at=timezone.now())
    audit_record(
        actor=None,
        action="document.link",
        obj=document,
        data={"case": f"{obj._meta.label_lower}:{obj.pk}"},
    )


def _version_add(
    *, document: Document, uploaded, author, mime: str, role: str = Version.Role.ORIGINAL
) -> Version:
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return Version.objects.create(
        document=document,
        number=last + 1,
        role=role,
        file=uploaded,
        original_name=uploaded.name,
        sha256=_sha256_file(uploaded),
        size=uploaded.size,
        content_type=mime,
        created_by=author,
    )


def _version_add_bytes(*, document, data: bytes, name: str, mime: str, author, role) -> Version:
    return _version_add(
        document=document,
        uploaded=ContentFile(data, name=name),
        author=author,
        mime=mime,
        role=role,
    )


# --- Journals -----------------------------------------------------------------------------------

# Formats a journal gets when first used. Staff change them in the admin before the first
# registration of a year (the format of numbers already given is not rewritten).
JOURNAL_DEFAULTS = {
    "application": {"title": "Входящие заявки", "pattern": "{prefix}-{year}/{seq}", "padding": 4},
    "protocol": {"title": "Протоколы заседаний", "pattern": "{seq}"},
    "protocol_extract": {"title": "Выписки из протоколов", "pattern": "{seq}"},
    "order": {"title": "Распоряжения", "pattern": "{seq}-{suffix}", "suffix": "р"},
    "programme_documents": {
        "title": "Документы программ (приказы, положения)",
        "pattern": "{prefix}-{year}/{seq}",
        "prefix": "ДП",
        "padding": 3,
    },
    "publication_consent": {
        "title": "Согласия авторов на публикацию материалов",
        "pattern": "{prefix}-{year}/{seq}",
        "prefix": "СП",
        "padding": 4,
    },
    "status_certificate": {
        "title": "Свидетельства о статусе",
        "pattern": "{prefix}-{year}/{seq}",
        "prefix": "СВ",
        "padding": 3,
    },
    "submission": {
        "title": "Входящие планы и отчёты",
        "pattern": "{prefix}-{year}/{seq}",
        "prefix": "ОТЧ",
        "padding": 4,
    },
    "agreement": {
        "title": "Договоры о сотрудничестве",
        "pattern": "{prefix}-{year}/{seq}",
        "prefix": "ДС",
        "padding": 3,
    },
    "refusal_letter": {
        "title": "Исходящие письма",
        "pattern": "{prefix}-{seq}",
        "prefix": "Исх",
    },
    "audit_checkpoint": {
        "title": "Контрольные точки журнала аудита",
        "pattern": "{prefix}-{year}/{seq}",
        "prefix": "АУД",
        "padding": 4,
    },
}


def journal_get_or_create(*, code: str, scope: str, defaults: dict | None = None) -> Journal:
    """The journal of (code, scope), created with the default format on first use."""
    journal = Journal.objects.filter(code=code, scope=scope).first()
    if journal is not None:
        return journal
    values = {**JOURNAL_DEFAULTS.get(code, {"pattern": "{seq}"}), **(defaults or {})}
    try:
        with transaction.atomic():
            return Journal.objects.create(code=code, scope=scope, **values)
    except IntegrityError:  # created by a concurrent registration
        return Journal.objects.get(code=code, scope=scope)


def _as_date(on) -> datetime.date:
    if on is None:
        return timezone.localdate()
    if isinstance(on, datetime.datetime):
        return timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
    return on


def _counter_next(journal: Journal, period: int) -> int:
    """Next number of the period under a row lock: it rolls back with the caller, so no gaps."""
    try:
        with transaction.atomic():
            JournalCounter.objects.get_or_create(journal=journal, period=period)
    except IntegrityError:
        pass  # created concurrently; the locked read below sees it
    counter = lock(JournalCounter.objects).get(journal=journal, period=period)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@service_transaction
def journal_register(
    *,
    document: Document,
    journal_code: str,
    scope: str,
    on=None,
    defaults: dict | None = None,
    actor=None,
) -> Document:
    """Give the document the next number of Journal(journal_code, scope) and the date `on`.

    The counter row is locked for the rest of the caller's transaction, so concurrent
    registrations queue up: no gap, no duplicate. Registering twice in the same journal returns
    the document as it is; a document is never registered in two journals.
    """
    locked = lock(Document.objects).get(pk=document.pk)
    journal = journal_get_or_create(code=journal_code, scope=scope, defaults=defaults)
    if locked.journal_id is not None:
        if locked.journal_id == journal.pk:
            _copy_registration(locked, document)
            return document
        raise ValidationError(
            _("The document is already registered as No. %(number)s.")
            % {"number": locked.reg_number},
            code="registered",
        )
    day = _as_date(on)
    period = day.year if journal.yearly_reset else 0
    sequence = _counter_next(journal, period)
    locked.journal = journal
    locked.reg_period = period
    locked.reg_sequence = sequence
    locked.reg_number = journal.format_number(sequence=sequence, year=day.year)
    locked.reg_date = day
    locked.save(
        update_fields=[
            "journal",
            "reg_period",
            "reg_sequence",
            "reg_number",
            "reg_date",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor or locked.created_by,
        action="document.register",
        obj=locked,
        data={"journal": str(journal), "number": locked.reg_number, "date": day.isoformat()},
    )
    _copy_registration(locked, document)
    return document


def _copy_registration(source: Document, target: Document) -> None:
    for name in ("journal", "reg_period", "reg_sequence", "reg_number", "reg_date"):
        setattr(target, name, getattr(source, name))


# --- Print forms --------------------------------------------------------------------------------


def _enqueue_render(request_id: int) -> None:
    """After commit. A broker that cannot be reached must not fail the user's request: the
    document stays "preparing" and staff can retry the rendering from its page or the admin."""
    from .tasks import render_print_form  # tasks import this module

    try:
        render_print_form.apply_async(kwargs={"request_id": request_id}, retry=False)
    except Exception:
        log.warning("Rendering request %s could not be enqueued", request_id, exc_info=True)


@service_transaction
def print_form_request(
    *, document: Document, form: str, context: dict, actor, scope: str = ""
) -> RenderRequest:
    """Mark the document "preparing" and render its DOCX and PDF in a Celery task after commit.

    The context is checked here (a missing key is a programming error, better seen now than in
    the worker). A signed document is never re-rendered: its signed PDF is the record.
    """
    if form not in printforms.FORMS:
        raise ValueError(f"Unknown print form {form!r}")
    missing = printforms.context_missing(form, context)
    if missing:
        raise ValueError(f"Print form {form!r} needs context keys: {', '.join(missing)}")
    locked = lock(Document.objects).get(pk=document.pk)
    if locked.signatures.exists():
        raise ValidationError(
            _("The document is signed; it cannot be prepared again."), code="signed"
        )
    request = RenderRequest.objects.create(
        document=locked,
        form=form,
        context={"scope": scope, "values": printforms.context_dump(context)},
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    locked.form = form
    locked.render_state = Document.RenderState.PREPARING
    locked.render_error = ""
    locked.save(update_fields=["form", "render_state", "render_error", "updated_at"])
    document.form, document.render_state = locked.form, locked.render_state
    audit_record(
        actor=actor,
        action="document.render_request",
        obj=locked,
        to_state=locked.render_state,
        data={"form": form, "request": request.pk},
    )
    transaction.on_commit(partial(_enqueue_render, request.pk))
    return request


@service_transaction
def print_form_retry(*, document: Document, actor) -> RenderRequest:
    """Staff retry a failed or stuck rendering. A request stuck in the queue is sent again as it
    is (a new request would render the same version twice); a failed one is requested again
    with the context of the last request."""
    last = document.renders.order_by("-created_at", "-id").first()
    if last is None:
        raise ValidationError(_("The document has no print form to prepare."), code="no_form")
    if document.render_state == Document.RenderState.READY:
        raise ValidationError(_("The document is already prepared."), code="ready")
    stuck = list(
        document.renders.filter(state=RenderRequest.State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in stuck:
        transaction.on_commit(partial(_enqueue_render, pk))
    if last.state == RenderRequest.State.PENDING:
        audit_record(
            actor=actor, action="document.render_requeue", obj=document, data={"requests": stuck}
        )
        return last
    return print_form_request(
        document=document,
        form=last.form,
        context=printforms.context_load(last.context["values"]),
        actor=actor,
        scope=last.context.get("scope", ""),
    )


def print_forms_requeue_stale(*, now) -> int:
    """Pending requests last sent more than DOCUMENTS_RENDER_REQUEUE_AFTER_SECONDS ago, sent
    again, each once per period (its `sent_at` moves to `now`). The bound on attempts is the
    row's count, checked when the rendering starts, so re-sending never resets it."""
    cutoff = now - datetime.timedelta(seconds=settings.DOCUMENTS_RENDER_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        stale = list(
            RenderRequest.objects.select_for_update(skip_locked=True)
            .filter(state=RenderRequest.State.PENDING, sent_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        RenderRequest.objects.filter(pk__in=stale).update(sent_at=now)
    for pk in stale:
        _enqueue_render(pk)
    if stale:
        log.info("Print-form sweep: %s rendering request(s) re-enqueued.", len(stale))
    return len(stale)


def _staff_template(form: str, scope: str, field: str):
    rows = PrintTemplate.objects.filter(form=form, is_active=True, scope__in=[scope, ""])
    by_scope = {row.scope: getattr(row, field) for row in rows.only("scope", field)}
    return by_scope.get(scope) or by_scope.get("") or None


def print_template_text(*, form: str, scope: str) -> str | None:
    """Staff's HTML template for the form: the scope's own, else the general one, else None."""
    return _staff_template(form, scope, "html")


def print_template_docx(*, form: str, scope: str) -> bytes | None:
    """Staff's DOCX template for the form: the scope's own, else the general one, else None."""
    found = _staff_template(form, scope, "docx")
    return bytes(found) if found else None


def print_form_render(*, request_id: int) -> str:
    """Render one request (the Celery task's body). Safe to run twice: the request row is
    locked and a request already DONE or FAILED returns at once. Every request renders its own
    version (each submission of a case is a version of its document), in the order they were
    made: one that comes after a newer request has rendered adds nothing, since its version
    would bury the newer one. Only the newest request moves the document to "ready" or
    "failed"."""
    from .printforms.docx import render_docx
    from .printforms.render import full_context, render_html, render_pdf

    # The attempt is counted in a transaction of its own, committed before the rendering, so
    # a worker killed while rendering (which rolls the rendering back) still used it up. The
    # count is one conditional UPDATE (the request's row alone); used up, the document and then
    # the request are locked, in the lock order of core.transactions.
    with transaction.atomic():
        request = RenderRequest.objects.filter(pk=request_id).first()
        if request is None or request.state != RenderRequest.State.PENDING:
            return "skipped"
        if request.attempts >= settings.DOCUMENTS_RENDER_MAX_ATTEMPTS:
            document = lock(Document.objects).get(pk=request.document_id)
            request = lock(RenderRequest.objects).get(pk=request_id)
            if request.state != RenderRequest.State.PENDING:
                return "skipped"
            _render_failed(
                request,
                document,
                _(
                    "None of the %(attempts)s attempts to prepare the document finished (the "
                    "worker was stopped each time: the document may be too large)."
                )
                % {"attempts": request.attempts},
                is_newest=not document.renders.filter(pk__gt=request.pk).exists(),
            )
            return "failed"
        counted = RenderRequest.objects.filter(
            pk=request_id, state=RenderRequest.State.PENDING
        ).update(attempts=F("attempts") + 1)
        if not counted:
            return "skipped"

    with transaction.atomic():
        # The document before its request (the lock order of core.transactions), as
        # print_form_request takes them.
        document_id = (
            RenderRequest.objects.filter(pk=request_id)
            .values_list("document_id", flat=True)
            .first()
        )
        if document_id is None:
            return "skipped"
        document = lock(Document.objects).get(pk=document_id)
        request = lock(RenderRequest.objects).filter(pk=request_id).first()
        if request is None or request.state != RenderRequest.State.PENDING:
            return "skipped"
        newer = document.renders.filter(pk__gt=request.pk)
        is_newest = not newer.exists()
        if newer.filter(version__isnull=False).exists():
            request.state = RenderRequest.State.DONE
            request.error = "superseded"
            request.finished_at = timezone.now()
            request.save(update_fields=["state", "error", "finished_at"])
            return "superseded"
        try:
            values = printforms.context_load(request.context["values"])
            context = full_context(document=document, form=request.form, context=values)
            scope = request.context.get("scope", "")
            html = render_html(
                form=request.form,
                context=context,
                template_text=print_template_text(form=request.form, scope=scope),
                scope=scope,
            )
            pdf = render_pdf(html)
            docx = render_docx(
                form=request.form,
                context=context,
                scope=scope,
                template=print_template_docx(form=request.form, scope=scope),
            )
        except Exception as exc:
            log.exception("Rendering request %s failed", request_id)
            _render_failed(request, document, f"{type(exc).__name__}: {exc}", is_newest=is_newest)
            return "failed"
        author = request.requested_by or document.created_by
        base = _file_base(document)
        pdf_version = _version_add_bytes(
            document=document,
            data=pdf,
            name=f"{base}.pdf",
            mime=PDF,
            author=author,
            role=Version.Role.ORIGINAL,
        )
        _version_add_bytes(
            document=document,
            data=docx,
            name=f"{base}.docx",
            mime=DOCX,
            author=author,
            role=Version.Role.EDITABLE,
        )
        request.state = RenderRequest.State.DONE
        request.finished_at = timezone.now()
        request.version = pdf_version
        request.save(update_fields=["state", "finished_at", "version"])
        if is_newest:
            document.render_state = Document.RenderState.READY
            document.render_error = ""
            document.save(update_fields=["render_state", "render_error", "updated_at"])
        audit_record(
            actor=author,
            action="document.rendered",
            obj=document,
            to_state=document.render_state,
            data={"version": pdf_version.number, "sha256": pdf_version.sha256},
        )
        return "done"


def _render_failed(
    request: RenderRequest, document: Document, error: str, *, is_newest: bool
) -> None:
    """The request ends FAILED with the reason; if it is the document's newest, the document
    shows it to staff (who prepare it again from its page or the admin); audited. Both rows
    are locked by the caller."""
    request.state = RenderRequest.State.FAILED
    request.error = str(error)[:2000]
    request.finished_at = timezone.now()
    request.save(update_fields=["state", "error", "finished_at"])
    if is_newest:
        document.render_state = Document.RenderState.FAILED
        document.render_error = request.error
        document.save(update_fields=["render_state", "render_error", "updated_at"])
    audit_record(
        actor=request.requested_by,
        action="document.render_failed",
        obj=document,
        to_state=document.render_state,
        comment=request.error,
        data={"request": request.pk, "attempts": request.attempts},
    )


def _file_base(document: Document) -> str:
    """A file name that says what the document is, safe for any file system."""
    label = document.kind.replace("_", "-")
    if document.reg_number:
        number = "".join(ch if ch.isalnum() else "-" for ch in document.reg_number)
        return f"{label}-{number}"
    return f"{label}-{document.pk}"


# --- Certificates -------------------------------------------------------------------------------


def _now():
    return timezone.now()


@service_transaction
def ca_get_or_create() -> CertificateAuthority:
    """Docket's own CA, created on first use (the embedded default issues signer certificates
    from it). The row is locked so two first uses do not create two CAs."""
    ca = lock(CertificateAuthority.objects).order_by("pk").first()
    if ca is not None:
        return ca
    key, cert = pki.ca_create(name=settings.DOCUMENTS_CA_NAME, now=_now())
    ca = CertificateAuthority.objects.create(
        name=settings.DOCUMENTS_CA_NAME,
        certificate_pem=pki.cert_pem(cert),
        key_encrypted=pki.key_encrypt(key),
    )
    audit_record(actor=None, action="ca.create", obj=ca, data={"subject": pki.subject_text(cert)})
    return ca


def _signer_row(*, user, source, cert, key, chain) -> SignerCertificate:
    return SignerCertificate.objects.create(
        user=user,
        source=source,
        subject=pki.subject_text(cert),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        fingerprint=pki.fingerprint(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        certificate_pem=pki.cert_pem(cert),
        chain_pem="".join(pki.cert_pem(c) for c in chain),
        key_encrypted=pki.key_encrypt(key),
    )


@service_transaction
def signer_certificate_issue(*, user, organisation: str = "", actor=None) -> SignerCertificate:
    """Issue a signing certificate for `user` from Docket's CA (the embedded default)."""
    ca = ca_get_or_create()
    name = user.get_full_name() or user.get_username()
    key, cert = pki.signer_issue(
        ca_key=pki.key_decrypt(ca.key_encrypted),
        ca_cert=pki.cert_load(ca.certificate_pem),
        common_name=name,
        organisation=organisation,
        email=user.email,
        now=_now(),
        surname=user.last_name,
        given_names=" ".join(n for n in (user.first_name, getattr(user, "middle_name", "")) if n),
    )
    row = _signer_row(
        user=user,
        source=SignerCertificate.Source.OWN_CA,
        cert=cert,
        key=key,
        chain=[pki.cert_load(ca.certificate_pem)],
    )
    audit_record(
        actor=actor,
        action="certificate.issue",
        obj=row,
        data={"user": user.pk, "serial": row.serial, "subject": row.subject},
    )
    return row


@service_transaction
def signer_certificate_import(
    *, user, data: bytes, password: bytes | None, actor=None
) -> SignerCertificate:
    """Import a signer's PKCS#12 (production: certificates from an outside CA)."""
    try:
        key, cert, extra = pki.pkcs12_read(data, password)
    except ValueError as exc:
        raise ValidationError(
            _("The PKCS#12 file cannot be read (wrong password or not a PKCS#12 file)."),
            code="bad_pkcs12",
        ) from exc
    if cert.not_valid_after_utc <= _now():
        raise ValidationError(_("The certificate has expired."), code="expired")
    if SignerCertificate.objects.filter(fingerprint=pki.fingerprint(cert)).exists():
        raise ValidationError(_("This certificate is already imported."), code="duplicate")
    if (
        len(format(cert.serial_number, "x"))
        > SignerCertificate._meta.get_field("serial").max_length
    ):
        # RFC 5280 allows 20 bytes (40 hex digits); the column holds twice that.
        raise ValidationError(
            _(
                "The certificate's serial number is longer than the standard allows; ask its "
                "issuer for a conforming certificate."
            ),
            code="bad_serial",
        )
    row = _signer_row(
        user=user, source=SignerCertificate.Source.PKCS12, cert=cert, key=key, chain=extra
    )
    audit_record(
        actor=actor,
        action="certificate.import",
        obj=row,
        data={"user": user.pk, "serial": row.serial, "subject": row.subject},
    )
    return row


@service_transaction
def signer_certificate_revoke(
    *, certificate: SignerCertificate, reason: str, actor=None
) -> SignerCertificate:
    """Revoke: the key can no longer sign, and its signatures are reported as invalid."""
    row = lock(SignerCertificate.objects).get(pk=certificate.pk)
    if row.revoked_at is None:
        row.revoked_at = _now()
        row.revoked_reason = reason
        row.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="certificate.revoke",
            obj=row,
            comment=reason,
            data={"serial": row.serial},
        )
    return row


def signer_certificate_current(user) -> SignerCertificate | None:
    now = _now()
    return (
        SignerCertificate.objects.filter(
            user=user, revoked_at__isnull=True, not_before__lte=now, not_after__gt=now
        )
        .order_by("-not_after", "-pk")
        .first()
    )


def trust_roots() -> list:
    """Docket's CA plus the outside roots configured for imported certificates."""
    roots = [pki.cert_load(ca.certificate_pem) for ca in CertificateAuthority.objects.all()]
    if settings.DOCUMENTS_TRUST_ROOTS_FILE:
        with open(settings.DOCUMENTS_TRUST_ROOTS_FILE) as handle:
            roots.extend(pki.certs_load_all(handle.read()))
    return roots


# --- Signing ------------------------------------------------------------------------------------


@service_transaction
def document_signatories_set(*, document: Document, signers: list, actor=None) -> None:
    """Say who is to sign, in order: [(user, role), ...]. Only they will be able to sign."""
    lock(Document.objects).get(pk=document.pk)
    if document.signatures.exists():
        raise ValidationError(_("The document is already being signed."), code="signed")
    document.signatories.all().delete()
    Signatory.objects.bulk_create(
        Signatory(document=document, user=user, role=str(role), position=n)
        for n, (user, role) in enumerate(signers)
    )
    audit_record(
        actor=actor,
        action="document.signatories",
        obj=document,
        data={"users": [user.pk for user, _role in signers]},
    )


def document_may_sign(*, document: Document, user) -> bool:
    """True when the document waits for this user's signature (for showing the button)."""
    if not getattr(user, "is_authenticated", False):
        return False
    signatories = list(document.signatories.values_list("user_id", flat=True))
    if user.pk not in signatories:
        return False
    if document.signatures.filter(signer=user).exists():
        return False
    return document.render_state in (Document.RenderState.READY, Document.RenderState.NONE)


@service_transaction
def document_sign(
    *,
    document: Document,
    signer,
    certificate: SignerCertificate | None = None,
    reason: str = "",
    location: str = "",
) -> Signature:
    """PAdES-sign the document's current PDF with the signer's own key: a new version, with the
    mark of the electronic signature on its last page (`pki.pades_sign`).

    Refused when the certificate is not the signer's, is revoked or expired, when the document
    is still being prepared (or failed), or when its current version is not a PDF. The caller
    decides whether this signer may sign this document at all (e.g. the official of the order).
    """
    _signed_case_lock(document)  # the case's rows before the document (core.transactions)
    locked = lock(Document.objects).get(pk=document.pk)
    if locked.render_state in (Document.RenderState.PREPARING, Document.RenderState.FAILED):
        raise ValidationError(
            _("The document is not ready to be signed yet: its file is being prepared."),
            code="not_ready",
        )
    version = locked.current_version
    if version is None or version.content_type != PDF:
        raise ValidationError(_("Only a PDF document can be signed."), code="not_pdf")
    if certificate is None:
        certificate = signer_certificate_current(signer)
        if certificate is None:
            raise ValidationError(
                _(
                    "You have no valid signing certificate. Ask an administrator to issue one "
                    "(manage.py issue_signer_certificate) or to import yours."
                ),
                code="no_certificate",
            )
    certificate = lock(SignerCertificate.objects).get(pk=certificate.pk)
    if certificate.user_id != signer.pk:
        raise PermissionDenied(_("This signing key belongs to someone else."))
    if certificate.revoked_at is not None:
        raise ValidationError(_("The certificate is revoked; it cannot sign."), code="revoked")
    now = _now()
    if not (certificate.not_before <= now < certificate.not_after):
        raise ValidationError(_("The certificate is not valid now."), code="expired")
    with version.file.open("rb") as handle:
        source = handle.read()
    if hashlib.sha256(source).hexdigest() != version.sha256:
        raise ValidationError(
            _("The stored file does not match its recorded hash; it was not signed."),
            code="tampered",
        )
    # Only the named signatories sign; a document that names none (an uploaded file) is signed
    # by nobody, or anyone who could open it could add a signed version on top of it.
    signatories = set(locked.signatories.values_list("user_id", flat=True))
    if signer.pk not in signatories:
        raise PermissionDenied(_("You are not among those who sign this document."))
    if locked.signatures.filter(signer=signer).exists():
        raise ValidationError(_("You have already signed this document."), code="signed_twice")
    count = locked.signatures.count()
    field_name = f"Signature{count + 1}"
    # The stamp names the position the person holds, else the role they sign this document in.
    role = locked.signatories.filter(user=signer).values_list("role", flat=True).first()
    signed = pki.pades_sign(
        pdf=source,
        private_key=pki.key_decrypt(certificate.key_encrypted),
        cert=pki.cert_load(certificate.certificate_pem),
        chain=pki.certs_load_all(certificate.chain_pem),
        field_name=field_name,
        signer_name=signer.get_full_name() or signer.get_username(),
        signer_position=getattr(signer, "position", "") or role or "",
        location=location,
        reason=reason,
    )
    signed_version = _version_add_bytes(
        document=locked,
        data=signed,
        name=f"{_file_base(locked)}-signed-{count + 1}.pdf",
        mime=PDF,
        author=signer,
        role=Version.Role.SIGNED,
    )
    signature = Signature.objects.create(
        document=locked,
        source_version=version,
        signed_version=signed_version,
        source_sha256=version.sha256,
        signed_sha256=signed_version.sha256,
        signer=signer,
        certificate=certificate,
        field_name=field_name,
        signed_at=now,
    )
    audit_record(
        actor=signer,
        action="document.sign",
        obj=locked,
        data={
            "version": signed_version.number,
            "sha256": signed_version.sha256,
            "certificate": certificate.serial,
        },
    )
    _signed_hooks_run(locked, signature)
    return signature


# The app that owns a case may react to a signature inside the signing transaction (e.g.
# register an agreement when its last party signs), whichever page the signature came from.
_SIGNED_HOOKS: dict = {}
_SIGNED_LOCKS: dict = {}


def case_signed_register(model, hook, *, lock_case=None) -> None:
    """`hook(document, signature)`; runs in the signing transaction for that model's cases.
    `lock_case(document)` locks the case rows the hook will lock, before the document is
    locked: the case's rows come before documents in the lock order (core.transactions), and
    the hook runs after the signature's audit event has taken the audit head."""
    _SIGNED_HOOKS[model._meta.label_lower] = hook
    if lock_case is not None:
        _SIGNED_LOCKS[model._meta.label_lower] = lock_case


def _case_label(document: Document) -> str:
    if document.case_type_id is None:
        return ""
    return f"{document.case_type.app_label}.{document.case_type.model}"


def _signed_case_lock(document: Document) -> None:
    lock_case = _SIGNED_LOCKS.get(_case_label(document))
    if lock_case is not None:
        lock_case(document)


def _signed_hooks_run(document: Document, signature: Signature) -> None:
    hook = _SIGNED_HOOKS.get(_case_label(document))
    if hook is not None:
        hook(document, signature)


# --- Downloads ----------------------------------------------------------------------------------


@service_transaction
def version_download_record(*, version: Version, user) -> DocumentDownload:
    """Log a download (the caller has checked the permission: see selectors.document_can_view)."""
    row = DocumentDownload.objects.create(
        document_id=version.document_id, version=version, user=user
    )
    document = version.document
    audit_record(
        actor=user,
        action="document.download",
        obj=document,
        data={"version": version.number, "sha256": version.sha256},
    )
    if document.kind in PERSONAL_DATA_KINDS:
        # Files from schools and the application form carry names and contacts (152-ФЗ).
        audit_personal_data_read(
            actor=user, obj=document, fields=["file"], channel=f"download:v{version.number}"
        )
    return row
