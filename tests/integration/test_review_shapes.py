"""Programmes name the shape of their review: the Tomsk one ends with the department's order,
the Klin workshop's with its council's decision. Driven through the services as people act."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from viewflow.workflow.models import Task

from applications import selectors
from applications.flows import ApplicationFlow, CouncilSettledFlow
from applications.models import Application
from documents.models import Document
from statuses import paperwork
from statuses import selectors as status_selectors
from statuses.models import Agreement, Status
from tests.factories import ProgramFactory, serve
from tests.story import act, council_at_meeting, council_decides, granted, open_task, submitted

pytestmark = pytest.mark.django_db(transaction=True)
State = Application.State
MEETING = datetime.date(2026, 11, 19)
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
MEMBERSHIP = "Членство в «Мастерской наставничества»"  # the workshop fixture's status


def _steps(application) -> list[str]:
    """The names of the nodes the case passed, in order."""
    tasks = Task.objects.filter(process_id=application.process_id).order_by("pk")
    return [task.flow_task.name for task in tasks]


@time_machine.travel(NOW, tick=False)
def test_the_councils_decision_grants_a_workshop_membership_without_an_order(
    client, coordinator, school, methodist, secretary, workshop
):
    application = submitted(coordinator=coordinator, school=school, program=workshop)
    assert application.process.flow_class is CouncilSettledFlow
    assert application.reg_number == "МН-2026/0001"
    # The methodist finds the check in the queue, as for any programme.
    assert selectors.task_visible_qs(methodist).filter(process_id=application.process_id).exists()

    protocol = council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Опыт наставничества подтверждён",
        meeting_date=MEETING,
    )

    application.refresh_from_db()
    assert application.state == State.GRANTED
    assert application.order is None
    assert application.process.status == "DONE"
    assert open_task(application) is None
    assert _steps(application) == [
        "start",
        "check",
        "is_complete",
        "council",
        "is_granted",
        "grant",
        "granted",
    ]

    status = Status.objects.get(application=application)
    assert status.order is None
    assert status.valid_from == MEETING  # the meeting's date, not an order's
    assert status.valid_until == datetime.date(2027, 8, 31)  # one academic year
    decision = application.council_decisions.get()
    assert decision.protocol == protocol
    number = protocol.content["number"]
    grounds = f"решение совета, протокол № {number} от 19.11.2026"
    assert status.grounds == grounds
    assert status.terms.get().order is None and status.terms.get().grounds == grounds
    assert selectors.application_state_label(application) == "Статус присвоен до 31.08.2027"

    # The certificate cites the council's decision; no agreement is drafted for the workshop.
    certificate = Document.objects.get(kind=Document.Kind.STATUS_CERTIFICATE)
    assert certificate.reg_number
    context = paperwork.status_certificate_context(status=status)
    assert context["order_number"] == "" and context["grounds"] == grounds
    assert context["signer_name"]  # the chair who signed the protocol
    assert not Agreement.objects.filter(status=status).exists()

    # The applicant is told the decision is final, then that the status is in the registry.
    bodies = [m.body for m in mail.outbox if m.to == [coordinator.email]]
    assert any("Решение совета окончательно" in body for body in bodies)
    assert any(f"Основание: {grounds}" in body for body in bodies)
    assert not any("распоряжени" in body for body in bodies)

    # The public registry lists it with the programme's own status name and grounds.
    rows = status_selectors.public_registry_rows(
        status_selectors.public_registry_qs(program_code="klin-mn")
    )
    assert [(r["organisation"], r["status"], r["order"]) for r in rows] == [
        (school.name, MEMBERSHIP, grounds)
    ]
    page = client.get(reverse("public-registry"))
    assert page.status_code == 200
    assert MEMBERSHIP in page.content.decode() and grounds in page.content.decode()
    client.force_login(coordinator)
    assert grounds in client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert grounds in client.get(reverse("registry")).content.decode()
    chart = client.get(reverse("application-chart", args=[application.pk]))
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"


def test_a_refusal_of_the_workshops_council_ends_the_case_as_before(
    coordinator, school, methodist, secretary, workshop
):
    application = submitted(coordinator=coordinator, school=school, program=workshop)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="refused",
        reasons="Нет опыта наставничества",
        meeting_date=MEETING,
    )
    assert application.state == State.REFUSED
    assert application.process.status == "DONE"
    assert selectors.application_state_label(application) == "Отказано: Нет опыта наставничества"
    assert Document.objects.filter(kind=Document.Kind.REFUSAL_LETTER).exists()
    assert any("отказ" in m.subject.lower() for m in mail.outbox if m.to == [coordinator.email])
    assert not Status.objects.exists()


def test_a_running_case_keeps_the_review_it_started_when_the_programme_changes_shape(
    coordinator, school, other_coordinator, methodist, secretary, official, program
):
    """A Tomsk case submitted under the order shape still goes to the department after the
    programme switches to the council's decision; a case submitted after the switch does not."""
    running = submitted(coordinator=coordinator, school=school, program=program)
    assert running.process.flow_class is ApplicationFlow
    program.review_shape = "check_council"
    program.save()

    later = submitted(
        coordinator=other_coordinator,
        school=other_coordinator.organisations.get(),
        program=program,
    )
    assert later.process.flow_class is CouncilSettledFlow

    act(methodist, running, decision="accept", comment="")
    act(methodist, later, decision="accept", comment="")
    council_at_meeting(
        running, secretary=secretary, decision="granted", reasons="Да", meeting_date=MEETING
    )
    council_at_meeting(
        later, secretary=secretary, decision="granted", reasons="Да", meeting_date=MEETING
    )

    running.refresh_from_db()
    assert running.process.flow_class is ApplicationFlow
    assert running.state == State.AT_DEPARTMENT
    assert open_task(running).flow_task is ApplicationFlow.approve
    act(
        official,
        running,
        decision="approve",
        order_number="125-р",
        order_date=datetime.date(2026, 11, 20),
        comment="",
    )
    assert Status.objects.get(application=running).order.number == "125-р"

    later.refresh_from_db()
    assert later.state == State.GRANTED
    assert Status.objects.get(application=later).order is None


