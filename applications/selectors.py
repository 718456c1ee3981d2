"""Reads: who may see what, what an application's state means to a person, what is waiting."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from audit.services import PERSONAL_DATA_READ
from documents.models import RenderRequest
from programmes import access, formdef
from programmes.access import SEE_ALL
from programmes.models import Applicants, Organisation, Program, ProgrammeStaff

from . import regulations
from .models import Application, ApplicationAttachment, Order
from .status_port import status_lifecycle

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
STEP_PERMISSIONS = (
    "workflows.check_application",
    "workflows.decide_application",
    "workflows.approve_application",
)

# Which people hold a waiting step, when nobody has taken it yet.
ROLE_OF_STEP = {
    "check": gettext_lazy("the programme's methodists"),
    "council": gettext_lazy("the council: the case waits for its meeting"),
    "approve": gettext_lazy("the department of education"),
}


def application_for_process(process) -> Application:
    return Application.objects.select_related("created_by").get(process_id=process.pk)


def organisations_of(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(organisationmembership__user=user)


def seated_program_ids(user) -> QuerySet:
    """Programmes on whose council the user holds a seat today: a council member sees the
    cases of that programme because of the seat, not because of a group (a member of one
    town's council sees nothing of another's)."""
    from councils.models import CouncilMember

    if not user.is_authenticated:
        return CouncilMember.objects.none().values("council__program_id")
    return (
        CouncilMember.objects.on(timezone.localdate())
        .filter(user=user)
        .values("council__program_id")
    )


def sits_for_program(user, program_id: int) -> bool:
    return seated_program_ids(user).filter(council__program_id=program_id).exists()


def visible_to(qs: QuerySet, user) -> QuerySet:
    """Rows of `qs` (with `organisation` and `program`) the user may see: staff with the
    see-all permission those of the programmes they serve (programmes.access), everyone else
    their organisations' and their councils' programmes'."""
    if not user.is_authenticated:
        return qs.none()
    own = Q(organisation__organisationmembership__user=user) | Q(
        program_id__in=seated_program_ids(user)
    )
    if user.has_perm(SEE_ALL):
        served = access.staff_program_ids(user)
        if served is None:
            return qs
        # Staff who also sit on another programme's council (or act for a school) keep that.
        return qs.filter(Q(program_id__in=served) | own).distinct()
    return qs.filter(own).distinct()


def application_visible_qs(user) -> QuerySet[Application]:
    """Staff with the see-all permission see every case; applicants only their organisations';
    council members their council's programme. A draft never submitted is its school's alone
    (decision 43): nobody else sees it, administrators included, until it is submitted; a case
    returned for revision was submitted, so staff keep seeing it."""
    qs = visible_to(
        Application.objects.select_related("program", "organisation", "created_by"), user
    )
    if not user.is_authenticated:
        return qs
    return qs.filter(
        ~Q(state=Application.State.DRAFT) | Q(organisation__in=organisations_of(user).values("pk"))
    )


def application_is_private(application: Application) -> bool:
    """A draft never submitted: only its organisation's coordinators may see it."""
    return application.state == Application.State.DRAFT


def application_private_ids() -> QuerySet:
    return Application.objects.filter(state=Application.State.DRAFT).values_list("pk", flat=True)


def application_can_edit(*, application: Application, user) -> bool:
    """Only members of the applicant organisation, and only while it is a draft or returned."""
    return (
        application.is_editable
        and organisations_of(user).filter(pk=application.organisation_id).exists()
    )


def _planned_event_errors(application: Application) -> list[str]:
    """Every year of the programme's term has an event, and every event (a draft may keep
    half-filled rows) says what and when, within the term."""
    term = application.program.status_term_years
    events = list(application.planned_events.all())
    messages = []
    years = {e.year_index for e in events}
    missing = [y for y in range(1, term + 1) if y not in years]
    if missing:
        messages.append(
            _("Plan at least one event for each year of the status; missing: %(years)s.")
            % {"years": ", ".join(str(y) for y in missing)}
        )
    for e in events:
        title = e.title.strip()
        if not title:
            messages.append(
                _("An event of year %(year)s has no name: name it or clear its row.")
                % {"year": e.year_index}
            )
        elif not e.timing.strip():
            messages.append(
                _("Say when «%(title)s» (year %(year)s) takes place.")
                % {"title": title, "year": e.year_index}
            )
        if e.year_index > term:
            messages.append(
                _(
                    "«%(title)s» is planned for year %(year)s, but the status lasts years 1–%(term)s."
                )
                % {"title": title or "—", "year": e.year_index, "term": term}
            )
    return messages


