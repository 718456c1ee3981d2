"""Writes of the bank of best practice. Every change is audited; the author and the reviewers
are told; a practice is published only with its author's signed consent."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ConflictError, NotAllowed
from core.transactions import lock, service_transaction
from core.urls import absolute_url
from documents import services as documents
from documents.models import Document
from notifications.models import Kind
from notifications.services import notify
from programmes import access
from programmes.models import Program

from . import selectors
from .forms import PracticeForm
from .models import Practice, PracticeVersion

MAX_FILES = 10


def _fields(data: dict) -> dict:
    """The version's fields checked by the page's own form, whoever sends them."""
    form = PracticeForm(data=data)
    if not form.is_valid():
        raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
    return form.cleaned_data


def _version_add(practice: Practice, *, user, fields: dict, files, now) -> PracticeVersion:
    number = practice.versions.count() + 1
    version = PracticeVersion.objects.create(
        practice=practice,
        number=number,
        created_at=now,
        created_by=user,
        **{k: fields[k] for k in ("title", "summary", "subject", "level", "age_group", "authors")},
    )
    version.files.set(files)
    return version


def _uploads(user, practice: Practice, uploaded) -> list[Document]:
    if len(uploaded) > MAX_FILES:
        raise ValidationError(
            {"files": [_("Attach at most %(count)s files.") % {"count": MAX_FILES}]}
        )
    return [documents.document_create(uploaded=f, author=user, case=practice) for f in uploaded]


def _tell(*, recipients, subject, message, practice, key, kind=Kind.TASK_ASSIGNED):
    with translation.override("ru"):
        notify(
            recipients=recipients,
            kind=kind,
            subject=subject,
            template="status_notice",
            context={"message": message, "details": []},
            url=absolute_url(reverse("practice-detail", args=[practice.pk])),
            dedup_key=f"practice:{practice.pk}:{key}",
        )


def _consent_draft(practice: Practice, version: PracticeVersion, *, user) -> Document:
    """The consent the author signs: registered in the programme's journal, printed, with the
    author as its only signatory."""
    program = practice.program
    document = documents.document_draft(
        kind=Document.Kind.CONSENT,
        title=str(_("Consent to publication: %(title)s") % {"title": version.title}),
        author=user,
        case=practice,
    )
    documents.journal_register(
        document=document, journal_code="publication_consent", scope=program.code, actor=user
    )
    documents.document_signatories_set(document=document, signers=[(user, _("Author"))], actor=user)
    with translation.override("ru"):
        context = {
            "authority": program.authority_name,
            "author": user.get_full_name() or user.username,
            "author_position": user.position,
            "title": version.title,
            "authors": version.authors,
            "program_title": program.title,
            "catalogue": absolute_url(reverse("practice-catalogue")),
            "place": program.document_place,
        }
    documents.print_form_request(
        document=document,
        form="publication_consent",
        context=context,
        actor=user,
        scope=program.code,
    )
    return document


@service_transaction
def practice_submit(*, user, program_id: int, fields: dict, files=(), now=None) -> Practice:
    """A holder of a live status of a programme that keeps a bank submits a practice with its
    materials (one file at least); the consent to publication is drafted for her to sign."""
    now = now or timezone.now()
    program = Program.objects.filter(pk=program_id, keeps_practice_bank=True).first()
    if program is None or not selectors.programs_to_submit(user).filter(pk=program.pk).exists():
        raise NotAllowed(_("Only members of the programme submit practices to its bank."))
    cleaned = _fields(fields)
    if not files:
        raise ValidationError({"files": [_("Attach the materials of the practice.")]})
    practice = Practice.objects.create(program=program, author=user, kind=cleaned["kind"])
    version = _version_add(
        practice, user=user, fields=cleaned, files=_uploads(user, practice, files), now=now
    )
    practice.consent = _consent_draft(practice, version, user=user)
    practice.save(update_fields=["consent", "updated_at"])
    event = audit_record(
        actor=user,
        action="practice.submit",
        obj=practice,
        to_state=practice.state,
        data={"version": version.number, "title": version.title},
    )
    _tell(
        recipients=access.staff_serving(access.DECIDE, program.pk),
        subject=_("A practice waits for review: %(title)s") % {"title": version.title},
        message=_("%(author)s submitted a practice to the bank.")
        % {"author": user.get_full_name()},
        practice=practice,
        key=f"submit:{event.pk}",
    )
    return practice


@service_transaction
def practice_revise(*, user, practice_id: int, fields: dict, files=(), now=None) -> PracticeVersion:
    """The author resubmits a returned practice: a new version (the earlier ones stay as
    they were); without new files it keeps the materials of the previous version."""
    now = now or timezone.now()
    practice = lock(Practice.objects).get(pk=practice_id)
    if practice.author_id != user.pk:
        raise NotAllowed(_("Only the author changes the practice."))
    if practice.state != Practice.State.RETURNED:
        raise ConflictError(_("Only a practice returned for revision can be resubmitted."))
    cleaned = _fields(fields)
    previous = selectors.latest_version(practice)
    kept = list(previous.files.all()) if previous else []
    version = _version_add(
        practice, user=user, fields=cleaned, files=_uploads(user, practice, files) or kept, now=now
    )
    practice.state = Practice.State.SUBMITTED
    practice.kind = cleaned["kind"]
    practice.save(update_fields=["state", "kind", "updated_at"])
    event = audit_record(
        actor=user,
        action="practice.revise",
        obj=practice,
        from_state=Practice.State.RETURNED,
        to_state=practice.state,
        data={"version": version.number},
    )
    _tell(
        recipients=access.staff_serving(access.DECIDE, practice.program_id),
        subject=_("A practice waits for review: %(title)s") % {"title": version.title},
        message=_("The author resubmitted the practice (version %(number)s).")
        % {"number": version.number},
        practice=practice,
        key=f"revise:{event.pk}",
    )
    return version


DECISIONS = ("approve", "recommend", "return")


@service_transaction
def practice_review(*, user, practice_id: int, decision: str, comment: str = "") -> Practice:
    """The programme's secretary decides on the council's behalf: approve (into the open
    catalogue), approve and recommend for dissemination, or return with comments. A practice
    whose author has not signed the consent cannot be published."""
    practice = lock(Practice.objects).get(pk=practice_id)
    if not selectors.may_review(user, practice):
        raise NotAllowed(_("This step is for another role; you cannot take it."))
    if practice.state != Practice.State.SUBMITTED:
        raise ConflictError(_("The practice is not waiting for a decision."))
    if decision not in DECISIONS:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision == "return" and not comment.strip():
        raise ValidationError({"comment": [_("Say what must be corrected.")]})
    if decision != "return" and not selectors.consent_given(practice):
        raise ConflictError(
            _(
                "The author has not signed the consent to publication yet; the practice cannot be published."
            )
        )
    previous = practice.state
    version = selectors.latest_version(practice)
    if decision == "return":
        practice.state = Practice.State.RETURNED
    else:
        practice.state = Practice.State.APPROVED
        practice.published = version
        practice.recommended = decision == "recommend"
    practice.review_comment = comment
    practice.reviewed_by = user
    practice.reviewed_at = timezone.now()
    practice.save()
    event = audit_record(
        actor=user,
        action=f"practice.{decision}",
        obj=practice,
        from_state=previous,
        to_state=practice.state,
        comment=comment,
        data={"version": version.number},
    )
    subjects = {
        "approve": _("Your practice is approved and published: %(title)s"),
        "recommend": _("Your practice is approved and recommended for dissemination: %(title)s"),
        "return": _("Your practice is returned for revision: %(title)s"),
    }
    _tell(
        recipients=[practice.author],
        subject=subjects[decision] % {"title": version.title},
        message=comment or subjects[decision] % {"title": version.title},
        practice=practice,
        key=f"review:{event.pk}",
        kind=Kind.DECISION_TAKEN,
    )
    return practice


@service_transaction
def practice_withdraw(*, user, practice_id: int, reason: str = "") -> Practice:
    """The author takes the practice back (also out of the catalogue); its versions and
    history stay."""
    practice = lock(Practice.objects).get(pk=practice_id)
    if practice.author_id != user.pk:
        raise NotAllowed(_("Only the author withdraws the practice."))
    if practice.state == Practice.State.WITHDRAWN:
        raise ConflictError(_("The practice is already withdrawn."))
    previous = practice.state
    practice.state = Practice.State.WITHDRAWN
    practice.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=user,
        action="practice.withdraw",
        obj=practice,
        from_state=previous,
        to_state=practice.state,
        comment=reason,
    )
    return practice


def consent_signed(document: Document, signature) -> None:
    """The author signed her consent (documents' signing hook, in its transaction)."""
    practice = Practice.objects.filter(consent=document).first()
    if practice is not None and signature.signer_id == practice.author_id:
        audit_record(
            actor=signature.signer,
            action="practice.consent_signed",
            obj=practice,
            data={"document": document.pk},
        )