def test_a_programme_that_does_not_ask_for_an_agreement_gets_none(
    coordinator, school, methodist, secretary, official
):
    program = ProgramFactory(code="no-agreement", registration_prefix="НД", drafts_agreement=False)
    serve(program, methodist, secretary, official)
    status = granted(
        coordinator=coordinator,
        school=school,
        program=program,
        methodist=methodist,
        secretary=secretary,
        official=official,
        on=MEETING,
    )
    assert status.order.number == "1-р"
    assert not Agreement.objects.filter(status=status).exists()


def test_the_tomsk_programme_still_drafts_its_agreement(
    coordinator, school, methodist, secretary, official, program
):
    assert program.drafts_agreement
    status = granted(
        coordinator=coordinator,
        school=school,
        program=program,
        methodist=methodist,
        secretary=secretary,
        official=official,
        on=MEETING,
    )
    assert Agreement.objects.filter(status=status, number=0).exists()


def test_each_shape_has_its_chart(client, methodist):
    client.force_login(methodist)
    order = client.get(reverse("flow-chart")).content.decode()
    settled = client.get(reverse("flow-chart") + "?shape=check_council").content.decode()
    assert "Department approval" in order or "Утверждение" in order
    assert "Утверждение департаментом" not in settled and "Department approval" not in settled
    assert client.get(reverse("flow-chart") + "?shape=nonsense").status_code == 404
    bpmn = client.get(reverse("flow-chart") + "?shape=check_council&format=bpmn")
    assert bpmn.status_code == 200 and b"bpmn" in bpmn.content


def test_a_workshop_membership_is_renewed_by_the_councils_decision(
    coordinator, school, methodist, secretary, workshop
):
    from applications import services
    from statuses import services as status_services

    first = submitted(coordinator=coordinator, school=school, program=workshop)
    council_decides(
        first,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Да",
        meeting_date=MEETING,
    )
    status = Status.objects.get(application=first)
    renewal = status_services.renewal_application_create(
        user=coordinator, status_id=status.pk, today=datetime.date(2027, 5, 10)
    )
    services.application_submit(application_id=renewal.pk, user=coordinator)
    renewal.refresh_from_db()
    assert renewal.process.flow_class is CouncilSettledFlow
    council_decides(
        renewal,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Работа эффективна",
        meeting_date=datetime.date(2027, 5, 20),
    )
    renewal.refresh_from_db()
    status.refresh_from_db()
    assert renewal.state == State.GRANTED and renewal.order is None
    term = status.terms.get(number=2)
    assert term.order is None and term.application == renewal
    assert (term.valid_from, term.valid_until) == (
        datetime.date(2027, 9, 1),
        datetime.date(2028, 8, 31),
    )
    assert term.grounds.startswith("решение совета, протокол №")
    assert status.state == Status.State.ACTIVE
    assert status.valid_until == datetime.date(2028, 8, 31)
    context = paperwork.status_certificate_context(status=status, term=term)
    assert context["grounds"] == term.grounds and context["order_number"] == ""


def test_the_administrator_sets_the_shape_and_the_agreement_in_the_admin(client, program):
    from django.forms.models import model_to_dict

    from audit.models import AuditEvent
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:programmes_program_change", args=[program.pk])
    page = client.get(url).content.decode()
    assert 'name="review_shape"' in page and 'name="drafts_agreement"' in page
    data = {
        k: v
        for k, v in model_to_dict(program).items()
        if v is not None and k not in ("id", "drafts_agreement")
    }
    # The staff inline's management form, as the page sent it (no staff rows to keep).
    management = dict(
        re.findall(
            r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"', page
        )
    )
    assert management, "the page has the staff inline"
    response = client.post(url, {**data, **management, "review_shape": "check_council"})
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert program.review_shape == "check_council" and not program.drafts_agreement
    event = AuditEvent.objects.get(action="program.admin_update", object_id=str(program.pk))
    assert "review_shape" in str(event.data) and "drafts_agreement" in str(event.data)