def application_definition(application: Application) -> dict:
    """The definition of the form the application is filed with."""
    version = application.form_version
    return version.definition if version is not None else regulations.TOMSK_FORM


def application_answers(application: Application) -> dict:
    """Field name → answer under the application's form: a field kept in a column is read
    from the column, the others from the answers."""
    answers = {}
    for field in formdef.fields_of(application_definition(application)):
        column = field.get("column")
        value = (
            getattr(application, column)
            if column
            else formdef.answer_value(field, application.answers.get(field["name"]))
        )
        answers[field["name"]] = "" if value is None else value
    return answers


def application_answers_shown(application: Application) -> list[dict]:
    """The answers as a person reads them, section by section, with the form's labels."""
    answers = application_answers(application)
    return [
        {
            "title": formdef.text(section.get("title")),
            "rows": [
                {
                    "name": field["name"],
                    "label": formdef.text(field.get("label")),
                    "value": formdef.answer_shown(field, answers.get(field["name"])),
                    "type": field["type"],
                }
                for field in section.get("fields", [])
            ],
        }
        for section in application_definition(application).get("sections", [])
    ]


def application_attachment_kinds(application: Application) -> list[str]:
    """The kinds of the files attached ("" for a file of no kind the form names)."""
    return list(
        ApplicationAttachment.objects.filter(application=application).values_list("kind", flat=True)
    )


def application_attachment_asked(application: Application) -> list[dict]:
    """The kinds of files the application's form asks for, each marked whether attached."""
    have = set(application_attachment_kinds(application))
    return [
        {**kind, "attached": kind["kind"] in have}
        for kind in formdef.attachment_kinds(application_definition(application))
    ]


def application_completeness_errors(application: Application) -> dict[str, list[str]]:
    """Field → messages for everything a submitted application must have: the required
    answers and files of the form version it is filed with, the planned events if the form
    has them, and one case of the school at a time."""
    definition = application_definition(application)
    errors = formdef.completeness_errors(definition, application_answers(application))
    errors.update(formdef.attachment_errors(definition, application_attachment_kinds(application)))
    if definition.get("events"):
        events = _planned_event_errors(application)
        if events:
            errors["planned_events"] = events
    refusal = school_case_refusal(
        program=application.program,
        organisation=application.organisation,
        renewal=application.kind == Application.Kind.RENEWAL,
        exclude_pk=application.pk,
    )
    if refusal:
        errors["organisation"] = [refusal]
    return errors


def school_case_refusal(
    *, program: Program, organisation: Organisation, renewal: bool = False, exclude_pk=None
) -> str:
    """Why the school may not have another case of this programme reviewed now ('' if it may).

    One school holds one status per programme, so it has one case at a time (decisions.md 37):
    no new application while it holds the status (a renewal continues it) or while its grant
    is being entered, and never two applications under review at once. The database refuses
    the second case under review too (`one_application_under_review_per_program`)."""
    if not renewal:
        # A renewal's own status is checked under its row lock at submission.
        live = status_lifecycle().live_status(program=program, organisation=organisation)
        if live:
            return _(
                "%(org)s already holds this status until %(date)s; to continue it, apply for "
                "renewal on the status page."
            ) % {"org": organisation, "date": live.valid_until.strftime("%d.%m.%Y")}
    others = Application.objects.filter(program=program, organisation=organisation).exclude(
        pk=exclude_pk
    )
    granting = others.filter(
        state=Application.State.GRANTED, kind=Application.Kind.NEW, status__isnull=True
    ).first()
    if granting and not renewal:
        return _(
            "%(org)s has just been granted this status by application %(number)s; it is being "
            "entered in the registry."
        ) % {"org": organisation, "number": granting.reg_number}
    pending = others.filter(state__in=Application.REVIEW_STATES).order_by("submitted_at").first()
    if pending:
        return _(
            "%(org)s already has application %(number)s under review in this programme; a "
            "school has one case at a time. Wait for its decision."
        ) % {"org": organisation, "number": pending.reg_number}
    return ""


