"""HTML pages. Thin: parse input, call one service or selector, render. Rules live in services."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from viewflow.workflow import chart
from viewflow.workflow.models import Task

from audit.services import audit_personal_data_read
from core.downloads import attachment_response
from core.errors import DocketError
from core.forms import error_summary, errors_summary_from
from documents import services as document_services
from documents.downloads import version_response
from programmes import services as programme_services
from programmes.models import ReviewShape

from . import selectors, services
from .flows import FLOW_OF_SHAPE, flow_for_program
from .forms import STEP_FORMS, AttachmentForm, PlannedEventFormSet, application_form_class
from .models import Application


def _visible_application(request, pk) -> Application:
    """404 for anything the user may not see: others' cases are not even confirmed to exist."""
    return get_object_or_404(selectors.application_visible_qs(request.user), pk=pk)


def _log_personal_data_shown(request, application) -> None:
    audit_personal_data_read(
        actor=request.user, obj=application, fields=selectors.PERSONAL_FIELDS, channel="page"
    )


def _visible_task(request, pk) -> Task:
    task = selectors.task_of_visible_application(user=request.user, task_id=pk)
    if task is None:
        raise Http404
    return task


def _errors_to_messages(request, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field_errors in exc.message_dict.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        for message in exc.messages:
            messages.error(request, message)


@login_required
def home(request):
    """Each role lands where its work is: staff with steps in the inbox, others on their cases."""
    from councils.selectors import user_sits_on_a_council

    user = request.user
    if user_sits_on_a_council(user):
        return redirect("council-list")
    if any(user.has_perm(p) for p in selectors.STEP_PERMISSIONS):
        return redirect("task-list")
    if (
        user.has_perm(selectors.SEE_ALL)
        or selectors.organisations_of(user).exists()
        or selectors.programs_open_to(user).exists()
    ):
        return redirect("application-list")
    return redirect("registry")


@login_required
def application_list(request):
    applications = selectors.application_visible_qs(request.user).prefetch_related("status")
    rows = [
        {
            "application": a,
            "label": selectors.application_state_label(a),
            "holder": selectors.application_holder(a),
        }
        for a in applications
    ]
    return render(
        request,
        "workflows/application_list.html",
        {"rows": rows, "can_create": selectors.programs_open_to(request.user).exists()},
    )


def _program_chosen(programs, chosen):
    """The programme a new application is for: the one asked for, else the first open one."""
    if str(chosen or "").isdigit():
        found = programs.filter(pk=chosen).first()
        if found is not None:
            return found
    return programs.order_by("title").first()


def _events_term(application, programs, chosen) -> int:
    """The years the plan offers (see selectors.plan_years_for)."""
    if application is not None:
        return selectors.plan_years_for(application.program)
    program = programs.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    return selectors.plan_years_for(program)


# Where a completeness error that is no field of the form points on the page.
_COMPLETENESS_ANCHORS = {
    "planned_events": (gettext_lazy("Planned events"), "events"),
    "attachments": (gettext_lazy("Attachments"), ""),
}


def _summary_context(application) -> dict:
    """What the case's summary lays out from its form version: the answers, and whether the
    form has a plan of events."""
    return {
        "answers_shown": selectors.application_answers_shown(application),
        "has_events": bool(selectors.application_definition(application).get("events")),
    }


def _application_form_page(request, application=None):
    """Create and edit share one page: Приложение 1 with its planned events. A draft is saved
    with whatever is filled (completeness is checked on submit); every error is listed at the
    top with a link to its field."""
    organisations = selectors.organisations_of(request.user).filter(person__isnull=True)
    programs = selectors.programs_open_to(request.user)
    data = request.POST if request.method == "POST" else None
    chosen = request.POST.get("program") or request.GET.get("program")
    term = _events_term(application, programs, chosen)
    if application is not None:
        version = application.form_version
        initial = selectors.application_answers(application)
    else:
        program = _program_chosen(programs, chosen)
        version = programme_services.current_form(program) if program else None
        initial = None
    switched = (
        application is None
        and data is not None
        and version is not None
        and data.get("form_version", str(version.pk)) != str(version.pk)
    )
    if switched:
        # The programme was changed in the select after the page showed another programme's
        # form: nothing is saved; the chosen programme's form comes back with the answers its
        # fields share, and says so.
        form_class = application_form_class(version)
        initial = {name: data.get(name) for name in form_class.base_fields if data.get(name)}
        data = None
        messages.warning(
            request,
            _(
                "The form below is the one of the programme you chose; it differs from the "
                "form you filled in. Nothing is saved yet: check the answers and save."
            ),
        )
    form = application_form_class(version)(data, initial=initial)
    has_events = bool(form.definition.get("events"))
    # A form without a plan of events (another programme's) has no formset on the page.
    formset = (
        PlannedEventFormSet(data, instance=application, prefix="events", term_years=term)
        if has_events
        else None
    )
    summary, summary_title = [], ""
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        fields = dict(form.cleaned_data)
        try:
            if application is None:
                program = get_object_or_404(programs, pk=request.POST.get("program"))
                # A person applies in his own name: the page asks for no organisation.
                organisation = (
                    None
                    if program.for_persons
                    else get_object_or_404(organisations, pk=request.POST.get("organisation"))
                )
                application = services.application_create(
                    user=request.user,
                    organisation=organisation,
                    program=program,
                    fields=fields,
                    events=formset.events() if formset else [],
                )
            else:
                services.application_update(
                    application_id=application.pk,
                    user=request.user,
                    fields=fields,
                    events=formset.events() if formset else None,
                )
        except DocketError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The application is saved."))
            return redirect("application-detail", application.pk)
    elif request.method == "POST":
        summary = error_summary(form, *([formset] if formset else []))
    elif application is not None and request.GET.get("check"):
        # Back from a refused submission: what is still missing, each with a link to it.
        summary = errors_summary_from(
            selectors.application_completeness_errors(application),
            form=form,
            anchors=_COMPLETENESS_ANCHORS,
        )
        summary_title = _("The application is not complete yet: correct these fields")
    return render(
        request,
        "workflows/application_form.html",
        {
            "form": form,
            "formset": formset,
            "has_events": has_events,
            "application": application,
            "organisations": organisations,
            "programs": programs,
            "program_chosen": None if application else _program_chosen(programs, chosen),
            "form_version": None if application else version,
            "error_summary": summary,
            "error_summary_title": summary_title,
        },
    )


@login_required
def application_create(request):
    if not selectors.programs_open_to(request.user).exists():
        raise Http404
    return _application_form_page(request)


@login_required
def application_edit(request, pk):
    application = _visible_application(request, pk)
    if not selectors.application_can_edit(application=application, user=request.user):
        messages.error(request, _("This application can no longer be changed."))
        return redirect("application-detail", pk)
    return _application_form_page(request, application)


@login_required
def application_detail(request, pk):
    application = _visible_application(request, pk)
    _log_personal_data_shown(request, application)
    task = selectors.application_open_task(application)
    my_task = (
        task
        if task
        and (
            task.owner_id == request.user.pk
            or (not task.owner_id and task.flow_task.can_assign(request.user, task))
        )
        else None
    )
    return render(
        request,
        "workflows/application_detail.html",
        {
            "application": application,
            "label": selectors.application_state_label(application),
            "holder": selectors.application_holder(application),
            "timeline": selectors.application_timeline(application),
            "can_edit": selectors.application_can_edit(application=application, user=request.user),
            "attach_form": AttachmentForm(
                kinds=selectors.application_attachment_asked(application)
            ),
            "attachments_asked": selectors.application_attachment_asked(application),
            "my_task": my_task,
            "decisions": application.council_decisions.all(),
            "case_documents": selectors.application_documents(application),
            "submissions": selectors.application_submissions(application),
            **_summary_context(application),
        },
    )


@login_required
@require_POST
def application_submit(request, pk):
    application = _visible_application(request, pk)
    try:
        application = services.application_submit(application_id=application.pk, user=request.user)
    except ValidationError:
        # The form page lists what is missing, each line linked to its field.
        return redirect(f"{reverse('application-edit', args=[pk])}?check=1")
    except DocketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The application is submitted and registered under No. %(number)s.")
            % {"number": application.reg_number},
        )
    return redirect("application-detail", pk)


