"""Handing a stored version to a browser: the type and the name's ending follow the content
check made at upload (`Version.content_type`), never the name the file came with."""

from pathlib import PurePath

from core.downloads import file_attachment_response

from .models import Version
from .validators import EXTENSIONS


def download_name(version: Version) -> str:
    """The uploaded name, with the ending of its checked type added when it has another one
    ("page.html" that is a PDF downloads as "page.html.pdf"): the name is what the user's
    system opens it with."""
    name = PurePath(version.original_name.replace("\\", "/")).name or "document"
    endings = EXTENSIONS.get(version.content_type)
    if endings and PurePath(name).suffix.lower() not in endings:
        name = f"{name}{endings[0]}"
    return name


def version_response(version: Version):
    return file_attachment_response(
        version.file.open("rb"),
        filename=download_name(version),
        content_type=version.content_type or "application/octet-stream",
    )
