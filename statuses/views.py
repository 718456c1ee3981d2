"""Pages of a status's life. Thin: parse input, call one service or selector, render."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from viewflow.workflow.models import Task

from applications import jobs as flow_jobs
from applications import selectors as application_selectors
from applications.views import _errors_to_messages
from core.downloads import attachment_response
from core.errors import DocketError
from core.forms import error_summary, errors_to_forms
from core.ratelimit import rate_exceeded
from core.spreadsheets import SafeCsvWriter, xlsx_append
from programmes import access
from programmes.access import APPROVE, CHECK, DECIDE
from programmes.models import Program

from . import paper, reportform, selectors, services
from .forms import (
    CheckForm,
    FileForm,
    NetworkReportCompileForm,
    PaperSignatureForm,
    PartnerAddForm,
    ProblemForm,
    ProposalForm,
    RegistryFilterForm,
    SubmissionEventFormSet,
    SubmissionForm,
    TerminationDepartmentForm,
    TerminationRaiseForm,
    TerminationRequestForm,
)
from .models import (
    Agreement,
    Duty,
    NetworkReport,
    Status,
    Submission,
    SweepFailure,
    TerminationCase,
)


def council_extracts(user, rows) -> list:
    """The council's extracts linked to these rows that `user` may see, oldest first."""
    from documents.models import Document
    from documents.selectors import document_can_view, documents_of

    found = [
        d
        for row in rows
        for d in documents_of(row).filter(kind=Document.Kind.PROTOCOL_EXTRACT)
        if document_can_view(user=user, document=d)
    ]
    return sorted(found, key=lambda d: (d.created_at, d.pk))


def _visible_status(request, pk):
    return get_object_or_404(selectors.status_visible_qs(request.user), pk=pk)


@login_required
def status_detail(request, pk):
    """The status, its terms, its yearly duties and its whole history."""
    status = _visible_status(request, pk)
    today = timezone.localdate()
    is_holder = selectors.status_holders(status).filter(pk=request.user.pk).exists()
    user = request.user
    open_case = status.termination_cases.filter(state__in=TerminationCase.OPEN_STATES).first()
    return render(
        request,
        "statuses/status_detail.html",
        {
            "problems": status.problem_notices.all(),
            "terminations": status.termination_cases.select_related("order", "status__program"),
            "open_case": open_case,
            "problem_form": ProblemForm() if is_holder and status.is_live else None,
            "proposal_form": (
                ProposalForm()
                if is_holder and status.is_live and status.program.takes_proposals
                else None
            ),
            "request_form": (
                TerminationRequestForm()
                if is_holder and status.is_live and open_case is None
                else None
            ),
            "raise_form": (
                TerminationRaiseForm(program=status.program)
                if status.is_live
                and open_case is None
                and access.may(user, CHECK, status.program_id)
                else None
            ),
            "council_extracts": council_extracts(
                user, [*status.problem_notices.all(), *status.termination_cases.all()]
            ),
            "department_form": (
                TerminationDepartmentForm(initial={"case": open_case.pk})
                if open_case
                and open_case.state == TerminationCase.State.AT_DEPARTMENT
                and access.may(user, APPROVE, status.program_id)
                else None
            ),
            "status": status,
            "agreements": _agreement_rows(status, user),
            "partner_form": (
                PartnerAddForm()
                if status.is_live
                and status.program.drafts_agreement
                and access.may(user, CHECK, status.program_id)
                else None
            ),
            "terms": status.terms.select_related("order", "application"),
            "duties": status.duties.order_by("due_date"),
            "history": selectors.status_history(status),
            "open_renewal": selectors.status_open_renewal(status, user),
            "can_renew": is_holder and not services.renewal_refusal(status, today=today),
            "is_holder": is_holder,
            "today": today,
        },
    )


# action → (form, service call); the services check who may act.
STATUS_ACTIONS = {
    "problem": (
        ProblemForm,
        lambda request, status, data: services.problem_report(
            user=request.user, status_id=status.pk, **data
        ),
    ),
    "proposal": (
        ProposalForm,
        lambda request, status, data: services.problem_report(
            user=request.user, status_id=status.pk, kind="proposal", **data
        ),
    ),
    "termination_request": (
        TerminationRequestForm,
        lambda request, status, data: services.termination_request(
            user=request.user, status_id=status.pk, **data
        ),
    ),
    "termination_raise": (
        TerminationRaiseForm,
        lambda request, status, data: services.termination_raise(
            user=request.user, status_id=status.pk, **data
        ),
    ),
    "termination_department": (
        TerminationDepartmentForm,
        lambda request, status, data: services.termination_department_decide(
            user=request.user,
            case_id=get_object_or_404(TerminationCase, pk=data.pop("case"), status=status).pk,
            **data,
        ),
    ),
}


