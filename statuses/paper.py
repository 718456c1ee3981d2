"""The paper of a status's life: the print forms of plans, reports and the network's report, and
the cooperation agreements (Tomsk III.3). Kept apart from `services.py`: the status services and
the grant call in here with one line each.

An agreement is drafted when the status is granted (school, methodical office, the partners
named in the application), rendered from its print form, signed by each party's signer in the
browser (PAdES) or, for an outside partner not in Docket, on paper as recorded by a methodist,
and registered in the programme's `agreement` journal when the last party has signed. A partner
added later joins by a supplementary agreement signed by every party the same way.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.paperwork import short_name
from audit.services import audit_record
from core.errors import ConflictError, NotAllowed
from core.limits import LINE, ORGANISATION_NAME, length_check
from core.transactions import lock, service_transaction
from core.urls import absolute_url
from documents import selectors as document_selectors
from documents import services as documents
from documents.models import Document
from notifications.models import Kind
from notifications.services import notify
from programmes import access
from programmes.access import CHECK
from programmes.models import Organisation
from statuses.models import Status

from . import paperwork, selectors
from .models import Agreement, AgreementParty, AgreementSettings, Duty, NetworkReport, Submission

# --- Plans, reports and the network's report ---------------------------------------------------


def submission_paperwork(*, submission: Submission, user) -> Document:
    """The print form of a plan or report the holder sent: registered in the programme's
    journal of incoming plans and reports, rendered after commit, linked to the submission."""
    duty = submission.duty
    program = duty.status.program
    is_report = duty.kind == Duty.Kind.REPORT
    document = documents.document_draft(
        kind=Document.Kind.REPORT if is_report else Document.Kind.PLAN,
        title=str(duty),
        author=user,
        owner_org_id=duty.status.organisation_id,
        case=submission,
    )
    documents.journal_register(
        document=document,
        journal_code="submission",
        scope=program.code,
        on=timezone.localdate(submission.submitted_at),
        actor=user,
    )
    documents.print_form_request(
        document=document,
        form="platform_report" if is_report else "work_plan",
        context=paperwork.submission_context(submission),
        actor=user,
        scope=program.code,
    )
    return document


def submission_document(submission: Submission) -> Document | None:
    return (
        document_selectors.documents_of(submission)
        .filter(kind__in=[Document.Kind.REPORT, Document.Kind.PLAN])
        .first()
    )


def network_report_paperwork(*, report: NetworkReport, user) -> Document:
    """The report's DOCX/PDF, prepared again at every (re)compilation from the snapshot."""
    document = network_report_document(report)
    if document is None:
        document = documents.document_draft(
            kind=Document.Kind.NETWORK_REPORT,
            title=str(report),
            author=user,
            case=report,
        )
    documents.print_form_request(
        document=document,
        form="network_report",
        context=paperwork.network_report_context(report),
        actor=user,
        scope=report.program.code,
    )
    return document


def network_report_document(report: NetworkReport) -> Document | None:
    return (
        document_selectors.documents_of(report)
        .filter(kind=Document.Kind.NETWORK_REPORT)
        .order_by("created_at", "id")
        .first()
    )


# --- Who signs --------------------------------------------------------------------------------


def _signer_fields(user) -> dict:
    if user is None:
        return {"signer": None, "signer_name": "", "signer_position": ""}
    return {"signer": user, "signer_name": short_name(user), "signer_position": user.position}


def organisation_signer(organisation: Organisation):
    """The coordinator who signs for an organisation in Docket (the earliest active one)."""
    return (
        get_user_model()
        .objects.filter(
            organisationmembership__organisation=organisation,
            is_active=True,
        )
        .order_by("organisationmembership__created_at", "pk")
        .first()
    )


def office_party(program) -> dict:
    """The methodical office: name and signer from the programme's settings; without a signer
    there, the earliest active methodist (the role that checks plans and reports)."""
    settings_row = AgreementSettings.objects.filter(program=program).first()
    name = settings_row.office_name if settings_row else _("Methodical office")
    signer = settings_row.office_signer if settings_row else None
    if signer is None or not signer.is_active:
        signer = access.staff_serving(CHECK, program.pk).first()
    fields = _signer_fields(signer)
    if settings_row and settings_row.office_signer_position:
        fields["signer_position"] = settings_row.office_signer_position
    return {"role": AgreementParty.Role.OFFICE, "name": name, **fields}


