"""The contexts of the case's print forms (documents/printforms), built from the case's rows.

Only what the printed document shows: the contexts are stored with the rendering request.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from core.i18n import in_russian

from . import selectors
from .models import Application, Direction, Order
from .status_port import status_lifecycle


def document_place(program) -> str:
    return program.document_place


def signer_context(user) -> dict:
    return {
        "signer_position": user.position or _("Department official"),
        "signer_name": short_name(user),
    }


def short_name(user) -> str:
    """«Орлова О. О.»: the form of a name under a signature."""
    initials = "".join(f"{part[0]}. " for part in (user.first_name, user.middle_name) if part)
    return f"{user.last_name} {initials}".strip() if user.last_name else user.get_full_name()


@in_russian
def application_context(application: Application) -> dict:
    program = application.program
    return {
        "authority": program.authority_name,
        "program_title": program.title,
        "status_name": program.status_name,
        "organisation": application.organisation.name,
        "organisation_short": application.organisation.short_name,
        "address": application.organisation.address,
        "topic": application.topic,
        "direction": str(Direction(application.direction).label) if application.direction else "",
        "goals": application.goals,
        "tasks": application.tasks,
        "expected_results": application.expected_results,
        "responsible_name": application.responsible_name,
        "responsible_position": application.responsible_position,
        "responsible_phone": application.responsible_phone,
        "responsible_email": application.responsible_email,
        "partners": [p.strip() for p in application.partners.splitlines() if p.strip()],
        "events": [
            {
                "year_index": e.year_index,
                "title": e.title,
                "timing": e.timing,
                "audience": e.audience,
            }
            for e in application.planned_events.all()
        ],
        "place": document_place(program),
        # The answers as the case's own form version lays them out (the engine's print form;
        # a programme's own template may use the named keys above instead).
        "by_person": application.organisation.person_id is not None,
        "sections": [
            {
                "title": section["title"],
                "rows": [{"label": r["label"], "value": r["value"]} for r in section["rows"]],
            }
            for section in selectors.application_answers_shown(application)
        ],
        "attachments": [d.title for d in application.attachments.all()],
    }


def _renewed_term(application: Application) -> tuple[date, date]:
    """A renewal extends the status: the order grants the term that follows the current one
    (from the day after it ends, as `status_renew` will enter it), not a term from its own date."""
    status = application.renews
    return status.valid_until + timedelta(days=1), status_lifecycle().renewed_term_end(status)


@in_russian
def order_context(*, order: Order, applications: list[Application], signer) -> dict:
    from . import rules

    program = order.program
    rows = []
    for application in applications:
        decision = application.council_decisions.first()
        if application.kind == Application.Kind.RENEWAL:
            valid_from, valid_until = _renewed_term(application)
        else:
            valid_from = order.date
            valid_until = rules.status_valid_until(
                order.date,
                term_years=program.status_term_years,
                start_month=program.academic_year_start_month,
            )
        rows.append(
            {
                "organisation": application.organisation.name,
                "topic": application.topic,
                "status_name": program.status_name,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "decision_date": decision.meeting_date if decision else None,
                "renewal": application.kind == Application.Kind.RENEWAL,
            }
        )
    decision_dates = sorted({r["decision_date"] for r in rows if r["decision_date"]})
    preamble = _(
        "In accordance with the regulation of the programme “%(program)s” and the decision of "
        "the %(council)s"
    ) % {"program": program.title, "council": program.council_name}
    if decision_dates:
        preamble += " " + _("of %(date)s") % {"date": decision_dates[-1].strftime("%d.%m.%Y")}
    return {
        "authority": program.authority_name,
        "title": _order_title(rows, program.status_name),
        "place": document_place(program),
        "program_title": program.title,
        "preamble": preamble + ":",
        "statuses": rows,
        "granted": [r for r in rows if not r["renewal"]],
        "renewed": [r for r in rows if r["renewal"]],
        **signer_context(signer),
    }


def _order_title(rows: list[dict], status_name: str) -> str:
    """An order that only extends statuses says so; one that grants some and extends others
    says both."""
    kinds = {r["renewal"] for r in rows}
    words = {"status": status_name}
    if kinds == {True}:
        return _("On extending the status “%(status)s”") % words
    if kinds == {True, False}:
        return _("On granting and extending the status “%(status)s”") % words
    return _("On granting the status “%(status)s”") % words


@in_russian
def refusal_context(*, application: Application, reasons: str, signer) -> dict:
    program = application.program
    return {
        "authority": program.authority_name,
        "addressee": _("To the head of %(organisation)s")
        % {"organisation": application.organisation.short_name},
        "organisation": application.organisation.name,
        "application_number": application.reg_number,
        "application_date": application.reg_date,
        "program_title": program.title,
        "reasons": reasons,
        "place": document_place(program),
        **signer_context(signer),
    }