@login_required
@require_POST
def status_action(request, pk):
    """Problem notices and early termination: one POST endpoint, one service per action; the
    services check who may do what."""
    status = _visible_status(request, pk)
    entry = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if entry is None:
        raise Http404
    form_class, call = entry
    per_programme = {"program": status.program} if form_class is TerminationRaiseForm else {}
    form = form_class(request.POST, **per_programme)
    if not form.is_valid():
        _errors_to_messages(request, ValidationError(form.errors))
        return redirect("status-detail", pk=status.pk)
    try:
        call(request, status, dict(form.cleaned_data))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except DocketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("status-detail", pk=status.pk)


@login_required
@require_POST
def status_renew(request, pk):
    status = _visible_status(request, pk)
    try:
        application = services.renewal_application_create(user=request.user, status_id=status.pk)
    except DocketError as exc:
        messages.error(request, exc.message)
        return redirect("status-detail", pk=status.pk)
    messages.success(request, _("A renewal application is drafted from the status; check it."))
    return redirect("application-edit", pk=application.pk)


def _events_from(formset) -> list[dict]:
    fields = ("title", "planned", "held_on", "participants", "result", "deviation", "reason")
    return [
        {
            k: f.cleaned_data.get(k) if k in ("held_on", "participants") else f.cleaned_data[k]
            for k in fields
        }
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


@login_required
def duty_detail(request, pk):
    """A plan or report: the holder fills and sends it; a methodist checks it; the council
    decides it at a meeting (its extract shows here once the protocol is signed)."""
    duty = get_object_or_404(selectors.duty_visible_qs(request.user), pk=pk)
    is_report = duty.kind == Duty.Kind.REPORT
    is_holder = selectors.status_holders(duty.status).filter(pk=request.user.pk).exists()
    open_submission = selectors.submission_open_for(duty)
    report_class = (
        reportform.form_class(reportform.of_schedule(selectors.schedule_for(duty.status.program)))
        if is_report
        else None
    )
    form = SubmissionForm()
    report = report_class() if report_class else None
    # Where the programme asks no yearly plan, the report's events are optional and have no
    # planned date.
    planned = duty.kind == Duty.Kind.PLAN or selectors.schedule_for(duty.status.program).asks_plan
    formset = SubmissionEventFormSet(prefix="events", form_kwargs={"planned_required": planned})
    file_form = FileForm()
    summary = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit" and is_holder:
                form = SubmissionForm(request.POST)
                report = report_class(request.POST) if report_class else None
                formset = SubmissionEventFormSet(
                    request.POST, prefix="events", form_kwargs={"planned_required": planned}
                )
                file_form = FileForm(request.POST, request.FILES)
                forms_ = [f for f in (form, report, formset, file_form) if f is not None]
                if all([f.is_valid() for f in forms_]):
                    upload = file_form.cleaned_data.get("file")
                    try:
                        services.submission_create(
                            user=request.user,
                            duty_id=duty.pk,
                            fields={**form.cleaned_data, **(report.cleaned_data if report else {})},
                            events=_events_from(formset),
                            files=[upload] if upload else [],
                        )
                    except ValidationError as exc:
                        # What the report still lacks goes beside its field, as on the page.
                        errors_to_forms(request, exc, form, report)
                    else:
                        messages.success(request, _("Sent. A methodist will check it."))
                        return redirect("duty-detail", pk=duty.pk)
                summary = error_summary(*forms_)
            elif action == "check" and open_submission:
                check = CheckForm(request.POST)
                if check.is_valid():
                    services.submission_check(
                        user=request.user, submission_id=open_submission.pk, **check.cleaned_data
                    )
                    return redirect("duty-detail", pk=duty.pk)
                _errors_to_messages(request, ValidationError(check.errors))
            else:
                raise Http404
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        except DocketError as exc:
            messages.error(request, exc.message)
    can_check = (
        open_submission is not None
        and open_submission.state == Submission.State.AT_METHODIST
        and access.may(request.user, CHECK, duty.status.program_id)
    )
    submissions = list(duty.submissions.prefetch_related("events", "attachments"))
    for submission in submissions:
        submission.print_document = paper.submission_document(submission)
        submission.report = reportform.shown(submission) if is_report else None
    return render(
        request,
        "statuses/duty_detail.html",
        {
            "duty": duty,
            "submissions": submissions,
            "can_submit": is_holder and duty.state in Duty.OWED_STATES and duty.status.is_live,
            "form": form,
            "report_form": report,
            "events_optional": not planned,
            "formset": formset,
            "file_form": file_form,
            "error_summary": summary,
            "can_check": can_check,
            "check_form": CheckForm(),
            "council_extracts": council_extracts(request.user, [duty, *duty.submissions.all()]),
        },
    )


@login_required
def dashboard(request):
    """The methodist's month in one programme (?program=<code>, else the first they serve):
    due, overdue, waiting for a check or the council, expiring."""
    if not any(request.user.has_perm(p) for p in (CHECK, DECIDE, APPROVE)):
        raise Http404
    programs = selectors.dashboard_programs(request.user)
    if not programs:
        raise Http404
    code = request.GET.get("program", "")
    program = next((p for p in programs if p.code == code), None)
    if code and program is None:
        raise Http404  # another programme's dashboard looks missing
    program = program or programs[0]
    return render(
        request,
        "statuses/dashboard.html",
        {
            **selectors.methodist_dashboard(program=program, today=timezone.localdate()),
            "programs": programs,
            "council_waiting": council_waiting(program),
        },
    )


def council_waiting(program) -> list[dict]:
    """Per council of the programme: every case waiting for it (reports, problems, terminations, missed reports,
    applications, the network's report) and how many are on a meeting's agenda already."""
    from councils import selectors as council_selectors
    from councils.models import Council

    rows = []
    for council in (
        Council.objects.filter(program=program).select_related("program").order_by("name")
    ):
        on_agenda = (
            council_selectors.items_holding_cases()
            .filter(meeting__council=council, subject_id__isnull=False)
            .count()
        )
        rows.append(
            {
                "council": council,
                "cases": council_selectors.cases_waiting(council),
                "on_agenda": on_agenda,
            }
        )
    return rows


def _registry_filters(request):
    programs = list(Program.objects.order_by("title").values_list("code", "title"))
    form = RegistryFilterForm(request.GET or None, programs=programs)
    program_code, year = "", None
    if form.is_bound and form.is_valid():
        program_code = form.cleaned_data["program"] or ""
        year = form.cleaned_data["year"]
    qs = selectors.public_registry_qs(program_code=program_code, year=year)
    return form, qs


def _public_throttled(request):
    """The registry is public: a page or an export counts against the client's budget."""
    if not rate_exceeded(
        request, scope="public-registry", limit=settings.PUBLIC_REGISTRY_REQUESTS_PER_MINUTE
    ):
        return None
    response = render(request, "statuses/public_registry_throttled.html", status=429)
    response["Retry-After"] = "60"
    return response


def public_registry(request):
    """No login: the statuses in force, with public fields only (no people, no contacts)."""
    if throttled := _public_throttled(request):
        return throttled
    form, qs = _registry_filters(request)
    return render(
        request,
        "statuses/public_registry.html",
        {
            "form": form,
            "rows": selectors.public_registry_rows(qs),
            "query": request.GET.urlencode(),
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    return value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else value


def public_registry_export(request, fmt):
    """The same rows as the page, as CSV (UTF-8 with BOM, so Excel reads Cyrillic) or XLSX."""
    if throttled := _public_throttled(request):
        return throttled
    _form, qs = _registry_filters(request)
    rows = selectors.public_registry_rows(qs)
    header = [str(label) for _key, label in selectors.PUBLIC_COLUMNS]
    keys = [key for key, _label in selectors.PUBLIC_COLUMNS]
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = SafeCsvWriter(buffer, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row[k]) for k in keys])
        data, content_type = buffer.getvalue().encode(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = _("Registry")[:31]
        xlsx_append(sheet, header)
        for row in rows:
            xlsx_append(sheet, [row[k] for k in keys])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if hasattr(cell.value, "strftime"):
                    cell.number_format = "DD.MM.YYYY"
        out = io.BytesIO()
        book.save(out)
        data, content_type = out.getvalue(), XLSX
    else:
        raise Http404
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return attachment_response(data, filename=f"registry-{stamp}.{fmt}", content_type=content_type)


def _staff(request) -> None:
    if not any(request.user.has_perm(p) for p in (CHECK, DECIDE)):
        raise Http404


def _network_reports(user):
    """The network reports of the programmes the user serves; others' look missing."""
    return access.scoped(NetworkReport.objects.all(), user)


@login_required
def network_reports(request):
    """The network's yearly reports; a methodist compiles one from the accepted reports."""
    _staff(request)
    form = NetworkReportCompileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.network_report_compile(user=request.user, **form.cleaned_data)
        except DocketError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("network-report-detail", pk=report.pk)
    reports = list(_network_reports(request.user).select_related("program"))
    for report in reports:
        report.print_document = paper.network_report_document(report)
    return render(request, "statuses/network_reports.html", {"reports": reports, "form": form})


@login_required
@require_safe
def network_report_detail(request, pk):
    """The compiled report; the council accepts it only at a meeting (no decision here)."""
    _staff(request)
    report = get_object_or_404(_network_reports(request.user).select_related("program"), pk=pk)
    return render(
        request,
        "statuses/network_report_detail.html",
        {
            "report": report,
            "document": paper.network_report_document(report),
            "charts": selectors.network_report_charts(report.data),
            "council_extracts": council_extracts(request.user, [report]),
        },
    )


@login_required
def network_report_xlsx(request, pk):
    """The compiled figures as a workbook: one row per platform, the totals, the gaps."""
    _staff(request)
    report = get_object_or_404(_network_reports(request.user), pk=pk)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Platforms")[:31]
    names = selectors.NETWORK_COUNTS
    xlsx_append(
        sheet,
        [
            _("Organisation"),
            _("Topic"),
            _("Events held"),
            _("Young teachers taking part"),
            _("Schools taking part"),
            _("Mentors"),
            _("Outputs and publications"),
            _("Problems"),
            _("Proposals"),
        ],
    )
    for p in report.data.get("platforms", []):
        xlsx_append(
            sheet,
            [
                p["organisation"],
                p["topic"],
                *[p[n] for n in names],
                p["outputs"],
                p["problems"],
                p["proposals"],
            ],
        )
    totals = report.data.get("totals", {})
    xlsx_append(sheet, [_("Total"), "", *[totals.get(n, 0) for n in names]])
    missing = book.create_sheet(_("Not accepted")[:31])
    for row in report.data.get("missing", []):
        xlsx_append(missing, [row["organisation"], row["state"]])
    out = io.BytesIO()
    book.save(out)
    return attachment_response(
        out.getvalue(),
        filename=f"network-report-{report.academic_year}.xlsx",
        content_type=XLSX,
    )


# --- Cooperation agreements -------------------------------------------------------------------


def _agreement_rows(status, user) -> list[dict]:
    """Each agreement with its parties, who has signed, and what this user may do on it."""
    rows = []
    may_record = access.may(user, CHECK, status.program_id)
    for agreement in paper.agreements_of(status):
        signed = {s.signer_id: s for s in agreement.document.signatures.all()}
        parties = [
            {
                "party": p,
                "signature": signed.get(p.signer_id) if p.signer_id else None,
                "may_record_paper": (
                    may_record
                    and p.signer_id is None
                    and p.paper_signed_on is None
                    and agreement.state == Agreement.State.SIGNING
                    and agreement.document.render_state == "ready"
                ),
            }
            for p in agreement.parties.all()
        ]
        rows.append(
            {
                "agreement": agreement,
                "parties": parties,
                "may_sign": (
                    agreement.state == Agreement.State.SIGNING
                    and any(p.signer_id == user.pk for p in agreement.parties.all())
                    and user.pk not in signed
                    and agreement.document.render_state == "ready"
                ),
            }
        )
    return rows


def _visible_agreement(request, pk) -> Agreement:
    agreement = get_object_or_404(Agreement.objects.select_related("status"), pk=pk)
    if not paper.agreement_can_view(request.user, agreement):
        raise Http404
    return agreement


def _back(request, agreement):
    if selectors.status_visible_qs(request.user).filter(pk=agreement.status_id).exists():
        return redirect("status-detail", pk=agreement.status_id)
    return redirect("agreements-to-sign")


@login_required
def agreements_to_sign(request):
    """What waits for my signature: a partner's coordinator does not see the school's status,
    so this is where they find and sign the agreement."""
    rows = []
    for agreement in paper.agreements_to_sign(request.user):
        rows.append({"agreement": agreement, "ready": agreement.document.render_state == "ready"})
    return render(request, "statuses/agreements_to_sign.html", {"rows": rows})


@login_required
@require_POST
def agreement_sign(request, pk):
    agreement = _visible_agreement(request, pk)
    try:
        paper.agreement_sign(user=request.user, agreement_id=agreement.pk)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not sign this document."))
    except DocketError as exc:
        messages.error(request, exc.message)
    else:
        agreement.refresh_from_db()
        if agreement.state == Agreement.State.REGISTERED:
            messages.success(
                request,
                _("Signed. All parties have signed; the agreement is registered as No. %(number)s.")
                % {"number": agreement.document.reg_number},
            )
        else:
            messages.success(request, _("Signed. The agreement waits for the other parties."))
    return _back(request, agreement)


@login_required
@require_POST
def agreement_paper(request, pk):
    """A methodist records an outside partner's signature on the printed agreement."""
    agreement = _visible_agreement(request, pk)
    form = PaperSignatureForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, ValidationError(form.errors))
        return _back(request, agreement)
    party = get_object_or_404(agreement.parties, pk=form.cleaned_data["party"])
    try:
        paper.agreement_paper_signature_record(
            user=request.user, party_id=party.pk, signed_on=form.cleaned_data["signed_on"]
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except DocketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The paper signature is recorded."))
    return _back(request, agreement)


@login_required
@require_POST
def agreement_partner_add(request, pk):
    status = _visible_status(request, pk)
    form = PartnerAddForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, ValidationError(form.errors))
        return redirect("status-detail", pk=status.pk)
    try:
        supplement = paper.agreement_partner_add(
            user=request.user, status_id=status.pk, **form.cleaned_data
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except DocketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(agreement)s is drafted; every party signs it.") % {"agreement": supplement},
        )
    return redirect("status-detail", pk=status.pk)


REGISTER_PAGE_SIZE = 50


@login_required
@require_safe
def registry(request):
    """A programme's register of statuses in force (?program=<code>), page by page: staff see
    the programmes they serve, a holder his own status. Where persons hold the statuses their
    names are personal data: the page's read is logged (152-ФЗ)."""
    from django.core.paginator import Paginator

    from audit.services import audit_personal_data_list_read

    programs = list(selectors.register_programs(request.user))
    program = next((p for p in programs if p.code == request.GET.get("program")), None)
    program = program or (programs[0] if programs else None)
    page = rows = columns = None
    if program is not None:
        columns = selectors.register_columns(program)
        page = Paginator(selectors.register_qs(request.user, program), REGISTER_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = selectors.register_rows(page.object_list, columns)
        if program.for_persons and rows:
            audit_personal_data_list_read(
                actor=request.user,
                model=Status,
                ids=[row["status"].pk for row in rows],
                fields=["holder", *(c["name"] for c in columns)],
                channel="page",
            )
    return render(
        request,
        "workflows/registry.html",
        {
            "programs": programs,
            "program": program,
            "columns": columns,
            "rows": rows,
            "page": page,
            # The programme's own orders and Положение, to those who serve it.
            "documents": (
                program.documents.select_related("document")
                if program is not None and access.may(request.user, access.SEE_ALL, program.pk)
                else []
            ),
        },
    )


def _staff_only(user) -> None:
    if not user.is_staff:
        raise Http404


@login_required
def monitoring(request):
    """Failed and stuck background steps (flow jobs and status sweeps), for administrators, with
    retry and cancel. Here because statuses is the top of the layers: it sees both."""
    _staff_only(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sweep_retry":
                services.sweep_failure_retry(
                    failure_id=int(request.POST.get("failure", 0)), actor=request.user
                )
            else:
                action = {"retry": flow_jobs.job_retry, "cancel": flow_jobs.job_cancel}.get(
                    request.POST.get("action")
                )
                if action is None:
                    raise Http404
                action(task_id=int(request.POST.get("task", 0)), actor=request.user)
        except DocketError as exc:
            messages.error(request, exc.message)
        except (Task.DoesNotExist, SweepFailure.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Done."))
        return redirect("monitoring")
    context = application_selectors.flow_jobs_needing_attention()
    context["sweeps"] = selectors.sweep_failures_given_up()
    return render(request, "workflows/monitoring.html", context)
