"""Writes. Every state change happens here, in one transaction with its audit record."""

from contextlib import ExitStack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task

from audit.services import audit_record
from core.errors import ConflictError, DocketError, NotAllowed
from core.transactions import lock, service_transaction
from documents import selectors as document_selectors
from documents import services as documents
from documents.models import Document
from programmes import access, formdef
from programmes import services as programme_services
from programmes.models import Organisation, Program

from . import notify, paperwork, selectors
from .models import Application, ApplicationSubmission, CouncilDecision, Order, PlannedEvent
from .status_port import status_lifecycle

State = Application.State


# --- Drafts ---------------------------------------------------------------------------


def _require_member(*, user, organisation: Organisation) -> None:
    if not selectors.organisations_of(user).filter(pk=organisation.pk).exists():
        raise NotAllowed(_("You do not act for %(org)s.") % {"org": organisation})


def _applicant_for(*, user, organisation: Organisation | None, program: Program) -> Organisation:
    """Who files the case: the organisation for an organisation's programme, the person's own
    record for a person's. Staff who serve the programme may not apply to it: they would
    review their own case."""
    if program.for_persons:
        if access.serves(user, program.pk):
            raise NotAllowed(_("You serve this programme and cannot apply to it."))
        if organisation is not None and organisation.person_id != user.pk:
            raise ValidationError(
                {"organisation": [_("This programme takes applications from persons only.")]}
            )
        return programme_services.person_applicant(user=user)
    if organisation is None or organisation.person_id is not None:
        raise ValidationError(
            {"organisation": [_("This programme takes applications from organisations only.")]}
        )
    _require_member(user=user, organisation=organisation)
    return organisation


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        raise ConflictError(
            _("The application is %(state)s and can no longer be changed.")
            % {"state": application.get_state_display().lower()}
        )


def _answers_set(application: Application, answers: dict) -> None:
    """Answers by field name under the application's form: a field the form keeps in a column
    goes to the column (its only copy), every other answer to the JSON (dates as ISO text).
    Unknown names are refused: the form validated what it knows, nothing else may slip in."""
    fields = {
        f["name"]: f for f in formdef.fields_of(selectors.application_definition(application))
    }
    unknown = sorted(set(answers) - set(fields))
    if unknown:
        raise ValidationError({name: [_("The form has no such field.")] for name in unknown})
    in_json = [fields[name] for name in answers if not fields[name].get("column")]
    application.answers = {
        **(application.answers or {}),
        **formdef.answers_json({"sections": [{"fields": in_json}]}, answers),
    }
    for name, value in answers.items():
        column = fields[name].get("column")
        if column:
            setattr(application, column, "" if value is None else value)


def _replace_events(application: Application, events: list[dict]) -> None:
    application.planned_events.all().delete()
    PlannedEvent.objects.bulk_create(
        PlannedEvent(
            application=application,
            year_index=e["year_index"],
            title=e["title"],
            timing=e["timing"],
            audience=e.get("audience", ""),
        )
        for e in events
    )


@service_transaction
def application_create(
    *,
    user,
    organisation: Organisation | None,
    program: Program,
    fields: dict,
    events: list[dict],
) -> Application:
    """Start a draft: for an organisation the user acts for, or, where the programme takes
    applications from persons, in the user's own name (`organisation` is then his own record
    or None)."""
    if not program.is_active:
        raise ConflictError(_("The programme does not accept applications now."))
    organisation = _applicant_for(user=user, organisation=organisation, program=program)
    refusal = selectors.school_case_refusal(program=program, organisation=organisation)
    if refusal:
        raise ConflictError(refusal)
    version = programme_services.current_form(program)
    if version is None:
        raise ConflictError(_("The programme has no application form yet."))
    application = Application(
        program=program, organisation=organisation, created_by=user, form_version=version
    )
    _answers_set(application, fields)
    application.save()
    _replace_events(application, events)
    audit_record(actor=user, action="application.create", obj=application, to_state=State.DRAFT)
    return application