def _partner_party(*, name: str, organisation=None, signer_name="", signer_position="") -> dict:
    if organisation is not None:
        return {
            "role": AgreementParty.Role.PARTNER,
            "name": organisation.name,
            "organisation": organisation,
            **_signer_fields(organisation_signer(organisation)),
        }
    return {
        "role": AgreementParty.Role.PARTNER,
        "name": name,
        "signer": None,
        "signer_name": signer_name,
        "signer_position": signer_position,
    }


def _partner_from_text(line: str) -> dict:
    """A partner named in the application: the organisation in Docket of that name, if any
    (it then signs in Docket), else an outside partner that signs on paper."""
    found = Organisation.objects.filter(name__iexact=line).first() or (
        Organisation.objects.filter(short_name__iexact=line).first()
    )
    return _partner_party(name=line, organisation=found)


# --- Drafting ---------------------------------------------------------------------------------


def _agreement_create(*, status: Status, parent, number: int, parties: list[dict], author):
    program = status.program
    title = (
        _("Supplementary agreement No. %(number)s to the cooperation agreement")
        % {"number": number}
        if parent
        else _("Cooperation agreement")
    )
    document = documents.document_draft(
        kind=Document.Kind.AGREEMENT,
        title=str(title),
        author=author,
        owner_org_id=status.organisation_id,
    )
    agreement = Agreement.objects.create(
        status=status, parent=parent, number=number, document=document, created_by=author
    )
    documents.document_link(document=document, obj=agreement)
    AgreementParty.objects.bulk_create(
        AgreementParty(agreement=agreement, position=n, **party) for n, party in enumerate(parties)
    )
    signers, seen = [], set()
    for party in agreement.parties.exclude(signer=None).select_related("signer"):
        if party.signer_id not in seen:
            seen.add(party.signer_id)
            signers.append((party.signer, f"{party.get_role_display()}: {party.name}"))
    documents.document_signatories_set(document=document, signers=signers, actor=author)
    documents.print_form_request(
        document=document,
        form="cooperation_agreement",
        context=paperwork.agreement_context(agreement),
        actor=author,
        scope=program.code,
    )
    audit_record(
        actor=author,
        action="agreement.draft",
        obj=status,
        to_state=agreement.state,
        comment=str(agreement),
        data={
            "agreement": agreement.pk,
            "document": document.pk,
            "parties": [p["name"] for p in parties],
        },
    )
    _tell_signers(agreement.pk)
    return agreement


def _tell_signers(agreement_id: int) -> None:
    """The signers in Docket learn there is an agreement waiting for their signature (in the
    transaction of the draft: the outbox rule)."""
    from django.urls import reverse
    from django.utils import translation

    agreement = Agreement.objects.select_related("status__organisation").get(pk=agreement_id)
    people = [p.signer for p in agreement.parties.exclude(signer=None).select_related("signer")]
    if not people:
        return
    with translation.override("ru"):
        words = {"agreement": str(agreement), "org": agreement.status.organisation.short_name}
        notify(
            recipients=people,
            kind=Kind.TASK_ASSIGNED,
            subject=_("%(agreement)s of %(org)s awaits your signature") % words,
            template="status_notice",
            context={
                "message": _(
                    "%(agreement)s of %(org)s is drafted. Open it in "
                    "Docket, check the text and sign it for your organisation."
                )
                % words,
                "details": [],
            },
            url=absolute_url(reverse("agreements-to-sign")),
            dedup_key=f"agreement:{agreement.pk}:draft",
        )


@service_transaction
def agreement_draft_for_status(*, status: Status) -> Agreement:
    """Called when a status of a programme that drafts agreements (`Program.drafts_agreement`)
    is granted: the agreement of the school, the methodical office and the partners of the
    application. Safe to call twice (returns the one drafted)."""
    existing = Agreement.objects.filter(status=status, number=0).first()
    if existing:
        return existing
    status = Status.objects.select_related(
        "program", "organisation", "application", "order__signed_by"
    ).get(pk=status.pk)
    parties = [
        {
            "role": AgreementParty.Role.SCHOOL,
            "name": status.organisation.name,
            "organisation": status.organisation,
            **_signer_fields(organisation_signer(status.organisation)),
        },
        office_party(status.program),
    ]
    names = {status.organisation.name.casefold()}
    for line in status.application.partners.splitlines():
        line = line.strip()
        if line and line.casefold() not in names:
            names.add(line.casefold())
            parties.append(_partner_from_text(line))
    author = selectors.grant_grounds(application=status.application).signer
    return _agreement_create(status=status, parent=None, number=0, parties=parties, author=author)


