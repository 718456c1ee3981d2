"""Reads of the paper trail: what a document is, who may see it, and whether a file is genuine."""

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from . import pki
from .models import Document, Signature, Version

# Who may see the documents of a case is the case's business: the app that owns the case model
# registers a check here (workflows registers Application). Documents without a case are seen
# only by their author and by staff with documents.view_document.
_CASE_ACCESS: dict[str, Callable] = {}
# Cases whose documents only the case's own check may open (a school's unsent draft): no staff
# permission, no superuser, no authorship overrides it. label → (is_private(case), private_ids()).
_CASE_PRIVATE: dict[str, tuple[Callable, Callable]] = {}


def case_access_register(
    model, check: Callable, *, private: Callable | None = None, private_ids: Callable | None = None
) -> None:
    """`check(user, case_object) -> bool`; called for every document of that model's cases.
    `private(case) -> bool` marks cases whose documents `check` alone decides, and
    `private_ids()` lists them (so lists such as the admin's can leave their documents out)."""
    label = model._meta.label_lower
    _CASE_ACCESS[label] = check
    if private is not None:
        _CASE_PRIVATE[label] = (private, private_ids or (lambda: []))


def _case_label(document: Document) -> str:
    return f"{document.case_type.app_label}.{document.case_type.model}"


def document_can_view(*, user, document: Document) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    case = document.case if document.case_type_id is not None else None
    label = _case_label(document) if case is not None else ""
    check = _CASE_ACCESS.get(label)
    if check is not None and label in _CASE_PRIVATE and _CASE_PRIVATE[label][0](case):
        return bool(check(user, case))
    if document.created_by_id == user.pk or user.has_perm("documents.view_document"):
        return True
    if check is None or case is None:
        return False
    return bool(check(user, case))


def documents_excluding_private(qs):
    """`qs` of documents without those of private cases (for lists that bypass the checks)."""
    from django.contrib.contenttypes.models import ContentType

    for label, (_private, private_ids) in _CASE_PRIVATE.items():
        app_label, model = label.split(".")
        case_type = ContentType.objects.get_by_natural_key(app_label, model)
        ids = [str(pk) for pk in private_ids()]
        if ids:
            qs = qs.exclude(case_type=case_type, case_id__in=ids)
    return qs


def documents_of(obj):
    """The documents linked to a case object, newest first."""
    return (
        Document.objects.filter(
            case_type=ContentType.objects.get_for_model(obj), case_id=str(obj.pk)
        )
        .select_related("journal")
        .order_by("-created_at", "-id")
    )


def document_by_code(code: str) -> Document | None:
    return Document.objects.filter(verify_code=code).select_related("journal").first()


@dataclass
class SignatureReport:
    signature: Signature | None
    signer_name: str
    signed_at: object
    subject: str
    serial: str
    revoked: bool
    valid: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class FileCheck:
    """The answer to "is this file the document?"."""

    sha256: str
    matches_version: Version | None
    is_current: bool
    signatures: list[SignatureReport]
    # The file starts like a PDF but cannot be read as one: its signatures cannot be checked.
    unreadable: bool = False

    @property
    def genuine(self) -> bool:
        if self.matches_version is None:
            return False
        return all(s.valid for s in self.signatures)


def signatures_report(document: Document) -> list[SignatureReport]:
    """The recorded signatures as they stand now: the stored signed file is validated again
    (pyHanko, our trust roots), so a file altered in storage or a revoked certificate shows as
    invalid, not only what was true when it was signed."""
    from .services import trust_roots

    signatures = list(document.signatures.select_related("signer", "certificate"))
    if not signatures:
        return []
    checks: dict[str, pki.SignatureCheck] = {}
    problems: list[str] = []
    current = document.current_version
    try:
        with current.file.open("rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != current.sha256:
            problems.append("altered")
        checks = {c.field_name: c for c in pki.pades_validate(pdf=data, trust_roots=trust_roots())}
    except (OSError, ValueError) as exc:
        problems.append(f"unreadable: {exc}")
    reports = []
    for sig in signatures:
        cert = sig.certificate
        check = checks.get(sig.field_name)
        own = list(problems)
        if check is None:
            own.append("missing")
        elif not check.ok:
            own.extend(check.problems or ["invalid"])
        if cert.is_revoked:
            own.append("revoked")
        reports.append(
            SignatureReport(
                signature=sig,
                signer_name=pki.common_name(pki.cert_load(cert.certificate_pem)),
                signed_at=sig.signed_at,
                subject=cert.subject,
                serial=cert.serial,
                revoked=cert.is_revoked,
                valid=not own,
                problems=own,
            )
        )
    return reports


def _sha256_stream(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    while chunk := fileobj.read(1024 * 1024):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def file_check(*, document: Document, data: bytes | None = None, fileobj=None) -> FileCheck:
    """Compare a file (`data`, or a binary `fileobj` read in place) with the document's
    versions; validate the signatures of a signed PDF with pyHanko against our trust roots,
    and against revocations recorded here. A damaged PDF is an answer, not an error."""
    from .services import trust_roots

    stream = io.BytesIO(data) if data is not None else fileobj
    digest = _sha256_stream(stream)
    version = document.versions.filter(sha256=digest).order_by("-number").first()
    current = document.current_version
    reports: list[SignatureReport] = []
    unreadable = False
    stream.seek(0)
    if stream.read(5) == b"%PDF-":
        stream.seek(0)
        try:
            checks = pki.pades_validate(pdf=stream, trust_roots=trust_roots())
        except pki.PdfUnreadable:
            checks, unreadable = [], True
        known = {
            c.fingerprint: c
            for c in [s.certificate for s in document.signatures.select_related("certificate")]
        }
        for check in checks:
            cert = known.get(check.fingerprint)
            if cert is None and check.fingerprint:
                from .models import SignerCertificate

                cert = SignerCertificate.objects.filter(fingerprint=check.fingerprint).first()
            revoked = bool(cert and cert.is_revoked)
            problems = list(check.problems)
            if not check.intact:
                problems.append("altered")
            if not check.trusted:
                problems.append("untrusted")
            if revoked:
                problems.append("revoked")
            reports.append(
                SignatureReport(
                    signature=None,
                    signer_name=check.signer_subject,
                    signed_at=check.signed_at,
                    subject=check.signer_subject,
                    serial=check.serial,
                    revoked=revoked,
                    valid=check.ok and not revoked,
                    problems=problems,
                )
            )
    stream.seek(0)
    return FileCheck(
        sha256=digest,
        matches_version=version,
        is_current=bool(version and current and version.pk == current.pk),
        signatures=reports,
        unreadable=unreadable,
    )