@service_transaction
def application_update(
    *, application_id: int, user, fields: dict, events: list[dict] | None
) -> Application:
    """Edit a draft or a returned application; `events=None` keeps the planned events."""
    application = lock(Application.objects).get(pk=application_id)
    _require_member(user=user, organisation=application.organisation)
    _require_editable(application)
    _answers_set(application, fields)
    application.save()
    if events is not None:
        _replace_events(application, events)
    audit_record(
        actor=user, action="application.update", obj=application, data={"fields": sorted(fields)}
    )
    return application


@service_transaction
def application_attach(
    *, application_id: int, user, uploaded, title: str = "", kind: str = ""
) -> Application:
    """Add a file, of one of the kinds the application's form asks for or of none ("");
    rejected files leave nothing behind (the whole transaction rolls back)."""
    application = lock(Application.objects).get(pk=application_id)
    _require_member(user=user, organisation=application.organisation)
    _require_editable(application)
    kinds = {
        k["kind"]: k
        for k in formdef.attachment_kinds(selectors.application_definition(application))
    }
    if kind and kind not in kinds:
        raise ValidationError({"kind": [_("The form asks for no file of this kind.")]})
    if kind and not title:
        title = kinds[kind]["label"]
    document = documents.document_create(
        uploaded=uploaded,
        author=user,
        title=title,
        owner_org_id=application.organisation_id,
        case=application,
    )
    application.attachments.add(document, through_defaults={"kind": kind})
    audit_record(
        actor=user,
        action="application.attach",
        obj=application,
        comment=document.title,
        data={"document": document.pk, "kind": kind},
    )
    return application


def _application_register(application: Application, *, user, on) -> Document:
    """Register the incoming application in its programme's journal (`ЗСП-2026/0007`) as a
    document of the case; each submission then renders its own version of it."""
    program = application.program
    document = documents.document_draft(
        kind=Document.Kind.APPLICATION,
        title=str(_("Application")),
        author=user,
        owner_org_id=application.organisation_id,
        case=application,
    )
    documents.journal_register(
        document=document,
        journal_code="application",
        scope=program.code,
        on=on,
        defaults={"prefix": program.registration_prefix},
        actor=user,
    )
    application.reg_number = document.reg_number
    application.reg_date = document.reg_date
    return document


def _application_document(application: Application) -> Document | None:
    """The registered application (one per case, numbered at the first submission)."""
    return (
        document_selectors.documents_of(application)
        .filter(kind=Document.Kind.APPLICATION)
        .order_by("created_at", "id")
        .first()
    )


def _submission_record(
    application: Application, *, user, document: Document | None, at, comment: str = ""
) -> ApplicationSubmission:
    """Freeze what is submitted and have a new version of the registered print form rendered
    from it after commit (Приложение 1, "Редакция N" from the second one on). The caller holds
    the application's row lock, so the numbers are consecutive. Without a registered document
    (none is missing in practice) the submission is still recorded."""
    number = (application.submissions.aggregate(last=Max("number"))["last"] or 0) + 1
    submission = ApplicationSubmission.objects.create(
        application=application,
        number=number,
        submitted_at=at,
        submitted_by=user,
        comment=comment,
        data=selectors.application_snapshot(application),
    )
    if document is None:
        return submission
    submission.render = documents.print_form_request(
        document=document,
        form="application",
        context={
            **paperwork.application_context(application),
            "revision": number,
            "submitted_on": timezone.localdate(at),
        },
        actor=user,
        scope=application.program.code,
    )
    submission.save(update_fields=["render"])
    return submission


@service_transaction
def application_submit(*, application_id: int, user) -> Application:
    """Submit a draft (register it, start its review) or resubmit a returned one."""
    application = Application.objects.get(pk=application_id)
    if application.state == State.RETURNED:
        task = selectors.application_open_task(application)
        if task is None or task.flow_task.name != "revise":
            raise ConflictError(_("The application is not waiting for your correction."))
        task_complete(task_id=task.pk, user=user, data={"comment": ""})
        return Application.objects.get(pk=application_id)
    return _application_submit_draft(application_id=application_id, user=user)