# Fields of an application that identify a person (152-ФЗ); showing them is logged.
PERSONAL_FIELDS = [
    "responsible_name",
    "responsible_position",
    "responsible_phone",
    "responsible_email",
]


def application_open_task(application: Application) -> Task | None:
    if not application.process_id:
        return None
    return (
        Task.objects.filter(process_id=application.process_id, status__in=OPEN_TASK_STATUSES)
        .select_related("owner")
        .order_by("-created")
        .first()
    )


def application_job_stopped(application: Application) -> bool:
    """Whether a background step of the case failed for good (ERROR, waiting for an
    administrator) or was cancelled by one: the applicant must not read "in progress"."""
    from .jobs import JOB

    if not application.process_id:
        return False
    return Task.objects.filter(
        process_id=application.process_id,
        flow_task_type=JOB,
        status__in=[STATUS.ERROR, STATUS.CANCELED],
    ).exists()


def application_state_label(application: Application) -> str:
    """The state in the applicant's words, with the date or reason that matters to them."""
    state = Application.State
    if application.state == state.GRANTED:
        # Without an order the council's decision granted it (the programme's review shape).
        by_order = application.order_id is not None
        if application.kind == Application.Kind.RENEWAL:
            term = getattr(application, "status_term", None)
            if term is None:
                if application_job_stopped(application):
                    return (
                        _(
                            "Approved by order; extending the status is delayed. The staff know "
                            "about it and are dealing with it"
                        )
                        if by_order
                        else _(
                            "Granted by the council; extending the status is delayed. The staff "
                            "know about it and are dealing with it"
                        )
                    )
                return (
                    _("Approved by order; the status is being extended")
                    if by_order
                    else _("Granted by the council; the status is being extended")
                )
            return _("Status renewed until %(date)s") % {
                "date": term.valid_until.strftime("%d.%m.%Y")
            }
        if not hasattr(application, "status"):
            # A background job is entering the status in the registry.
            if application_job_stopped(application):
                return (
                    _(
                        "Approved by order; entering the status in the registry is delayed. The "
                        "staff know about it and are dealing with it"
                    )
                    if by_order
                    else _(
                        "Granted by the council; entering the status in the registry is "
                        "delayed. The staff know about it and are dealing with it"
                    )
                )
            return (
                _("Approved by order; the status is being entered in the registry")
                if by_order
                else _("Granted by the council; the status is being entered in the registry")
            )
        return _("Status granted until %(date)s") % {
            "date": application.status.valid_until.strftime("%d.%m.%Y")
        }
    if application.state == state.REFUSED:
        decision = application.council_decisions.first()
        reasons = decision.reasons if decision else ""
        return _("Refused: %(reasons)s") % {"reasons": reasons}
    labels = {
        state.DRAFT: _("Draft"),
        state.AT_METHODIST: _("Being checked by a methodist"),
        state.RETURNED: _("Returned for revision"),
        state.AT_COUNCIL: _("Awaiting the council's decision"),
        state.AT_DEPARTMENT: _("Awaiting approval by the department"),
        state.GRANTED: _("Status granted"),
    }
    return labels[application.state]


def application_holder(application: Application) -> str:
    """Who must act next, in words: a named person once someone took the step, else a role."""
    if application.state in (Application.State.DRAFT, Application.State.RETURNED):
        return str(application.organisation)
    if application.state == Application.State.GRANTED and application_job_stopped(application):
        entered = (
            getattr(application, "status_term", None)
            if application.kind == Application.Kind.RENEWAL
            else getattr(application, "status", None)
        )
        if entered is None:
            return _("Docket's administrators")
    if application.state in (Application.State.GRANTED, Application.State.REFUSED):
        return _("nobody: the review is complete")
    task = application_open_task(application)
    if task is None:
        return ""
    if task.owner_id:
        return task.owner.get_full_name()
    return str(ROLE_OF_STEP.get(task.flow_task.name, ""))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    label: str
    comment: str
    url: str = ""