def network_parties(status: Status) -> list[AgreementParty]:
    """The parties of the network agreement as it stands: the agreement's own, plus the
    partners joined by registered supplementary agreements."""
    main = Agreement.objects.filter(status=status, number=0).first()
    if main is None:
        return []
    rows = list(main.parties.all())
    for supplement in main.supplements.filter(state=Agreement.State.REGISTERED).order_by("number"):
        rows.extend(supplement.parties.filter(is_new=True))
    return rows


def _same_partner(party: AgreementParty, *, organisation, name: str) -> bool:
    if organisation is not None and party.organisation_id == organisation.pk:
        return True
    wanted = (organisation.name if organisation is not None else name).strip().casefold()
    return party.name.strip().casefold() == wanted


@service_transaction
def agreement_partner_add(
    *,
    user,
    status_id: int,
    organisation: Organisation | None = None,
    name: str = "",
    signer_name: str = "",
    signer_position: str = "",
) -> Agreement:
    """A methodist adds a partner to the network of a status: a supplementary agreement that
    every current party and the new partner sign. The agreement itself must be registered."""
    if not user.has_perm(CHECK):
        raise NotAllowed(_("This step is for another role; you cannot take it."))
    status = lock(Status.objects).select_related("program").get(pk=status_id)
    if not access.may(user, CHECK, status.program_id):
        raise NotAllowed(_("This step is for another role; you cannot take it."))
    if not status.is_live:
        raise ConflictError(
            _("The status is %(state)s; this cannot be done now.")
            % {"state": status.get_state_display().lower()}
        )
    main = lock(Agreement.objects).filter(status=status, number=0).first()
    if main is None or main.state != Agreement.State.REGISTERED:
        raise ConflictError(
            _(
                "The cooperation agreement is not signed by all its parties yet; add the "
                "partner once it is registered."
            )
        )
    if main.supplements.filter(state=Agreement.State.SIGNING).exists():
        raise ConflictError(_("A supplementary agreement is still being signed; finish it first."))
    name = name.strip()
    length_check(
        name=(name, ORGANISATION_NAME),
        signer_name=(signer_name, LINE),
        signer_position=(signer_position, LINE),
    )
    if organisation is None and not name:
        raise ValidationError(
            {"name": [_("Choose an organisation in Docket or name the partner.")]}
        )
    if organisation is None and not signer_name.strip():
        raise ValidationError(
            {"signer_name": [_("Name the person who signs for the partner on paper.")]}
        )
    current = network_parties(status)
    if any(_same_partner(p, organisation=organisation, name=name) for p in current):
        raise ConflictError(_("This organisation is already a party of the agreement."))
    new = _partner_party(
        name=name,
        organisation=organisation,
        signer_name=signer_name.strip(),
        signer_position=signer_position.strip(),
    )
    if organisation is not None and new["signer"] is None:
        raise ConflictError(
            _(
                "%(org)s has no coordinator in Docket to sign; add one, or enter the partner "
                "as an outside organisation that signs on paper."
            )
            % {"org": organisation.short_name}
        )
    parties = []
    for party in current:
        row = {
            "role": party.role,
            "name": party.name,
            "organisation": party.organisation,
            "signer": party.signer,
            "signer_name": party.signer_name,
            "signer_position": party.signer_position,
        }
        # Who signs now: the current coordinator or office signer, not the one of years ago.
        if party.role == AgreementParty.Role.OFFICE:
            row.update({k: v for k, v in office_party(status.program).items() if k != "name"})
        elif party.organisation is not None:
            row.update(_signer_fields(organisation_signer(party.organisation)))
        parties.append(row)
    parties.append({**new, "is_new": True})
    number = (main.supplements.aggregate(n=Max("number"))["n"] or 0) + 1
    return _agreement_create(
        status=status, parent=main, number=number, parties=parties, author=user
    )


# --- Signing and registration -----------------------------------------------------------------


def _locked_agreement(agreement_id: int) -> Agreement:
    return (
        lock(Agreement.objects).select_related("status__program", "document").get(pk=agreement_id)
    )


@service_transaction
def agreement_sign(*, user, agreement_id: int):
    """A party's signer signs the agreement in the browser with their own key."""
    agreement = _locked_agreement(agreement_id)
    if not agreement.parties.filter(signer=user).exists():
        raise NotAllowed(_("You do not sign this agreement for any of its parties."))
    if agreement.state == Agreement.State.REGISTERED:
        raise ConflictError(_("The agreement is already signed by all parties and registered."))
    return documents.document_sign(
        document=agreement.document,
        signer=user,
        reason=str(_("Party to the cooperation agreement")),
        location=agreement.status.program.document_place,
    )