@transaction.atomic
def _application_submit_draft(*, application_id: int, user) -> Application:
    from .flows import flow_for_program  # the flow calls back into services

    application = lock(Application.objects).get(pk=application_id)
    _require_member(user=user, organisation=application.organisation)
    if application.state != State.DRAFT:
        raise ConflictError(
            _("The application was already submitted (No. %(number)s).")
            % {"number": application.reg_number}
        )
    if application.renews_id:
        # The status now, before the registration's audit event takes the audit head
        # (core.transactions); renewal_submitted moves it below.
        status_model = Application.renews.field.related_model
        lock(status_model.objects).filter(pk=application.renews_id).first()
    errors = selectors.application_completeness_errors(application)
    if errors:
        raise ValidationError(errors)
    now = timezone.localtime()
    if application.kind == Application.Kind.RENEWAL:
        # Checked again under the status's row lock: a renewal after expiry is refused.
        refusal = status_lifecycle().renewal_refusal(application.renews, today=now.date())
        if refusal:
            raise ConflictError(refusal)
    document = _application_register(application, user=user, on=now)
    application.submitted_at = now
    application.state = State.AT_METHODIST
    _save_under_review(application)
    _submission_record(application, user=user, document=document, at=now)
    audit_record(
        actor=user,
        action="application.submit",
        obj=application,
        from_state=State.DRAFT,
        to_state=State.AT_METHODIST,
        data={"reg_number": application.reg_number},
    )
    if application.kind == Application.Kind.RENEWAL:
        status_lifecycle().renewal_submitted(application=application, user=user, today=now.date())
    # The shape the programme names now; the process keeps it to the end (decisions.md wt-f).
    flow_for_program(application.program).start.run(application=application)
    return application


ONE_CASE_CONSTRAINT = "one_application_under_review_per_program"


def _save_under_review(application: Application) -> None:
    """Save a case entering review. Two submissions of one school's applications at the same
    moment both pass the completeness check; the database's partial unique index lets one in,
    and the other is told which case is already under review (nothing of it is kept)."""
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        text = str(exc)
        if ONE_CASE_CONSTRAINT not in text and "program_id, workflows_application.org" not in text:
            raise
        refusal = selectors.school_case_refusal(
            program=application.program,
            organisation=application.organisation,
            renewal=application.kind == Application.Kind.RENEWAL,
            exclude_pk=application.pk,
        )
        raise ConflictError(
            refusal or _("Another application of this school is under review; wait for it.")
        ) from exc


# --- Steps ----------------------------------------------------------------------------


def _move(application: Application, *, user, to: str, action: str, comment: str = "", data=None):
    previous = application.state
    application.state = to
    application.save(update_fields=["state", "order", "updated_at"])
    event = audit_record(
        actor=user,
        action=action,
        obj=application,
        from_state=previous,
        to_state=to,
        comment=comment,
        data=data,
    )
    # Same transaction: the outbox rows commit or roll back with the move (DESIGN.md).
    notify.application_moved(application=application, event=event)
    if to == State.REFUSED and application.kind == Application.Kind.RENEWAL:
        status_lifecycle().renewal_refused(
            application=application, actor=user, today=timezone.localdate()
        )


def _step_check(application: Application, *, user, data: dict) -> None:
    if data["decision"] == "accept":
        _move(
            application,
            user=user,
            to=State.AT_COUNCIL,
            action="application.accept",
            comment=data.get("comment", ""),
        )
    else:
        _move(
            application,
            user=user,
            to=State.RETURNED,
            action="application.return",
            comment=data["comment"],
        )


def _step_revise(application: Application, *, user, data: dict) -> None:
    _require_member(user=user, organisation=application.organisation)
    errors = selectors.application_completeness_errors(application)
    if errors:
        raise ValidationError(errors)
    _move(
        application,
        user=user,
        to=State.AT_METHODIST,
        action="application.resubmit",
        comment=data.get("comment", ""),
    )
    # The corrected text is a new version of the same registered document (its number stays).
    _submission_record(
        application,
        user=user,
        document=_application_document(application),
        at=timezone.now(),
        comment=data.get("comment", ""),
    )