ACTION_LABELS = {
    "application.create": gettext_lazy("Draft created"),
    "application.update": gettext_lazy("Draft edited"),
    "application.attach": gettext_lazy("File attached"),
    "application.submit": gettext_lazy("Submitted and registered"),
    "application.claim": gettext_lazy("Taken for work"),
    "application.accept": gettext_lazy("Accepted as complete"),
    "application.return": gettext_lazy("Returned for revision"),
    "application.resubmit": gettext_lazy("Corrected and submitted again"),
    "application.council_agenda": gettext_lazy("Put on the agenda of a council meeting"),
    "application.council_agenda_cancelled": gettext_lazy(
        "The council meeting was cancelled; the case waits for the next one"
    ),
    "application.council_grant": gettext_lazy("Council granted the status"),
    "application.council_refuse": gettext_lazy("Council refused the status"),
    "application.council_postpone": gettext_lazy("Council postponed the case to its next meeting"),
    "application.order_draft": gettext_lazy("The department drafted the order"),
    "application.approve": gettext_lazy("Approved by order"),
    "application.department_return": gettext_lazy("Returned to the council by the department"),
    "application.status_granted": gettext_lazy("Status entered in the registry"),
}


def application_timeline(application: Application) -> list[TimelineEntry]:
    """What happened to the case; reads of personal data are audited but are not events of it."""
    events = (
        AuditEvent.objects.filter(
            object_type=Application._meta.label_lower, object_id=str(application.pk)
        )
        .exclude(action=PERSONAL_DATA_READ)
        .select_related("actor")
    )
    return [
        TimelineEntry(
            at=e.at,
            actor=e.actor.get_full_name() if e.actor else _("system"),
            action=e.action,
            label=str(ACTION_LABELS.get(e.action, e.action)),
            comment=e.comment,
            url=_event_url(e),
        )
        for e in events.order_by("id")
    ]


def _event_url(event) -> str:
    """A document the event issued to the case: the council's extract from its protocol."""
    extract = (event.data or {}).get("extract") if isinstance(event.data, dict) else None
    return reverse("extract-detail", args=[extract]) if extract else ""


def task_visible_qs(user) -> QuerySet[Task]:
    """Open steps this user holds, or may take: the owner, or a holder of the step's permission
    for the programme of the case."""
    from .flows import REVIEW_FLOWS

    qs = Task.objects.filter(
        process__flow_class__in=REVIEW_FLOWS, status__in=OPEN_TASK_STATUSES
    ).select_related("process", "owner")
    if not user.is_authenticated:
        return qs.none()
    claimable = Q(pk__in=[])
    for perm in STEP_PERMISSIONS:
        if user.has_perm(perm):
            cases = access.scoped(Application.objects.all(), user, perm=perm)
            claimable |= Q(
                owner__isnull=True,
                owner_permission=perm,
                process_id__in=cases.values("process_id"),
            )
    return qs.filter(Q(owner=user) | claimable).order_by("created")


def task_of_visible_application(*, user, task_id: int) -> Task | None:
    """A step (in any status) of a case the user may see, else None: others' steps look missing."""
    task = Task.objects.select_related("owner", "process").filter(pk=task_id).first()
    if task is None or not application_visible_qs(user).filter(process_id=task.process_id).exists():
        return None
    return task


def program_open_qs() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True)


def programs_open_to(user) -> QuerySet[Program]:
    """The open programmes the user may start an application to: those taking organisations'
    applications if he acts for an organisation, and those taking persons' applications that
    he does not serve on the staff of (he would review his own case)."""
    if not user.is_authenticated:
        return Program.objects.none()
    acts_for = organisations_of(user).filter(person__isnull=True).exists()
    wanted = Q(applicants=Applicants.PERSONS) & ~Q(
        pk__in=ProgrammeStaff.objects.filter(user=user).values("program_id")
    )
    if acts_for:
        wanted |= Q(applicants=Applicants.ORGANISATIONS)
    return program_open_qs().filter(wanted)


