"""Upload rules: the type is decided by the file's content, never by its name, and a file of an
allowed type is refused when it carries active content or unpacks to too much (content_checks)."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import content_checks
from .content_checks import Finding, ZipLimits

# (magic prefix, MIME type, human name). ZIP-based office files are told apart below.
_SIGNATURES = [
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword", "DOC/XLS"),
]
# ZIP containers: (member that proves the kind, MIME type, human name).
_ZIP_KINDS = [
    (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
    ),
    (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
    ),
    ("content.xml", "application/vnd.oasis.opendocument.text", "ODT"),
]
HUMAN_NAMES = {mime: name for _sig, mime, name in _SIGNATURES + _ZIP_KINDS}
# The endings a downloaded file of each checked type may have (the first is added otherwise).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/msword": (".doc", ".xls"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
}


def sniff_content_type(fileobj) -> str | None:
    """The MIME type the content proves, or None when it proves nothing we accept."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    for magic, mime, _name in _SIGNATURES:
        if head.startswith(magic):
            return mime
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(fileobj).namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            fileobj.seek(0)
        for member, mime, _name in _ZIP_KINDS:
            if member in names:
                return mime
    return None


@dataclass(frozen=True)
class UploadRule:
    """What one document kind accepts. Every field can be set per kind in
    DOCUMENT_UPLOAD_RULES; unset fields take the general DOCUMENT_* settings."""

    max_bytes: int
    types: list[str]
    zip: ZipLimits
    pdf_attachments: bool


def upload_rule(kind: str | None) -> UploadRule:
    rule = settings.DOCUMENT_UPLOAD_RULES.get(kind or "", {}) if kind else {}
    return UploadRule(
        max_bytes=int(rule.get("max_bytes", settings.DOCUMENT_MAX_UPLOAD_BYTES)),
        types=list(rule.get("types", settings.DOCUMENT_ALLOWED_TYPES)),
        zip=ZipLimits(
            max_unzipped_bytes=int(
                rule.get("max_unzipped_bytes", settings.DOCUMENT_ZIP_MAX_UNZIPPED_BYTES)
            ),
            max_ratio=int(rule.get("max_zip_ratio", settings.DOCUMENT_ZIP_MAX_RATIO)),
            max_entries=int(rule.get("max_zip_entries", settings.DOCUMENT_ZIP_MAX_ENTRIES)),
        ),
        pdf_attachments=bool(rule.get("pdf_attachments", settings.DOCUMENT_PDF_ATTACHMENTS)),
    )


def upload_rules(kind: str | None) -> tuple[int, list[str]]:
    """(largest size in bytes, allowed MIME types) for a document kind."""
    rule = upload_rule(kind)
    return rule.max_bytes, rule.types


_ZIP_TYPES = {mime for _member, mime, _name in _ZIP_KINDS}


def _content_finding(uploaded, mime: str, rule: UploadRule) -> Finding | None:
    if mime == "application/pdf":
        return content_checks.pdf_check(uploaded, allow_attachments=rule.pdf_attachments)
    if mime in _ZIP_TYPES:
        return content_checks.zip_check(uploaded, limits=rule.zip)
    if mime == "application/msword":
        return content_checks.ole_check(uploaded)
    return None


def _refusal(finding: Finding, name: str) -> ValidationError:
    """The user's message for what was found inside; each says what to do instead."""
    messages = {
        "pdf_unreadable": _(
            "File “%(name)s” is a damaged or password-protected PDF, so its content cannot be "
            "checked. Save it again as a PDF without a password and upload that."
        ),
        "pdf_active": _(
            "File “%(name)s” contains scripts or automatic actions (JavaScript, starting a "
            "program, actions on opening). Such PDFs are not accepted: print it to a new PDF "
            "(“Print to PDF”) and upload that."
        ),
        "pdf_embedded": _(
            "File “%(name)s” has files embedded in it, which this kind of document does not "
            "accept. Save the PDF without attachments and upload the files separately."
        ),
        "macros": _(
            "File “%(name)s” contains macros or active content (VBA, ActiveX, Excel 4.0 macro "
            "sheets). Save it as an ordinary document without macros (DOCX, XLSX) and upload "
            "that."
        ),
        "zip_size": _(
            "File “%(name)s” unpacks to more than %(limit)s, more than a document of this kind "
            "may hold. Check the file or split it."
        ),
        "zip_ratio": _(
            "File “%(name)s” is compressed suspiciously strongly (a “zip bomb”) and is not "
            "accepted. Save the document again and upload the new file."
        ),
        "zip_entries": _(
            "File “%(name)s” consists of more than %(limit)s parts, more than a document may "
            "hold. Check the file or split it."
        ),
        "zip_damaged": _(
            "File “%(name)s” is damaged: its archive cannot be read to the end. Save the "
            "document again and upload the new file."
        ),
    }
    limit = finding.detail.get("limit")
    values = {"name": name, "limit": filesizeformat(limit) if finding.code == "zip_size" else limit}
    return ValidationError(messages[finding.code] % values, code=finding.code)


def validate_upload(uploaded, *, kind: str | None = None) -> str:
    """Return the sniffed MIME type or raise a ValidationError that says what is allowed and,
    for a file of an allowed type, what inside it was refused (`content_checks`)."""
    rule = upload_rule(kind)
    max_bytes, allowed = rule.max_bytes, rule.types
    allowed_names = ", ".join(sorted({HUMAN_NAMES.get(m, m) for m in allowed}))
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("File “%(name)s” is %(size)s; the limit is %(limit)s. Compress or split it.")
            % {
                "name": uploaded.name,
                "size": filesizeformat(uploaded.size),
                "limit": filesizeformat(max_bytes),
            },
            code="too_big",
        )
    if uploaded.size == 0:
        raise ValidationError(
            _("File “%(name)s” is empty.") % {"name": uploaded.name}, code="empty"
        )
    mime = sniff_content_type(uploaded)
    if mime not in allowed:
        raise ValidationError(
            _(
                "File “%(name)s” is not of an allowed type (its content was checked, not its name). "
                "Allowed: %(allowed)s."
            )
            % {"name": uploaded.name, "allowed": allowed_names},
            code="bad_type",
        )
    finding = _content_finding(uploaded, mime, rule)
    if finding is not None:
        raise _refusal(finding, uploaded.name)
    return mime