def application_council_decide(
    *,
    application: Application,
    granted: bool,
    reasons: str,
    meeting_date,
    actor,
    settles: bool = False,
    protocol=None,
    data=None,
) -> CouncilDecision:
    """The council's decision on the case takes effect (its protocol is signed). Called by the
    flow's `council` node under the flow lock, so the gateway after it routes on this state.
    `settles` comes from the case's flow, not from the programme: a grant then needs no order
    and the case is GRANTED at once (its status follows in the background)."""
    application = lock(Application.objects).get(pk=application.pk)
    if application.state != State.AT_COUNCIL:
        raise ConflictError(_("The case has moved on; refresh the page."))
    decision = CouncilDecision.objects.create(
        application=application,
        outcome=CouncilDecision.Outcome.GRANTED if granted else CouncilDecision.Outcome.REFUSED,
        reasons=reasons,
        meeting_date=meeting_date,
        protocol=protocol,
        recorded_by=actor,
    )
    if granted:
        to = State.GRANTED if settles else State.AT_DEPARTMENT
        if settles:
            _require_renewal_grantable(application, on=meeting_date)
    else:
        to = State.REFUSED
    _move(
        application,
        user=actor,
        to=to,
        action="application.council_grant" if granted else "application.council_refuse",
        comment=decision.reasons,
        data={"meeting_date": decision.meeting_date.isoformat(), **(data or {})},
    )
    if not granted:
        refusal_letter_issue(application=application, user=actor, reasons=decision.reasons)
    return decision


def _order_for(*, program: Program, number: str, date, user) -> Order:
    """One order may approve several decisions: reuse it when number and date agree."""
    number = number.strip()
    # get_or_create re-reads after a unique clash, so two officials entering the same new order
    # at once both end up on the one order instead of one of them getting an IntegrityError.
    order, _created = Order.objects.get_or_create(
        program=program, year=date.year, number=number, defaults={"date": date, "signed_by": user}
    )
    if order.date != date:
        raise ValidationError(
            {
                "order_number": [
                    _(
                        "Order No. %(number)s of %(year)s is dated %(date)s; check the number or the date."
                    )
                    % {"number": number, "year": date.year, "date": order.date.strftime("%d.%m.%Y")}
                ]
            }
        )
    return order


def _require_order_signed(order: Order) -> None:
    """A status rests on a signed order (decisions.md 13): an order drafted in Docket must carry
    its signature before it approves anything. A paper order entered by number has no document."""
    if order.document_id and not order.document.signatures.exists():
        raise ValidationError(
            {
                "order_number": [
                    _("Order No. %(number)s is not signed yet.") % {"number": order.number}
                ]
            }
        )


def _step_approve(application: Application, *, user, data: dict) -> None:
    if data["decision"] == "approve":
        _require_renewal_grantable(application, on=data["order_date"])
        order = _order_for(
            program=application.program,
            number=data["order_number"],
            date=data["order_date"],
            user=user,
        )
        _require_order_signed(order)
        application.order = order
        _move(
            application,
            user=user,
            to=State.GRANTED,
            action="application.approve",
            comment=str(application.order),
            data={"order": application.order.pk},
        )
    else:
        # A drafted, unsigned order stays in its journal (its number is not reused) but no
        # longer belongs to this case's approval.
        application.order = None
        _move(
            application,
            user=user,
            to=State.AT_COUNCIL,
            action="application.department_return",
            comment=data["comment"],
        )


# --- Documents of the case ---------------------------------------------------------------------


def _require_open_approval(application: Application, user) -> Task:
    task = selectors.application_open_task(application)
    if application.state != State.AT_DEPARTMENT or task is None or task.flow_task.name != "approve":
        raise ConflictError(_("The case is not waiting for the department's approval."))
    if not access.may(user, access.APPROVE, application.program_id):
        raise NotAllowed(_("Only a department official may issue the order."))
    if task.owner_id and task.owner_id != user.pk:
        raise ConflictError(
            _("%(name)s has already taken this step.") % {"name": task.owner.get_full_name()}
        )
    _require_renewal_grantable(application, on=timezone.localdate())
    return task


