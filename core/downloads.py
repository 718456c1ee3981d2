"""Files handed to a browser: always an attachment, of the type Docket decided, never sniffed.

A browser shows an inline `text/html` (or sniffs one) in Docket's origin, so a file that is
both a PDF and an HTML page would run its script there. Every download and export therefore
goes out as `Content-Disposition: attachment` with an RFC 6266 file name (an ASCII fallback
and the exact UTF-8 name), the Content-Type given by the caller, and `nosniff`.
"""

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

_RU = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=True,
    )
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._\- ()\[\]]+")


def _ascii_fallback(filename: str) -> str:
    """A plain-ASCII name for old clients: Russian transliterated, anything else dropped."""
    out = []
    for ch in filename:
        lower = ch.lower()
        if lower in _RU:
            latin = _RU[lower]
            out.append(latin.capitalize() if ch != lower else latin)
        else:
            out.append(ch)
    text = unicodedata.normalize("NFKD", "".join(out)).encode("ascii", "ignore").decode()
    text = _UNSAFE.sub("_", text).strip(" ._") or "download"
    if "." in filename and "." not in text:
        text += "." + filename.rsplit(".", 1)[1].encode("ascii", "ignore").decode()
    return text[:150]


def attachment_disposition(filename: str) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''exact` (RFC 6266, RFC 5987)."""
    name = filename.replace("/", "_").replace("\\", "_")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C") or "download"
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name)}"


def _harden(response, filename: str):
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_response(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    return _harden(HttpResponse(data, content_type=content_type), filename)


def file_attachment_response(fileobj, *, filename: str, content_type: str) -> FileResponse:
    """A stored file, streamed; the type is never guessed from the name."""
    response = FileResponse(fileobj, content_type=content_type or "application/octet-stream")
    return _harden(response, filename)
