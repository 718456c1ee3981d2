"""Upload rules: the type is decided by the file's content, never by its name."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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


def upload_rules(kind: str | None) -> tuple[int, list[str]]:
    """(largest size in bytes, allowed MIME types) for a document kind: the kind's own rule from
    DOCUMENT_UPLOAD_RULES where one is set, else the general limits."""
    rule = settings.DOCUMENT_UPLOAD_RULES.get(kind or "", {}) if kind else {}
    max_bytes = int(rule.get("max_bytes", settings.DOCUMENT_MAX_UPLOAD_BYTES))
    allowed = list(rule.get("types", settings.DOCUMENT_ALLOWED_TYPES))
    return max_bytes, allowed


def validate_upload(uploaded, *, kind: str | None = None) -> str:
    """Return the sniffed MIME type or raise a ValidationError that says what is allowed."""
    max_bytes, allowed = upload_rules(kind)
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
    return mime