def _require_renewal_grantable(application: Application, *, on) -> None:
    """A renewal is approved only while the term it adds is still ahead (checked before any
    order is drafted or entered, so the background grant never meets a refusal)."""
    if application.kind != Application.Kind.RENEWAL:
        return
    refusal = status_lifecycle().renewal_grant_refusal(application.renews, today=on)
    if refusal:
        raise ConflictError(refusal)


def _require_department_official(user) -> None:
    if not user.has_perm("workflows.approve_application"):
        raise NotAllowed(_("Only a department official may issue the order."))


def _naming_case(application: Application, exc: DocketError) -> DocketError:
    """The same refusal with the case's number: with several cases the official must know which."""
    return type(exc)(
        _("Application %(number)s: %(reason)s")
        % {"number": application.reg_number, "reason": exc.message}
    )


def _require_visible(application_ids, user) -> list[int]:
    """The ids, sorted; a case the user may not see answers like a missing one (not disclosed)."""
    ids = sorted(set(application_ids))
    visible = selectors.application_visible_qs(user).filter(pk__in=ids).values_list("pk", flat=True)
    if set(visible) != set(ids):
        raise Application.DoesNotExist
    return ids


def _order_signed(order: Order | None) -> bool:
    return bool(order and order.document_id and order.document.signatures.exists())


def _order_drafted_for(applications: list[Application]) -> Order | None:
    """The unsigned order already drafted for exactly these cases: drafting again returns it."""
    order = applications[0].order
    if order is None or not order.document_id:
        return None
    if any(a.order_id != order.pk for a in applications):
        return None
    listed = set(order.listed_applications.values_list("pk", flat=True))
    return order if listed == {a.pk for a in applications} else None


