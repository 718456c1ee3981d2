"""The core case through the services: who is told what, by bell and by e-mail, with which link."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from applications import roles, selectors, services
from applications.models import Application
from notifications.models import Kind, Notification
from tests.factories import ApplicationFactory, CoordinatorFactory, UserFactory
from tests.story import act, council_at_meeting, council_decides, open_task, submitted

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def inapp(user) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.INAPP).order_by(
            "id"
        )
    )


def kinds(user) -> list[str]:
    return [n.kind for n in inapp(user)]


def letters(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


@time_machine.travel(NOW, tick=False)
def test_each_person_hears_what_concerns_them_with_a_link_to_act_on(
    coordinator, school, program, methodist, secretary, official, other_coordinator
):
    colleague = CoordinatorFactory(username="colleague", organisation=school)
    methodist2 = UserFactory(username="methodist2", groups=[roles.METHODISTS])
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    case = link(f"/applications/{application.pk}/")

    # Submitted: every methodist is told that a check waits in their queue.
    services.application_submit(application_id=application.pk, user=coordinator)
    check = open_task(application)
    for person in (methodist, methodist2):
        (note,) = inapp(person)
        assert note.kind == Kind.TASK_ASSIGNED
        assert note.subject == "Новая задача «Проверка комплектности»: заявка ЗСП-2026/0001"
        assert note.url == link(f"/tasks/{check.pk}/")
        assert "ждёт сотрудника вашей роли" in note.body_text
        (letter,) = letters(person)
        assert letter.subject == note.subject
        assert link(f"/tasks/{check.pk}/") in letter.body
    assert kinds(coordinator) == []

    # Returned: the school's coordinators learn why (one notice: the revision step is not
    # announced separately, see applications/flows.py).
    act(methodist, application, decision="return", comment="Уточните план мероприятий на 2028 год")
    revise = open_task(application)
    for person in (coordinator, colleague):
        returned = inapp(person)[0]
        assert returned.kind == Kind.APPLICATION_RETURNED
        assert returned.subject == "Заявка ЗСП-2026/0001 возвращена на доработку"
        assert returned.url == case
        assert "Уточните план мероприятий на 2028 год" in returned.body_text
        assert methodist.get_full_name() in returned.body_text
    assert kinds(coordinator) == [Kind.APPLICATION_RETURNED]
    assert revise.owner == coordinator
    assert kinds(colleague) == [Kind.APPLICATION_RETURNED]

    # Corrected by the colleague: the methodists get the new check.
    services.application_submit(application_id=application.pk, user=colleague)
    second_check = open_task(application)
    assert [n.url for n in inapp(methodist2)] == [
        link(f"/tasks/{check.pk}/"),
        link(f"/tasks/{second_check.pk}/"),
    ]

    act(methodist, application, decision="accept", comment="")
    # The case waits for the council: the secretaries hear it, with a link to the council's
    # meetings (no council is set up yet in this test, so the page lists the councils).
    [waiting] = inapp(secretary)
    assert (waiting.kind, waiting.url) == (Kind.TASK_ASSIGNED, link("/councils/"))
    assert waiting.subject == "Заявка ЗСП-2026/0001 ожидает рассмотрения советом"

    council_at_meeting(
        application,
        secretary=secretary,
        decision="granted",
        reasons="Соответствует положению",
        meeting_date=datetime.date(2026, 11, 19),
    )
    decision = inapp(coordinator)[-1]
    assert decision.kind == Kind.DECISION_TAKEN
    assert decision.subject == "Заявка ЗСП-2026/0001: совет принял решение о присвоении статуса"
    assert "На заседании совета 19.11.2026" in decision.body_text
    assert kinds(official) == [Kind.TASK_ASSIGNED]

    act(
        official,
        application,
        decision="approve",
        order_number="125-р",
        order_date=datetime.date(2026, 11, 20),
        comment="",
    )
    assert application.state == Application.State.GRANTED
    # One coordinator signs the cooperation agreement for the school (the earliest member).
    from statuses.paper import organisation_signer

    signer = organisation_signer(school)
    assert signer in (coordinator, colleague)
    *_, agreement, _status = inapp(signer)
    assert agreement.kind == Kind.TASK_ASSIGNED
    assert "ждёт вашей подписи" in agreement.subject
    assert agreement.url == link("/agreements/")
    *_, order, status = [n for n in inapp(coordinator) if n.kind != Kind.TASK_ASSIGNED]
    assert order.kind == Kind.ORDER_SIGNED
    assert order.subject == "Заявка ЗСП-2026/0001 утверждена распоряжением № 125-р от 20.11.2026"
    assert status.kind == Kind.STATUS_GRANTED
    assert status.subject == "Заявка ЗСП-2026/0001: статус присвоен до 31.08.2029"
    assert "с 20.11.2026 по 31.08.2029" in status.body_text
    assert (order.url, status.url) == (case, case)

    # The whole story, for each person; nobody else heard a thing.
    expected = [
        Kind.APPLICATION_RETURNED,
        Kind.DECISION_TAKEN,
        Kind.ORDER_SIGNED,
        Kind.STATUS_GRANTED,
    ]
    with_agreement = [*expected[:3], Kind.TASK_ASSIGNED, expected[3]]
    assert kinds(signer) == with_agreement
    assert kinds(colleague if signer == coordinator else coordinator) == expected
    assert kinds(other_coordinator) == []
    assert not Notification.objects.filter(recipient__username="admin").exists()
    # Every e-mail row was delivered exactly once, in Russian, with the link.
    emails = Notification.objects.filter(channel=Notification.Channel.EMAIL)
    assert set(emails.values_list("state", flat=True)) == {Notification.State.SENT}
    assert len(mail.outbox) == emails.count()
    assert [m.subject for m in letters(coordinator)] == [n.subject for n in inapp(coordinator)]
    assert all(m.body.startswith("Здравствуйте") for m in mail.outbox)
    assert case in letters(coordinator)[-1].body


def test_a_refusal_tells_the_school_why(coordinator, school, program, methodist, secretary):
    application = submitted(coordinator=coordinator, school=school, program=program)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="refused",
        reasons="Нет опыта работы с молодыми педагогами",
        meeting_date=datetime.date(2026, 11, 19),
    )
    (note,) = inapp(coordinator)
    assert note.kind == Kind.DECISION_TAKEN
    assert note.subject.endswith("совет отказал в присвоении статуса")
    assert "Нет опыта работы с молодыми педагогами" in note.body_text
    (letter,) = letters(coordinator)
    assert "Основания:\nНет опыта работы с молодыми педагогами" in letter.body


def test_a_step_that_fails_after_its_change_notifies_nobody(
    coordinator, school, program, methodist, monkeypatch
):
    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    sent_before = len(mail.outbox)

    def broken_gateway(process):
        raise RuntimeError("the flow failed after the step's service had notified")

    monkeypatch.setattr(selectors, "application_for_process", broken_gateway)
    with pytest.raises(RuntimeError):
        act(methodist, application, decision="return", comment="Уточните план")

    application.refresh_from_db()
    assert application.state == Application.State.AT_METHODIST
    assert not Notification.objects.filter(kind=Kind.APPLICATION_RETURNED).exists()
    assert len(mail.outbox) == sent_before


def test_the_english_interface_still_writes_russian_letters(
    coordinator, school, program, methodist
):
    from django.utils import translation

    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    with translation.override("en"):
        act(methodist, application, decision="return", comment="Уточните план")
    returned = inapp(coordinator)[0]
    assert returned.subject == "Заявка ЗСП-2026/0001 возвращена на доработку"
