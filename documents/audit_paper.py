"""The paper of an audit checkpoint: a registered print form signed by Docket's own key.

audit cannot import documents, so documents registers these two functions with
`audit.services.checkpoint_paper_register` at start-up (apps.py). The PDF states what the
checkpoint states; its SHA-256 is sealed into the checkpoint, and its PAdES signature lets
anyone holding Docket's CA certificate check it without the audit key (the QR code opens it
on /verify/<code>/ like every document).
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from . import pki, services
from .models import Document

SIGNER_USERNAME = "docket.audit"
AUTHORITY = "Docket: журнал аудита"


def _signer():
    """The system user whose key signs checkpoints: it cannot log in (no usable password,
    inactive), and its certificate is issued by Docket's CA on first use."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SIGNER_USERNAME,
        defaults={"last_name": "Docket", "first_name": "журнал аудита", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if services.signer_certificate_current(user) is None:
        services.signer_certificate_issue(user=user, organisation=settings.DOCUMENTS_CA_NAME)
    return user


def checkpoint_paper_issue(checkpoint, *, now) -> tuple[int, str]:
    """Draft, register (journal АУД), render now (the checkpoint's transaction holds the audit
    head; the values must be on paper before the checkpoint is sealed) and sign."""
    signer = _signer()
    document = services.document_draft(
        kind=Document.Kind.AUDIT_CHECKPOINT,
        title=f"Контрольная точка журнала аудита № {checkpoint.number}",
        author=signer,
        case=checkpoint,
    )
    # Docket itself signs, and only it: the document names its signer like any other.
    services.document_signatories_set(
        document=document, signers=[(signer, AUTHORITY)], actor=signer
    )
    services.journal_register(
        document=document, journal_code="audit_checkpoint", scope="", on=now, actor=signer
    )
    request = services.print_form_request(
        document=document,
        form="audit_checkpoint",
        context={
            "authority": AUTHORITY,
            "checkpoint": checkpoint.number,
            "at": checkpoint.at,
            "at_text": timezone.localtime(checkpoint.at).strftime("%d.%m.%Y %H:%M:%S %Z"),
            "event_count": checkpoint.event_count,
            "head_id": checkpoint.head_id,
            "head_mac": checkpoint.head_mac,
            "prev_mac": checkpoint.prev_mac,
        },
        actor=signer,
    )
    if services.print_form_render(request_id=request.pk) != "done":
        raise RuntimeError(f"The PDF of audit checkpoint {checkpoint.number} was not rendered.")
    signature = services.document_sign(
        document=document, signer=signer, reason="Контрольная точка журнала аудита"
    )
    return document.pk, signature.signed_sha256


def checkpoint_paper_problems(checkpoint) -> list[str]:
    """The sealed PDF must still be the document's current version, byte for byte, with a
    valid signature."""
    label = f"The signed PDF of checkpoint {checkpoint.number}"
    document = Document.objects.filter(pk=checkpoint.document_id).first()
    version = document.current_version if document else None
    if version is None:
        return [f"{label} (document #{checkpoint.document_id}) is missing."]
    try:
        with version.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        return [f"{label} ({version.file.name}) cannot be read from storage."]
    if hashlib.sha256(data).hexdigest() != checkpoint.document_sha256:
        return [f"{label} is not the one sealed into the checkpoint: it was replaced."]
    checks = pki.pades_validate(pdf=data, trust_roots=services.trust_roots())
    if not checks or not all(check.ok for check in checks):
        return [f"{label} has no valid signature of Docket's key."]
    return []