@service_transaction
def order_draft_for_cases(*, application_ids: list[int], user) -> Order:
    """One order (распоряжение) for cases the council granted, as the department issues it after
    a meeting: registered once in the programme's order journal (`125-р`), listing every school,
    its PDF prepared in the background for the same official to sign. An unsigned draft of one
    of the cases is replaced (it keeps its journal number but no longer belongs to the case);
    drafting again for the same cases returns the order already drafted."""
    if not application_ids:
        raise ValidationError({"applications": [_("Choose at least one case for the order.")]})
    ids = _require_visible(application_ids, user)
    _require_department_official(user)
    # Rows locked in one order (by pk), so officials drafting overlapping orders queue, not deadlock.
    applications = list(
        lock(Application.objects)
        .select_related("program", "organisation")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len({a.program_id for a in applications}) > 1:
        raise ValidationError(
            {
                "applications": [
                    _("One order covers one programme: choose cases of the same programme.")
                ]
            }
        )
    for application in applications:
        try:
            _require_open_approval(application, user)
        except DocketError as exc:
            raise _naming_case(application, exc) from exc
        if _order_signed(application.order):
            raise ConflictError(
                _(
                    "Application %(number)s is already in order No. %(order)s, which is signed; "
                    "approve it by that order."
                )
                % {"number": application.reg_number, "order": application.order.number}
            )
    existing = _order_drafted_for(applications)
    if existing:
        return existing
    program = applications[0].program
    document = documents.document_draft(
        kind=Document.Kind.ORDER, title=str(_order_document_title(applications)), author=user
    )
    documents.journal_register(
        document=document, journal_code="order", scope=program.code, actor=user
    )
    order = Order.objects.create(
        program=program,
        number=document.reg_number,
        date=document.reg_date,
        year=document.reg_date.year,
        signed_by=user,
        document=document,
    )
    # The order is the document's case: each school listed sees it through its own application.
    documents.document_link(document=document, obj=order)
    order.listed_applications.set(applications)
    for application in applications:
        replaced = application.order_id
        application.order = order
        application.save(update_fields=["order", "updated_at"])
        audit_record(
            actor=user,
            action="application.order_draft",
            obj=application,
            comment=str(order),
            data={"order": order.pk, "document": document.pk, "replaced_order": replaced},
        )
    documents.document_signatories_set(
        document=document, signers=[(user, user.position)], actor=user
    )
    documents.print_form_request(
        document=document,
        form="order",
        context=paperwork.order_context(order=order, applications=applications, signer=user),
        actor=user,
        scope=program.code,
    )
    return order


def _order_document_title(applications: list[Application]) -> str:
    kinds = {a.kind for a in applications}
    if kinds == {Application.Kind.RENEWAL}:
        return _("Order extending the status")
    if Application.Kind.RENEWAL in kinds:
        return _("Order granting and extending the status")
    return _("Order granting the status")


def order_draft(*, application_id: int, user) -> Order:
    """The order granting one case's status (the one-case call of `order_draft_for_cases`)."""
    return order_draft_for_cases(application_ids=[application_id], user=user)


@service_transaction
def order_sign_and_approve_cases(*, order_id: int, user) -> Order:
    """The official signs the drafted order with their own key (PAdES) and, in the same
    transaction, approves every case it lists; statuses are then granted in the background.
    All or nothing: a case no longer waiting (returned, taken by a colleague, moved to another
    order) stops the signature, and a failure on any case rolls back the signature too.

    Locks in the order of core.transactions: every listed case's flow lock and then its row (pk
    order) before the signature, whose audit event takes the audit head; each step then runs
    under locks this transaction already holds."""
    from .flows import ApplicationFlow  # the flow calls back into services

    order = Order.objects.select_related("document", "program").get(pk=order_id)
    ids = list(order.listed_applications.values_list("pk", flat=True))
    if not order.document_id or not ids:
        raise ConflictError(_("This order was not drafted in Docket; there is nothing to sign."))
    _require_visible(ids, user)
    _require_department_official(user)
    with ExitStack() as flow_locks:
        for process_id in (
            Application.objects.filter(pk__in=ids, process__isnull=False)
            .order_by("pk")
            .values_list("process_id", flat=True)
        ):
            flow_locks.enter_context(ApplicationFlow.lock(process_id))
        applications = list(
            lock(Application.objects)
            .select_related("program", "organisation")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        tasks = []
        for application in applications:
            try:
                if application.order_id != order.pk:
                    raise ConflictError(
                        _("it is no longer in this order; draft a new order for the other cases.")
                    )
                tasks.append((application, _require_open_approval(application, user)))
            except DocketError as exc:
                raise _naming_case(application, exc) from exc
        if not order.document.signatures.filter(signer=user).exists():
            documents.document_sign(
                document=order.document,
                signer=user,
                reason=str(_("Approval of the council's decision")),
                location=order.program.document_place,
            )
        data = {"decision": "approve", "order_number": order.number, "order_date": order.date}
        for application, task in tasks:
            try:
                task_complete(task_id=task.pk, user=user, data=data)
            except DocketError as exc:
                raise _naming_case(application, exc) from exc
    return order


@service_transaction
def order_sign_and_approve(*, application_id: int, user) -> Application:
    """Sign the case's drafted order and approve it, with every other case the order lists."""
    application = Application.objects.select_related("order").get(pk=application_id)
    _require_open_approval(application, user)
    if application.order is None or application.order.document_id is None:
        raise ConflictError(_("Draft the order first."))
    order_sign_and_approve_cases(order_id=application.order_id, user=user)
    return Application.objects.get(pk=application_id)


def refusal_letter_issue(*, application: Application, user, reasons: str) -> Document:
    """The notification of refusal: an outgoing letter registered and prepared for the school."""
    program = application.program
    document = documents.document_draft(
        kind=Document.Kind.REFUSAL_LETTER,
        title=str(_("Notification of refusal")),
        author=user,
        owner_org_id=application.organisation_id,
        case=application,
    )
    documents.journal_register(
        document=document, journal_code="refusal_letter", scope=program.code, actor=user
    )
    documents.print_form_request(
        document=document,
        form="refusal_letter",
        context=paperwork.refusal_context(application=application, reasons=reasons, signer=user),
        actor=user,
        scope=program.code,
    )
    return document


STEP_HANDLERS = {
    "check": (State.AT_METHODIST, _step_check),
    "revise": (State.RETURNED, _step_revise),
    "approve": (State.AT_DEPARTMENT, _step_approve),
}


def _load_task(task_id: int, user) -> Task:
    task = selectors.task_of_visible_application(user=user, task_id=task_id)
    if task is None:
        # Same answer for "missing" and "not yours": existence of others' cases is not disclosed.
        raise Task.DoesNotExist
    return task


def _take_over_revision(task: Task, activation, user, application: Application) -> None:
    """A returned application belongs to the school, not to whoever submitted it: any of its
    coordinators may correct it (the author may be away or have left)."""
    if (
        task.flow_task.name == "revise"
        and task.owner_id != user.pk
        and selectors.organisations_of(user).filter(pk=application.organisation_id).exists()
    ):
        activation.reassign(user)


def _serves_step(user, task: Task) -> bool:
    """viewflow knows the step's permission, not that it holds for the case's programme only."""
    if not task.owner_permission:
        return True
    program_id = (
        Application.objects.filter(process_id=task.process_id)
        .values_list("program_id", flat=True)
        .first()
    )
    return access.may(user, task.owner_permission, program_id)


def _require_open_and_mine(task: Task, activation, user, *, claim: bool) -> bool:
    """Returns True when this call claimed the task."""
    if task.status not in selectors.OPEN_TASK_STATUSES:
        raise ConflictError(
            _(
                "This step has already been completed; refresh the page to see where the case is now."
            )
        )
    if task.owner_id is None:
        if not task.flow_task.can_assign(user, task) or not _serves_step(user, task):
            raise NotAllowed(_("This step is for another role; you cannot take it."))
        if claim:
            activation.assign(user)
            return True
        return False
    if task.owner_id != user.pk:
        raise ConflictError(
            _("%(name)s has already taken this step.") % {"name": task.owner.get_full_name()}
        )
    return False


def _flow_locked(func):
    """viewflow raises FlowLockFailed when another request holds the case: say so, no HTTP 500."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except FlowLockFailed as exc:
            raise ConflictError(
                _("Someone else is working on this case right now. Try again in a minute.")
            ) from exc

    wrapper.__doc__ = func.__doc__
    wrapper.__name__ = func.__name__
    return wrapper


@_flow_locked
@service_transaction
def task_claim(*, task_id: int, user) -> Task:
    """Take an unassigned step for oneself, so that colleagues see who is on it."""
    task = _load_task(task_id, user)
    with task.activation() as activation:
        if task.owner_id == user.pk and task.status in selectors.OPEN_TASK_STATUSES:
            return task  # claiming twice is harmless
        if _require_open_and_mine(task, activation, user, claim=True):
            application = selectors.task_application(task)
            audit_record(
                actor=user,
                action="application.claim",
                obj=application,
                data={"task": task.pk, "step": task.flow_task.name},
            )
    return task


@_flow_locked
@service_transaction
def task_complete(*, task_id: int, user, data: dict) -> Task:
    """Do one step: apply the decision, then let the flow route to the next step.

    Runs under the flow's lock, so of two people completing the same step one wins and the
    other gets a ConflictError. An unclaimed step is claimed on the way.
    """
    task = _load_task(task_id, user)
    with task.activation() as activation:
        application = lock(Application.objects).get(process_id=task.process_id)
        if task.status in selectors.OPEN_TASK_STATUSES:
            _take_over_revision(task, activation, user, application)
        _require_open_and_mine(task, activation, user, claim=True)
        expected_state, handler = STEP_HANDLERS[task.flow_task.name]
        if application.state != expected_state:
            raise ConflictError(_("The case has moved on; refresh the page."))
        handler(application, user=user, data=data)
        task.data = {**task.data, "decision": {k: str(v) for k, v in data.items()}}
        activation.start(None)
        activation.execute()
    return task


# --- Status ---------------------------------------------------------------------------


def status_grant(*, application: Application):
    """Enter the status in the registry, or extend it by a new term for a renewal (the flow's
    background job after the order); safe to call twice. The statuses app does it."""
    return status_lifecycle().grant(application=application)
