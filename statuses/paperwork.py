"""Contexts of the status's print forms (work plan, platform report, network report,
cooperation agreement), built from the rows; stored with the rendering request, so a re-render
prints the same text. Russian whatever the language of the page that caused them."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.paperwork import document_place, short_name, signer_context
from applications.rules import academic_year_label
from core.i18n import in_russian
from core.russian import dative_full_name, genitive_full_name

from . import reportform, selectors
from .models import Agreement, AgreementParty, Duty, NetworkReport, Status, Submission

COUNT_LABELS = {
    "events_held": "Проведено мероприятий",
    "young_teachers": "Молодых педагогов — участников мероприятий",
    "schools": "Образовательных организаций — участников",
    "mentors": "Наставников",
}


@in_russian
def submission_context(submission: Submission) -> dict:
    duty = submission.duty
    status = duty.status
    program = status.program
    events = [
        {
            "title": e.title,
            "planned": e.planned,
            "held_on": e.held_on,
            "participants": e.participants,
            "result": e.result,
            "deviation": e.deviation,
            "reason": e.reason,
        }
        for e in submission.events.all()
    ]
    person = status.organisation.person
    context = {
        "authority": program.authority_name,
        "program_title": program.title,
        "status_name": program.status_name,
        "organisation": status.organisation.name,
        # A person's report is «о деятельности Лавровой Ольги Петровны», signed by her; a
        # programme without a yearly plan reports its events without a plan to compare with.
        "by_person": person is not None,
        "holder_genitive": (
            genitive_full_name(person.last_name, person.first_name, person.middle_name)
            if person
            else ""
        ),
        "report_title": duty.title,
        "asks_plan": selectors.schedule_for(program).asks_plan,
        "topic": status.topic,
        "academic_year": academic_year_label(duty.academic_year),
        "year_index": duty.year_index,
        "submission_number": submission.number,
        "submitted_on": timezone.localdate(submission.submitted_at),
        "summary": submission.summary,
        "events": events,
        "responsible_name": short_name(submission.submitted_by),
        "place": program.document_place,
    }
    if duty.kind == Duty.Kind.REPORT:
        # The report form it was sent with lays out its figures and texts (labels in Russian).
        report = reportform.shown(submission)
        context.update(
            {
                "counts": report["counts"],
                "texts": report["texts"],
                "outputs": submission.outputs,
                "dissemination": submission.dissemination,
                "problems": submission.problems,
                "proposals": submission.proposals,
            }
        )
    return context


def _chart_rows(data: dict) -> list[dict]:
    """The charts of the page as SVG geometry for the PDF: 600 units wide, the bars from 200.

    Numbers go in as text with a dot: the template engine would print a float as "102,0" in
    Russian, which is not an SVG length."""
    charts = selectors.network_report_charts(data)
    for chart in charts:
        for bar in chart["bars"]:
            px = bar["width"] * 3.4
            bar["px"] = f"{px:.1f}"
            bar["text_x"] = f"{200 + px + 6:.1f}"
            bar["rect_y"] = str(bar["y"] + 4)
            bar["text_y"] = str(bar["y"] + 16)
        chart["height"] = str(chart["height"])
    return charts


@in_russian
def network_report_context(report: NetworkReport) -> dict:
    program = report.program
    data = report.data
    totals = data.get("totals", {})
    return {
        "authority": program.authority_name,
        "program_title": program.title,
        "council_name": program.council_name,
        "academic_year": academic_year_label(report.academic_year),
        "compiled_on": timezone.localdate(report.compiled_at),
        "compiled_by": short_name(report.compiled_by),
        "platforms": data.get("platforms", []),
        "totals": [
            {"label": label, "value": totals.get(name, 0)} for name, label in COUNT_LABELS.items()
        ],
        "charts": _chart_rows(data),
        "missing": data.get("missing", []),
        "place": program.document_place,
    }


def _party(party: AgreementParty) -> dict:
    return {
        "role": party.role,
        "role_label": str(AgreementParty.Role(party.role).label),
        "name": party.name,
        "signer_position": party.signer_position,
        "signer_name": party.signer_name,
        "paper": party.signer_id is None,
    }


@in_russian
def agreement_context(agreement: Agreement) -> dict:
    status = agreement.status
    program = status.program
    parties = list(agreement.parties.all())
    office = next((p for p in parties if p.role == AgreementParty.Role.OFFICE), None)
    context = {
        "authority": program.authority_name,
        "program_title": program.title,
        "status_name": program.status_name,
        "organisation": status.organisation.name,
        "topic": status.topic,
        "office_name": office.name if office else "",
        "order_number": status.order.number if status.order_id else "",
        "order_date": status.order.date if status.order_id else None,
        "valid_from": status.valid_from,
        "valid_until": status.valid_until,
        "place": program.document_place,
        "parties": [_party(p) for p in parties],
        "subject": "",
        "supplementary": agreement.is_supplement,
    }
    if agreement.is_supplement:
        parent = agreement.parent.document
        context.update(
            {
                "title": _("to the cooperation agreement No. %(number)s of %(date)s")
                % {
                    "number": parent.reg_number,
                    "date": parent.reg_date.strftime("%d.%m.%Y") if parent.reg_date else "",
                },
                "parent_number": parent.reg_number,
                "parent_date": parent.reg_date,
                "new_parties": [_party(p) for p in parties if p.is_new],
            }
        )
    else:
        context["title"] = _("on cooperation within the municipal network")
    return context


@in_russian
def status_certificate_context(*, status: Status, term=None) -> dict:
    """The certificate of the status, or of one of its terms (a renewal's: its own grounds
    and dates, since the status's first order and end date no longer describe it). Without an
    order (the programme's council settles the grant) it cites the council's decision."""
    program = status.program
    grounds = selectors.grant_grounds(application=term.application if term else status.application)
    person = status.organisation.person
    return {
        "authority": program.authority_name,
        "organisation": status.organisation.name,
        # «…подтверждает, что Подгорновой Евдокии Игнатьевне присвоен статус»: a person in
        # the dative; an organisation's name is printed as it is registered.
        "holder_dative": (
            dative_full_name(person.last_name, person.first_name, person.middle_name)
            if person
            else ""
        ),
        "status_name": program.status_name,
        "topic": status.topic,
        "program_title": program.title,
        "valid_from": term.valid_from if term else status.valid_from,
        "valid_until": term.valid_until if term else status.valid_until,
        "order_number": grounds.order.number if grounds.order else "",
        "order_date": grounds.order.date if grounds.order else None,
        "grounds": grounds.text,
        "place": document_place(program),
        **signer_context(grounds.signer),
    }