@login_required
@require_POST
def application_attach(request, pk):
    application = _visible_application(request, pk)
    form = AttachmentForm(
        request.POST, request.FILES, kinds=selectors.application_attachment_asked(application)
    )
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("application-detail", pk)
    try:
        services.application_attach(
            application_id=application.pk,
            user=request.user,
            uploaded=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except DocketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The file is attached."))
    return redirect("application-detail", pk)


@login_required
def attachment_download(request, pk, document_id):
    """Files may hold personal data (152-ФЗ): every download is checked and logged."""
    application = _visible_application(request, pk)
    document = get_object_or_404(application.attachments.all(), pk=document_id)
    version = document.current_version
    document_services.version_download_record(version=version, user=request.user)
    return version_response(version)


# viewflow draws its charts with an inline style sheet and style attributes; they are images of
# our own flow, scriptless, so only they may carry inline style (and no script at all).
chart_policy = csp_replace({"style-src": [SELF, UNSAFE_INLINE], "script-src": [NONE]})


@login_required
@chart_policy
def application_chart(request, pk):
    application = _visible_application(request, pk)
    # The flow the case runs on; a draft is shown the one its programme would start it on.
    flow_class = (
        application.process.flow_class
        if application.process_id
        else flow_for_program(application.program)
    )
    grid = chart.calc_layout_data(flow_class)
    if application.process_id:
        chart.calc_cell_status(flow_class, grid, application.process_id)
    return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")


@login_required
@chart_policy
def flow_chart(request):
    """A review shape as SVG (?shape=check_council; the department's by default), or as BPMN
    2.0 XML with ?format=bpmn."""
    shape = request.GET.get("shape") or ReviewShape.CHECK_COUNCIL_ORDER
    if shape not in FLOW_OF_SHAPE:
        raise Http404
    grid = chart.calc_layout_data(FLOW_OF_SHAPE[shape])
    if request.GET.get("format") == "bpmn":
        return attachment_response(
            chart.grid_to_bpmn(grid).encode(),
            filename=f"application_review_{shape}.bpmn",
            content_type="application/xml",
        )
    return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")


@login_required
def task_list(request):
    tasks = list(selectors.task_visible_qs(request.user))
    apps = {
        a.process_id: a
        for a in Application.objects.filter(
            process_id__in=[t.process_id for t in tasks]
        ).select_related("organisation")
    }
    rows = [{"task": t, "application": apps.get(t.process_id)} for t in tasks]
    return render(
        request,
        "workflows/task_list.html",
        {
            "mine": [r for r in rows if r["task"].owner_id == request.user.pk],
            "queue": [r for r in rows if not r["task"].owner_id],
            "can_issue_orders": request.user.has_perm("workflows.approve_application"),
            "review_shapes": ReviewShape.choices,
        },
    )


@login_required
def task_detail(request, pk):
    task = _visible_task(request, pk)
    application = selectors.task_application(task)
    if task.status not in selectors.OPEN_TASK_STATUSES:
        messages.info(request, _("This step is already done."))
        return redirect("application-detail", application.pk)
    form_class = STEP_FORMS.get(task.flow_task.name)
    if form_class is None:
        messages.info(
            request,
            _(
                "Nobody acts on this step here: the case waits for a council meeting or for the system."
            ),
        )
        return redirect("application-detail", application.pk)
    # Only the step's own form is bound: a failed claim must not show the decision's errors.
    completing = request.method == "POST" and request.POST.get("action") == "complete"
    form = form_class(request.POST if completing else None)
    if request.method == "GET":
        _log_personal_data_shown(request, application)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "claim":
                services.task_claim(task_id=task.pk, user=request.user)
                messages.success(request, _("The step is yours now."))
                return redirect("task-detail", task.pk)
            if request.POST.get("action") == "draft_order":
                services.order_draft(application_id=application.pk, user=request.user)
                messages.success(
                    request, _("The order is registered; its PDF is being prepared for signing.")
                )
                return redirect("task-detail", task.pk)
            if request.POST.get("action") == "sign_approve":
                services.order_sign_and_approve(application_id=application.pk, user=request.user)
                messages.success(
                    request, _("The order is signed and the decision approved; the status follows.")
                )
                return redirect("application-detail", application.pk)
            if form.is_valid():
                services.task_complete(task_id=task.pk, user=request.user, data=form.cleaned_data)
                messages.success(request, _("Done. The case has moved to the next step."))
                return redirect("task-list")
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        except DocketError as exc:
            messages.error(request, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except Task.DoesNotExist as exc:
            raise Http404 from exc
    return render(
        request,
        "workflows/task_detail.html",
        {
            "task": task,
            "application": application,
            "form": form,
            "label": selectors.application_state_label(application),
            "timeline": selectors.application_timeline(application),
            "decisions": application.council_decisions.all(),
            "can_claim": not task.owner_id and task.flow_task.can_assign(request.user, task),
            "is_mine": task.owner_id == request.user.pk,
            "order": application.order if task.flow_task.name == "approve" else None,
            "has_certificate": document_services.signer_certificate_current(request.user)
            is not None,
            "case_documents": selectors.application_documents(application),
            "submissions": selectors.application_submissions(application),
            **_summary_context(application),
            "error_summary": error_summary(form) if completing else [],
        },
    )


def _require_official(user) -> None:
    if not user.has_perm("workflows.approve_application"):
        raise PermissionDenied(_("Only a department official may issue the order."))


def _selected_ids(request) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist("applications")]
    except ValueError as exc:
        raise Http404 from exc


@login_required
def order_prepare(request):
    """The department official picks the cases one order (распоряжение) will approve."""
    _require_official(request.user)
    if request.method == "POST":
        try:
            order = services.order_draft_for_cases(
                application_ids=_selected_ids(request), user=request.user
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        except DocketError as exc:
            messages.error(request, exc.message)
        except Application.DoesNotExist as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("The order is registered; its PDF is being prepared for signing.")
            )
            return redirect("order-detail", order.pk)
        return redirect("order-prepare")
    return render(
        request,
        "workflows/order_prepare.html",
        {"applications": selectors.applications_awaiting_order(request.user)},
    )


@login_required
def order_detail(request, pk):
    """A drafted order with the cases it lists; signing it approves them all at once."""
    order = selectors.order_for_official(user=request.user, order_id=pk)
    if order is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") != "sign_approve":
            raise Http404
        try:
            services.order_sign_and_approve_cases(order_id=order.pk, user=request.user)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        except DocketError as exc:
            messages.error(request, exc.message)
        except (Application.DoesNotExist, Task.DoesNotExist) as exc:
            raise Http404 from exc
        else:
            messages.success(
                request,
                _("The order is signed and the decisions approved; the statuses follow."),
            )
        return redirect("order-detail", order.pk)
    document = order.document
    return render(
        request,
        "workflows/order_detail.html",
        {
            "order": order,
            "document": document,
            "version": document.current_version,
            "signed": document.signatures.exists(),
            "rows": selectors.order_rows(order),
            "has_certificate": document_services.signer_certificate_current(request.user)
            is not None,
        },
    )