def plan_years_for(program: Program | None) -> int:
    """How many years a plan of events offers: the programme's term; before a programme is
    chosen, the longest term of the open ones (the chosen one's is checked when it is saved)."""
    if program is not None:
        return program.status_term_years
    terms = program_open_qs().values_list("status_term_years", flat=True)
    return max(terms, default=3)


def task_application(task: Task) -> Application:
    return Application.objects.select_related("program", "organisation", "created_by").get(
        process_id=task.process_id
    )


def flow_jobs_needing_attention(*, now=None) -> dict:
    """For the monitoring page: failed jobs, and jobs stuck past the threshold."""
    from .jobs import JOB, jobs_stuck_qs

    failed = Task.objects.filter(flow_task_type=JOB, status=STATUS.ERROR).select_related("process")
    stuck = jobs_stuck_qs(now=now).select_related("process")
    rows = []
    for task in [*failed, *stuck]:
        application = Application.objects.filter(process_id=task.process_id).first()
        data = task.data or {}
        rows.append(
            {
                "task": task,
                "application": application,
                "error": data.get("_exception", {}).get("title", "") or data.get("_last_error", ""),
                "attempts": data.get("_attempts", 0),
            }
        )
    return {
        "failed": [r for r in rows if r["task"].status == STATUS.ERROR],
        "stuck": [r for r in rows if r["task"].status != STATUS.ERROR],
    }


def application_documents(application: Application) -> list:
    """The case's own paperwork (registered application, order, certificate, letters), not
    the files the school attached."""
    from django.contrib.contenttypes.models import ContentType

    from documents.models import Document

    # Orders are documents of the Order (one may list several cases), found through the case.
    orders = [str(pk) for pk in application.listed_in_orders.values_list("pk", flat=True)]
    own = Q(case_type=ContentType.objects.get_for_model(Application), case_id=str(application.pk))
    listed = Q(case_type=ContentType.objects.get_for_model(Order), case_id__in=orders)
    return list(
        Document.objects.filter(own | listed)
        .select_related("journal")
        .exclude(kind="attachment")
        .prefetch_related("signatures")
        .order_by("created_at", "id")
    )


# --- Submissions: what was sent each time, and what changed ------------------------------------


def application_snapshot(application: Application) -> dict:
    """The application as submitted, as plain data: kept with the submission so what it said
    stays known whatever the row says later."""
    return {
        # The answers to its form version, in the form's order.
        "fields": formdef.answers_json(
            application_definition(application), application_answers(application)
        ),
        "events": [
            {
                "year_index": e.year_index,
                "title": e.title,
                "timing": e.timing,
                "audience": e.audience,
            }
            for e in application.planned_events.all()
        ],
        "attachments": [
            {"id": d.pk, "title": d.title} for d in application.attachments.order_by("pk")
        ],
    }


@dataclass(frozen=True)
class Change:
    label: str
    before: str  # "" when added
    after: str  # "" when removed


def _field_shown(field: dict, value) -> str:
    return formdef.answer_shown(field, value) if value not in (None, "") else ""


def _event_line(event: dict) -> str:
    parts = (event.get("title"), event.get("timing"), event.get("audience"))
    return ", ".join(str(part) for part in parts if part) or "—"


def _rows_changed(label: str, before: list[str], after: list[str]) -> list[Change]:
    """Rows removed and rows added, each once per copy; a removed row and an added one in the
    same place are shown as one change."""
    removed = list((Counter(before) - Counter(after)).elements())
    added = list((Counter(after) - Counter(before)).elements())
    removed.sort(key=before.index)
    added.sort(key=after.index)
    pairs = min(len(removed), len(added))
    return (
        [Change(label=label, before=b, after=a) for b, a in zip(removed, added, strict=False)]
        + [Change(label=label, before=b, after="") for b in removed[pairs:]]
        + [Change(label=label, before="", after=a) for a in added[pairs:]]
    )