def agreement_lock_for_signing(document: Document) -> None:
    """Before `documents.document_sign` locks the agreement's document: the agreement first,
    as `agreement_paper_signature_record` takes it (core.transactions)."""
    lock(Agreement.objects).filter(document=document).first()


def agreement_document_signed(document: Document, signature) -> None:
    """Hook of `documents.document_sign` (any page): only a party's signer may sign, and the
    last signature registers the agreement."""
    agreement = lock(Agreement.objects).get(document=document)
    if not agreement.parties.filter(signer_id=signature.signer_id).exists():
        raise PermissionDenied(_("You do not sign this agreement for any of its parties."))
    _register_if_complete(agreement, actor=signature.signer)


@service_transaction
def agreement_paper_signature_record(*, user, party_id: int, signed_on: date) -> AgreementParty:
    """A methodist records that an outside partner (not in Docket) signed the printed
    agreement; the last missing signature registers it."""
    if not user.has_perm(CHECK):
        raise NotAllowed(_("This step is for another role; you cannot take it."))
    party = AgreementParty.objects.select_related("agreement").get(pk=party_id)
    agreement = _locked_agreement(party.agreement_id)
    party = lock(AgreementParty.objects).get(pk=party_id)
    if not access.may(user, CHECK, agreement.status.program_id):
        raise NotAllowed(_("This step is for another role; you cannot take it."))
    # The document before the audit head: the last signature registers it in its journal.
    lock(Document.objects).filter(pk=agreement.document_id).first()
    if party.signer_id is not None:
        raise ConflictError(_("This party signs in Docket with its own key, not on paper."))
    if party.paper_signed_on is not None or agreement.state == Agreement.State.REGISTERED:
        raise ConflictError(
            _("This step has already been completed; refresh the page to see where it is now.")
        )
    if agreement.document.render_state != Document.RenderState.READY:
        raise ConflictError(_("The agreement's file is not ready yet; print it first."))
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("The date cannot be in the future.")]})
    party.paper_signed_on = signed_on
    party.paper_recorded_by = user
    party.save(update_fields=["paper_signed_on", "paper_recorded_by"])
    audit_record(
        actor=user,
        action="agreement.paper_signature",
        obj=agreement.status,
        comment=party.name,
        data={"agreement": agreement.pk, "party": party.pk, "signed_on": signed_on},
    )
    _register_if_complete(agreement, actor=user)
    return party


def agreement_missing_signatures(agreement: Agreement) -> list[AgreementParty]:
    signed = set(agreement.document.signatures.values_list("signer_id", flat=True))
    return [
        p
        for p in agreement.parties.all()
        if (p.signer_id is not None and p.signer_id not in signed)
        or (p.signer_id is None and p.paper_signed_on is None)
    ]


def _register_if_complete(agreement: Agreement, *, actor) -> None:
    if agreement.state != Agreement.State.SIGNING or agreement_missing_signatures(agreement):
        return
    status = agreement.status
    documents.journal_register(
        document=agreement.document,
        journal_code="agreement",
        scope=status.program.code,
        actor=actor,
    )
    agreement.state = Agreement.State.REGISTERED
    agreement.registered_at = timezone.now()
    agreement.save(update_fields=["state", "registered_at", "updated_at"])
    agreement.document.refresh_from_db()
    audit_record(
        actor=actor,
        action="agreement.register",
        obj=status,
        from_state=Agreement.State.SIGNING,
        to_state=agreement.state,
        comment=f"{agreement} № {agreement.document.reg_number}",
        data={"agreement": agreement.pk, "number": agreement.document.reg_number},
    )


# --- Reads --------------------------------------------------------------------------------------


def agreements_of(status: Status) -> list[Agreement]:
    return list(
        Agreement.objects.filter(status=status)
        .select_related("document", "parent__document")
        .prefetch_related("parties__signer", "document__signatures")
        .order_by("number")
    )


def agreement_can_view(user, agreement: Agreement) -> bool:
    """Whoever sees the status, and the signers of the agreement's parties (a partner's
    coordinator does not otherwise see the school's status)."""
    if selectors.status_visible_qs(user).filter(pk=agreement.status_id).exists():
        return True
    return agreement.parties.filter(signer=user).exists() if user.is_authenticated else False


def agreements_to_sign(user):
    """Agreements being signed that wait for this user's signature."""
    if not user.is_authenticated:
        return Agreement.objects.none()
    return (
        Agreement.objects.filter(state=Agreement.State.SIGNING, parties__signer=user)
        .exclude(document__signatures__signer=user)
        .select_related("status__organisation", "status__program", "document")
        .distinct()
    )
