"""What a status's life tells whom. Called inside the transaction of the change (the outbox
rule of DESIGN.md); dedup keys are built from ids, so a sweep that runs twice tells nobody twice.
Texts are Russian, like every letter of Docket."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from applications.notify import applicants
from core.i18n import in_russian
from core.urls import absolute_url
from notifications.models import Kind
from notifications.services import notify
from programmes import access
from programmes.access import APPROVE, CHECK, DECIDE

from . import selectors
from .models import Status


def _link(name: str, pk: int) -> str:
    return absolute_url(reverse(name, args=[pk]))


def _d(day) -> str:
    return day.strftime("%d.%m.%Y")


def _send(*, recipients, kind, subject, message, details=(), url, dedup_key):
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        template="status_notice",
        context={"message": message, "details": list(details)},
        url=url,
        dedup_key=dedup_key,
    )


def _duty_words(duty) -> dict:
    return {
        "duty": str(duty),
        "org": duty.status.organisation.short_name,
        "date": _d(duty.due_date),
    }


@in_russian
def duty_reminder(*, duty, working_days: int) -> None:
    words = _duty_words(duty)
    _send(
        recipients=selectors.status_holders(duty.status),
        kind=Kind.DEADLINE_APPROACHING,
        subject=_("%(duty)s is due on %(date)s") % words,
        message=_(
            "%(org)s: the %(duty)s is due on %(date)s (in %(days)s working days). "
            "Send it in Docket before the deadline."
        )
        % {**words, "days": working_days},
        url=_link("duty-detail", duty.pk),
        dedup_key=f"duty:{duty.pk}:remind:{working_days}",
    )


@in_russian
def duty_missed(*, duty) -> None:
    words = _duty_words(duty)
    people = [
        *selectors.status_holders(duty.status),
        *access.staff_serving(CHECK, duty.status.program_id),
    ]
    _send(
        recipients=people,
        kind=Kind.DEADLINE_MISSED,
        subject=_("%(org)s: %(duty)s not submitted by %(date)s") % words,
        message=_(
            "%(org)s has not submitted the %(duty)s due on %(date)s. If it is not sent within "
            "the grace period, the council will be told."
        )
        % words,
        url=_link("duty-detail", duty.pk),
        dedup_key=f"duty:{duty.pk}:missed",
    )


@in_russian
def duty_escalated(*, duty) -> None:
    words = _duty_words(duty)
    people = [
        *access.staff_serving(DECIDE, duty.status.program_id),
        *access.staff_serving(CHECK, duty.status.program_id),
        *selectors.status_holders(duty.status),
    ]
    _send(
        recipients=people,
        kind=Kind.DEADLINE_MISSED,
        subject=_("For the council: %(org)s has not submitted the %(duty)s") % words,
        message=_(
            "The %(duty)s of %(org)s was due on %(date)s and is still missing after the grace "
            "period. The question goes to the council's agenda."
        )
        % words,
        url=_link("duty-detail", duty.pk),
        dedup_key=f"duty:{duty.pk}:escalated",
    )


@in_russian
def duty_submitted(*, duty, submission, event) -> None:
    words = _duty_words(duty)
    _send(
        recipients=access.staff_serving(CHECK, duty.status.program_id),
        kind=Kind.TASK_ASSIGNED,
        subject=_("To check: %(duty)s of %(org)s") % words,
        message=_("%(org)s has sent the %(duty)s. Check it and accept it or return it.") % words,
        url=_link("duty-detail", duty.pk),
        dedup_key=f"duty:{duty.pk}:submitted:{event.pk}",
    )


@in_russian
def duty_reviewed(*, duty, submission, event) -> None:
    """Tell the holder of a return or the council's acceptance; tell the secretary that a
    checked submission waits for the council."""
    words = _duty_words(duty)
    url = _link("duty-detail", duty.pk)
    if event.action == "duty.accept":
        _send(
            recipients=access.staff_serving(DECIDE, duty.status.program_id),
            kind=Kind.TASK_ASSIGNED,
            subject=_("For the council: %(duty)s of %(org)s") % words,
            message=_("A methodist has checked the %(duty)s of %(org)s; it waits for the council.")
            % words,
            url=url,
            dedup_key=f"duty:{duty.pk}:to_council:{event.pk}",
        )
        return
    if event.action == "duty.council_accept":
        subject = _("The council accepted the %(duty)s") % words
        message = _("The council accepted the %(duty)s of %(org)s.") % words
    else:
        subject = _("The %(duty)s is returned for revision") % words
        message = _("The %(duty)s of %(org)s is returned for revision: %(comment)s") % {
            **words,
            "comment": event.comment,
        }
    _send(
        recipients=selectors.status_holders(duty.status),
        kind=Kind.DUTY_REVIEWED,
        subject=subject,
        message=message,
        url=url,
        dedup_key=f"duty:{duty.pk}:reviewed:{event.pk}",
    )


@in_russian
def renewal_invited(*, status) -> None:
    words = {"org": status.organisation.short_name, "date": _d(status.valid_until)}
    _send(
        recipients=selectors.status_holders(status),
        kind=Kind.STATUS_EXPIRING,
        subject=_("The status of %(org)s ends on %(date)s: apply for renewal") % words,
        message=_(
            "The status of %(org)s is valid until %(date)s. To keep it without a break, apply "
            "for renewal in Docket: the application is filled in from the status and carries "
            "its reports."
        )
        % words,
        url=_link("status-detail", status.pk),
        dedup_key=f"status:{status.pk}:renewal_invite:{status.valid_until.isoformat()}",
    )


STATUS_SUBJECTS = {
    "status.expire": gettext_noop("The status of %(org)s has expired"),
    "status.terminate": gettext_noop("The status of %(org)s is terminated"),
    "status.renewal_grant": gettext_noop("The status of %(org)s is renewed until %(date)s"),
    "status.renewal_refuse": gettext_noop("The renewal of the status of %(org)s is refused"),
    "status.suspend": gettext_noop("The status of %(org)s is suspended"),
    "status.resume": gettext_noop("The status of %(org)s is resumed"),
}


@in_russian
def status_moved(*, status, event) -> None:
    """Holders and methodists hear of every change of the status that matters to them."""
    template = STATUS_SUBJECTS.get(event.action)
    if template is None:
        return
    words = {"org": status.organisation.short_name, "date": _d(status.valid_until)}
    subject = _(template) % words
    details = [
        _("State: %(state)s.") % {"state": status.get_state_display().lower()},
        _("Valid until: %(date)s.") % words,
    ]
    if event.comment:
        details.append(_("Reason: %(reason)s") % {"reason": event.comment})
    _send(
        recipients=[
            *selectors.status_holders(status),
            *access.staff_serving(CHECK, status.program_id),
        ],
        kind=Kind.STATUS_CHANGED,
        subject=subject,
        message=subject + ".",
        details=details,
        url=_link("status-detail", status.pk),
        dedup_key=f"status:{status.pk}:{event.action}:{event.pk}",
    )


TERMINATION_SUBJECTS = {
    "termination.request": gettext_noop("%(org)s asks to terminate its status early"),
    "termination.raise": gettext_noop(
        "The early termination of the status of %(org)s is brought before the council"
    ),
    "termination.council_terminate": gettext_noop(
        "The council terminated the status of %(org)s early"
    ),
    "termination.council_propose": gettext_noop(
        "The council proposes to terminate the status of %(org)s"
    ),
    "termination.council_support": gettext_noop(
        "The council supports the early termination of the status of %(org)s"
    ),
    "termination.council_reject": gettext_noop(
        "The council rejected the early termination of the status of %(org)s"
    ),
    "termination.approve": gettext_noop("The early termination of %(org)s is approved by order"),
    "termination.department_reject": gettext_noop(
        "The department refused the early termination of the status of %(org)s"
    ),
}


@in_russian
def termination_moved(*, case, event) -> None:
    """Who acts next hears of it (the council, then the department); the holders hear of
    every step of their case."""
    status = case.status
    words = {"org": status.organisation.short_name}
    subject = _(TERMINATION_SUBJECTS[event.action]) % words
    people = list(selectors.status_holders(status)) + list(
        access.staff_serving(CHECK, status.program_id)
    )
    if case.state == case.State.AT_COUNCIL:
        people += list(access.staff_serving(DECIDE, status.program_id))
    elif case.state == case.State.AT_DEPARTMENT:
        people += list(access.staff_serving(APPROVE, status.program_id))
    details = [
        _("Grounds: %(grounds)s.") % {"grounds": case.grounds_label},
        _("Reason: %(reason)s") % {"reason": case.reason},
    ]
    if event.comment and event.comment != case.reason:
        details.append(event.comment)
    _send(
        recipients=people,
        kind=Kind.STATUS_CHANGED,
        subject=subject,
        message=subject + ".",
        details=details,
        url=_link("status-detail", status.pk),
        dedup_key=f"termination:{case.pk}:{event.action}:{event.pk}",
    )


@in_russian
def problem_moved(*, notice, event) -> None:
    status = notice.status
    words = {"org": status.organisation.short_name}
    proposal = notice.kind == notice.Kind.PROPOSAL
    if event.action == "problem.report":
        subject = (
            _("%(org)s makes a proposal to the council")
            if proposal
            else _("%(org)s reports a problem of its platform")
        ) % words
        people = [
            *access.staff_serving(DECIDE, status.program_id),
            *access.staff_serving(CHECK, status.program_id),
        ]
        message = notice.description
    else:
        subject = (
            _("The council considered the proposal of %(org)s")
            if proposal
            else _("The council considered the problem reported by %(org)s")
        ) % words
        people = list(selectors.status_holders(status))
        message = notice.council_decision
    _send(
        recipients=people,
        kind=Kind.STATUS_CHANGED,
        subject=subject,
        message=message,
        url=_link("status-detail", status.pk),
        dedup_key=f"problem:{notice.pk}:{event.action}:{event.pk}",
    )


@in_russian
def network_report_moved(*, report, event) -> None:
    if event.action == "network_report.compile":
        subject = _("For the council: the network's report %(year)s is compiled")
        people = [
            *access.staff_serving(DECIDE, report.program_id),
            *access.staff_serving(CHECK, report.program_id),
        ]
    else:
        subject = _("The council accepted the network's report %(year)s")
        people = list(access.staff_serving(CHECK, report.program_id))
    from applications.rules import academic_year_label

    subject = subject % {"year": academic_year_label(report.academic_year)}
    _send(
        recipients=people,
        kind=Kind.TASK_ASSIGNED
        if event.action == "network_report.compile"
        else Kind.DECISION_TAKEN,
        subject=subject,
        message=subject + ".",
        url=_link("network-report-detail", report.pk),
        dedup_key=f"network_report:{report.pk}:{event.action}:{event.pk}",
    )


SWEEP_TITLES = {
    "expire": gettext_noop("Expiry of statuses"),
    "renewal_invite": gettext_noop("Invitations to renew"),
    "remind": gettext_noop("Deadline reminders"),
    "missed": gettext_noop("Missed-deadline notices"),
    "escalate": gettext_noop("Escalation of missed duties to the council"),
}


def sweep_administrators() -> list:
    """Who is told that a sweep gave up on a row: active staff (they see /monitoring/) who may
    send it round again there, superusers included."""
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("pk")
    return [user for user in staff if user.has_perm("statuses.change_sweepfailure")]


@in_russian
def sweep_failed(*, failure, event) -> None:
    """A status sweep failed on one row STATUS_SWEEP_MAX_ATTEMPTS times and gave up on it:
    the administrators hear of it with the error and a link to the monitoring page."""
    title = _(SWEEP_TITLES.get(failure.sweep, failure.sweep))
    notify(
        recipients=sweep_administrators(),
        kind=Kind.JOB_FAILED,
        subject=_("Periodic work “%(sweep)s” failed on %(row)s")
        % {"sweep": title, "row": f"{failure.model} #{failure.object_id}"},
        template="job_failed",
        context={
            "application": None,
            "step": title,
            "error": failure.last_error,
            "attempts": failure.attempts,
        },
        url=absolute_url(reverse("monitoring")),
        dedup_key=f"status_sweep:{failure.pk}:failed:{event.pk}",
    )


@in_russian
def status_granted(*, status: Status) -> None:
    """The status is in the registry (a background job after the order): say until when."""
    application = status.application
    notify(
        recipients=applicants(application),
        kind=Kind.STATUS_GRANTED,
        subject=_("Application %(number)s: status granted until %(date)s")
        % {
            "number": application.reg_number,
            "date": status.valid_until.strftime("%d.%m.%Y"),
        },
        template="status_granted",
        context={
            "application": application,
            "status": status,
            # The order, or the council's decision where the programme needs no order.
            "grounds": selectors.grant_grounds(application=application).text,
        },
        url=_link("application-detail", application.pk),
        dedup_key=f"status:{status.pk}:granted",
    )