def _events_changed(before: list[dict], after: list[dict]) -> list[Change]:
    """Events compared year by year, in the order of the years."""
    years = sorted({e.get("year_index") for e in before} | {e.get("year_index") for e in after})
    changes = []
    for year in years:
        changes += _rows_changed(
            _("Planned event, year %(year)s") % {"year": year},
            [_event_line(e) for e in before if e.get("year_index") == year],
            [_event_line(e) for e in after if e.get("year_index") == year],
        )
    return changes


def application_submission_changes(
    before: dict, after: dict, *, definition: dict | None = None
) -> list[Change]:
    """What changed from one submission to the next, field by field, with the labels of the
    form the application is filed with (Tomsk's when not given)."""
    changes = []
    for field in formdef.fields_of(definition or regulations.TOMSK_FORM):
        name = field["name"]
        old = _field_shown(field, before.get("fields", {}).get(name))
        new = _field_shown(field, after.get("fields", {}).get(name))
        if old != new:
            label = capfirst(formdef.text(field.get("label")))
            changes.append(Change(label=label, before=old, after=new))
    changes += _events_changed(before.get("events", []), after.get("events", []))
    changes += _rows_changed(
        _("Attachment"),
        [a["title"] for a in before.get("attachments", [])],
        [a["title"] for a in after.get("attachments", [])],
    )
    return changes


@dataclass
class SubmissionRow:
    submission: object
    document: object  # the registered application (documents.Document) or None
    version: object  # the PDF rendered from this submission, None until it is ready
    state: str  # "ready", "preparing", "failed" or "superseded"
    changes: list[Change]


def application_submissions(application: Application) -> list[SubmissionRow]:
    """Every submission of the case, newest first, with its version of the print form and what
    changed since the one before."""
    submissions = list(
        application.submissions.select_related(
            "submitted_by", "render__version", "render__document"
        ).order_by("number")
    )
    rows, previous = [], None
    for submission in submissions:
        render = submission.render
        if render is None or render.state == RenderRequest.State.FAILED:
            state = "failed"
        elif render.version_id:
            state = "ready"
        elif render.state == RenderRequest.State.PENDING:
            state = "preparing"
        else:
            state = "superseded"
        rows.append(
            SubmissionRow(
                submission=submission,
                document=render.document if render else None,
                version=render.version if render else None,
                state=state,
                changes=application_submission_changes(
                    previous.data, submission.data, definition=application_definition(application)
                )
                if previous
                else [],
            )
        )
        previous = submission
    return rows[::-1]


def applications_awaiting_order(user) -> list[Application]:
    """Cases waiting for the department's order that this official may take (the open `approve`
    step is theirs or nobody's), by programme and registration number, with any draft order."""
    if not user.has_perm("workflows.approve_application"):
        return []
    process_ids = [t.process_id for t in task_visible_qs(user) if t.flow_task.name == "approve"]
    return list(
        application_visible_qs(user)
        .filter(process_id__in=process_ids, state=Application.State.AT_DEPARTMENT)
        .select_related("order__document")
        .order_by("program__title", "reg_date", "pk")
    )


def order_for_official(*, user, order_id: int) -> Order | None:
    """A drafted order for a department official who may see every case it lists, else None
    (others' orders answer like missing ones)."""
    if not user.has_perm("workflows.approve_application"):
        return None
    order = (
        Order.objects.select_related("program", "document", "signed_by")
        .filter(pk=order_id, document__isnull=False)
        .first()
    )
    if order is None:
        return None
    listed = order.listed_applications.all()
    if (
        not listed.exists()
        or application_visible_qs(user).filter(pk__in=listed.values("pk")).count() != listed.count()
    ):
        return None
    return order


def order_rows(order: Order) -> list[dict]:
    """The cases an order lists, with whether each still belongs to it and waits for approval."""
    rows = []
    for application in order.listed_applications.select_related("organisation").order_by("pk"):
        rows.append(
            {
                "application": application,
                "label": application_state_label(application),
                "in_order": application.order_id == order.pk,
            }
        )
    return rows
