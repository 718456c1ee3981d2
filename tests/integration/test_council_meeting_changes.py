"""A secretary moves or cancels a planned meeting. Members already told of it hear of the
change; the cases of a cancelled meeting wait for the council again and are decided at the
next meeting; whatever a real council would not do is refused, with nothing changed."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import council as application_council
from applications import selectors as wf_selectors
from applications.models import Application
from audit.models import AuditEvent
from core.errors import ConflictError, NotAllowed
from councils import selectors, services
from councils.models import AgendaItem, Meeting
from notifications.models import Kind, Notification
from statuses import services as status_services
from statuses.models import ProblemNotice
from tests.integration.council_pages import post_ok
from tests.story import (
    another_councils_secretary,
    council_of,
    granted,
    meeting_decides,
    waiting_for_council,
)

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 16, 3, 0, tzinfo=datetime.UTC)  # 10:00 in Tomsk
DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def council(program, secretary):
    return council_of(program, secretary=secretary)


def letters(**filters):
    return Notification.objects.filter(
        kind=Kind.MEETING_SCHEDULED, channel=Notification.Channel.INAPP, **filters
    )


def everyone(council):
    return {seat.user for seat in council.members.select_related("user")}


def snapshot(meeting):
    meeting.refresh_from_db()
    return (meeting.status, meeting.date, meeting.place, meeting.format, meeting.number)


# --- Rescheduling -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_members_told_of_a_meeting_get_each_new_date(council, secretary):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    # Not announced yet: it moves quietly.
    services.meeting_reschedule(
        meeting_id=meeting.pk, user=secretary, date=DAY + datetime.timedelta(days=1), reason="Зал"
    )
    assert not letters().exists()

    services.meeting_notify(meeting_id=meeting.pk, user=secretary)
    meeting = services.meeting_reschedule(
        meeting_id=meeting.pk,
        user=secretary,
        date=datetime.date(2026, 11, 27),
        place="МАУ ИМЦ, ауд. 5",
        format=Meeting.Format.REMOTE,
        reason="Председатель в командировке",
    )
    assert (meeting.date, meeting.place, meeting.format, meeting.number) == (
        datetime.date(2026, 11, 27),
        "МАУ ИМЦ, ауд. 5",
        "remote",
        1,
    )
    moved = letters(subject__contains="перенесено")
    assert {n.recipient for n in moved} == everyone(council)
    text = moved.first().body_text
    assert "21.11.2026" in text and "27.11.2026" in text and "МАУ ИМЦ, ауд. 5" in text
    assert "Председатель в командировке" in text
    assert moved.first().subject == "Заседание совета № 1 перенесено на 27.11.2026"

    # A second rescheduling is told again, the place and format staying as they are.
    meeting = services.meeting_reschedule(
        meeting_id=meeting.pk, user=secretary, date=datetime.date(2026, 11, 21), reason="Снова"
    )
    assert (meeting.place, meeting.format) == ("МАУ ИМЦ, ауд. 5", "remote")
    assert letters(subject__contains="перенесено").count() == 2 * len(everyone(council))

    events = AuditEvent.objects.filter(action="meeting.reschedule").order_by("id")
    assert [e.comment for e in events] == ["Зал", "Председатель в командировке", "Снова"]
    assert events[1].data == {
        "from": {"date": "2026-11-21", "place": council.default_place, "format": "in_person"},
        "to": {"date": "2026-11-27", "place": "МАУ ИМЦ, ауд. 5", "format": "remote"},
    }


@time_machine.travel(NOW, tick=False)
def test_rescheduling_refusals_change_nothing(council, secretary):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    services.meeting_notify(meeting_id=meeting.pk, user=secretary)
    before = snapshot(meeting)
    member = council.members.get(user__username="council_member1").user
    later = datetime.date(2026, 11, 27)
    refusals = [
        (NotAllowed, {"user": member, "date": later, "reason": "Хочу"}),
        (ValidationError, {"date": datetime.date(2026, 11, 15), "reason": "Вчера"}),
        (ValidationError, {"date": later, "reason": "  "}),
        (ValidationError, {"date": datetime.date(2027, 1, 15), "reason": "После праздников"}),
        (ValidationError, {"date": DAY, "reason": "Ничего не меняем"}),
        (ValidationError, {"date": later, "format": "hybrid", "reason": "Формат"}),
    ]
    for error, kwargs in refusals:
        with pytest.raises(error):
            services.meeting_reschedule(meeting_id=meeting.pk, **{"user": secretary, **kwargs})
        assert snapshot(meeting) == before
    assert not AuditEvent.objects.filter(action="meeting.reschedule").exists()
    assert not letters(subject__contains="перенесено").exists()


@time_machine.travel(NOW, tick=False)
def test_only_a_planned_meeting_is_moved_or_cancelled(council, secretary):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    services.agenda_item_add(meeting_id=meeting.pk, user=secretary, title="Разное")
    seats = selectors.members_on(council, DAY)
    services.attendance_record(
        meeting_id=meeting.pk, user=secretary, member_ids=[s.pk for s in seats], guests=[]
    )
    services.meeting_open(meeting_id=meeting.pk, user=secretary)
    before = snapshot(meeting)
    with pytest.raises(ConflictError, match="открыто"):
        services.meeting_reschedule(
            meeting_id=meeting.pk, user=secretary, date=DAY, place="Другое", reason="Поздно"
        )
    with pytest.raises(ConflictError, match="открыто"):
        services.meeting_cancel(meeting_id=meeting.pk, user=secretary, reason="Поздно")
    assert snapshot(meeting) == before


# --- Cancelling ---------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_meetings_cases_wait_again_and_are_decided_at_the_next_meeting(
    program, methodist, secretary, coordinator, school, official
):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 3, tzinfo=datetime.UTC), tick=False):
        status = granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=datetime.date(2026, 11, 2),
        )
    council = council_of(program, secretary=secretary)
    notice = status_services.problem_report(
        user=coordinator, status_id=status.pk, description="Уволился куратор площадки"
    )
    application = waiting_for_council(program, methodist=methodist, school_name="Гимназия № 18")
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    assert meeting.number == 2  # No. 1 granted the status
    services.agenda_item_add(meeting_id=meeting.pk, user=secretary, application_id=application.pk)
    services.agenda_item_add(
        meeting_id=meeting.pk,
        user=secretary,
        subject="statuses.problemnotice",
        subject_id=notice.pk,
    )
    services.agenda_item_add(meeting_id=meeting.pk, user=secretary, title="Разное")
    services.meeting_notify(meeting_id=meeting.pk, user=secretary)
    assert selectors.cases_waiting(council) == []

    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting_id=meeting.pk, user=secretary, reason=" ")
    member = council.members.get(user__username="council_member1").user
    with pytest.raises(NotAllowed):
        services.meeting_cancel(meeting_id=meeting.pk, user=member, reason="Не хочу")
    assert snapshot(meeting)[0] == "planned"

    meeting = services.meeting_cancel(
        meeting_id=meeting.pk, user=secretary, reason="Нет кворума: карантин в школах"
    )
    assert (meeting.status, meeting.number, meeting.cancel_reason) == (
        "cancelled",
        2,
        "Нет кворума: карантин в школах",
    )
    # The agenda stays as the record of what was to be considered; it no longer holds the cases.
    assert meeting.items.count() == 3
    waiting = {(c["subject"], c["object"].pk) for c in selectors.cases_waiting(council)}
    assert waiting == {
        ("workflows.application", application.pk),
        ("statuses.problemnotice", notice.pk),
    }
    assert application in application_council.applications_waiting(council)

    # Members told of the meeting are told of its cancellation; the cases' records say so.
    [cancelled_note] = letters(subject__contains="отменено", recipient=member)
    assert "Нет кворума: карантин в школах" in cancelled_note.body_text
    assert letters(subject__contains="отменено").count() == len(everyone(council))
    assert AuditEvent.objects.filter(action="meeting.cancel", to_state="cancelled").count() == 1
    for case, action in (
        (application, "application.council_agenda_cancelled"),
        (notice, "problemnotice.council_agenda_cancelled"),
    ):
        assert AuditEvent.objects.filter(action=action, object_id=str(case.pk)).count() == 1
    labels = [e.label for e in wf_selectors.application_timeline(application)]
    assert "Заседание совета отменено; дело ожидает следующего заседания" in labels

    # A cancelled meeting is over: nothing more is done at it.
    free = meeting.items.get(kind=AgendaItem.Kind.FREE)
    seat = council.members.get(user=member)
    for attempt in (
        lambda: services.meeting_open(meeting_id=meeting.pk, user=secretary),
        lambda: services.meeting_notify(meeting_id=meeting.pk, user=secretary),
        lambda: services.meeting_cancel(meeting_id=meeting.pk, user=secretary, reason="Ещё"),
        lambda: services.meeting_reschedule(
            meeting_id=meeting.pk, user=secretary, date=DAY, place="Другое", reason="Ещё"
        ),
        lambda: services.attendance_record(
            meeting_id=meeting.pk, user=secretary, member_ids=[seat.pk], guests=[]
        ),
        lambda: services.agenda_item_add(meeting_id=meeting.pk, user=secretary, title="Ещё"),
        lambda: services.agenda_item_remove(item_id=free.pk, user=secretary),
        lambda: services.item_voting_start(item_id=free.pk, user=secretary),
        lambda: services.item_recuse(
            item_id=free.pk, user=secretary, member_id=seat.pk, reason="Конфликт"
        ),
    ):
        with pytest.raises(ConflictError, match="отменено"):
            attempt()
    assert meeting.items.count() == 3 and not meeting.attendance.exists()

    # The next meeting takes both cases and decides them; the cancelled one keeps No. 2.
    protocol = meeting_decides(
        council,
        {
            application: ("granted", "Присвоить статус"),
            notice: ("adopted", "Принять к сведению; назначить нового куратора"),
        },
        secretary=secretary,
        meeting_date=datetime.date(2026, 11, 27),
    )
    assert protocol.meeting.number == 3
    assert protocol.content["number"] == "3"
    assert application.state == Application.State.AT_DEPARTMENT
    assert notice.state == ProblemNotice.State.CONSIDERED
    assert selectors.cases_waiting(council) == []


# --- Pages --------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_secretary_moves_then_cancels_a_meeting_on_its_page(
    client, council, program, methodist, secretary
):
    application = waiting_for_council(program, methodist=methodist, school_name="СОШ № 7")
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    services.agenda_item_add(meeting_id=meeting.pk, user=secretary, application_id=application.pk)
    url = reverse("meeting-detail", args=[meeting.pk])
    client.force_login(secretary)
    page = client.get(url).content.decode()
    assert "Перенести" in page and "Отменить заседание" in page
    assert 'value="20.11.2026"' in page  # the date field, дд.мм.гггг

    post_ok(client, url, {"action": "notify"})
    page = post_ok(
        client,
        url,
        {"action": "reschedule", "date": "27.11.2026", "place": "", "format": "", "reason": "Зал"},
    )
    assert "Заседание перенесено на 27.11.2026." in page
    assert "Заседание № 1 от 27.11.2026" in page
    assert "Перенесено с 20.11.2026 на 27.11.2026:</strong> Зал" in page
    assert letters(subject__contains="перенесено").count() == len(everyone(council))

    # Bad input: a message, nothing changed.
    before = snapshot(meeting)
    for data, words in (
        ({"date": "10.11.2026", "reason": "Раньше"}, "Новая дата уже прошла"),
        ({"date": "30.11.2026", "reason": ""}, "Причина переноса: Обязательное поле."),
        ({"date": "31.02.2026", "reason": "Ошибка"}, "Новая дата: Введите правильную дату."),
        ({"reason": ""}, "Причина отмены: Обязательное поле."),
    ):
        action = "reschedule" if "date" in data else "cancel"
        page = client.post(url, {"action": action, **data}, follow=True).content.decode()
        assert words in page, words
        assert snapshot(meeting) == before
    member = council.members.get(user__username="council_member1").user
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Отменить заседание" not in page
    page = client.post(url, {"action": "cancel", "reason": "Не хочу"}, follow=True)
    assert "Это может сделать только секретарь совета." in page.content.decode()
    assert snapshot(meeting) == before

    client.force_login(secretary)
    item_url = reverse("item-detail", args=[meeting.items.get().pk])
    assert "Конфликт интересов" in client.get(item_url).content.decode()
    page = post_ok(client, url, {"action": "cancel", "reason": "Карантин в школах"})
    assert "Заседание отменено; вопросы его повестки ожидают следующего заседания." in page
    assert "Отменено" in page and "Карантин в школах" in page
    assert "Перенести заседание" not in page and "Открыть заседание" not in page
    assert "Записать присутствие" not in page
    council_page = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert application.reg_number in council_page  # waiting again
    page = client.post(url, {"action": "open"}, follow=True).content.decode()
    assert "Заседание — «отменено»; сейчас это сделать нельзя." in page
    assert (
        "Конфликт интересов" not in client.get(item_url).content.decode()
    )  # nothing more to record on its questions


@time_machine.travel(NOW, tick=False)
def test_another_councils_secretary_cannot_move_or_cancel(client, council, secretary):
    meeting = services.meeting_create(council_id=council.pk, user=secretary, date=DAY)
    url = reverse("meeting-detail", args=[meeting.pk])
    before = snapshot(meeting)
    client.force_login(another_councils_secretary(staff=True))
    page = client.post(url, {"action": "cancel", "reason": "Чужое"}, follow=True).content.decode()
    assert "Это может сделать только секретарь совета." in page
    client.force_login(another_councils_secretary(staff=False))
    assert client.post(url, {"action": "cancel", "reason": "Чужое"}).status_code == 404
    assert snapshot(meeting) == before
