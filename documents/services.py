"""Creating documents and versions. Versions are only ever added, never changed."""

import hashlib

from django.db import transaction

from audit.services import audit_record

from .models import Document, Version
from .validators import validate_upload


def _sha256(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


@transaction.atomic
def document_create(
    *, uploaded, author, title: str = "", kind: str = Document.Kind.ATTACHMENT
) -> Document:
    """Validate and store an upload as a new document with version 1; invalid input stores nothing."""
    mime = validate_upload(uploaded)
    document = Document.objects.create(kind=kind, title=title or uploaded.name, created_by=author)
    _version_add(document=document, uploaded=uploaded, author=author, mime=mime)
    audit_record(
        actor=author, action="document.create", obj=document, data={"title": document.title}
    )
    return document


def _version_add(*, document: Document, uploaded, author, mime: str) -> Version:
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return Version.objects.create(
        document=document,
        number=last + 1,
        file=uploaded,
        original_name=uploaded.name[:255],
        sha256=_sha256(uploaded),
        size=uploaded.size,
        content_type=mime,
        created_by=author,
    )
