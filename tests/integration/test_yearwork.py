"""Klin 3.2, 5.2, 4.4(3), 3.5: the workshop's plan of work is drafted by the council's secretary
from the communities' plans, with each member's part in the year, approved by the signed
protocol of a meeting, and its execution marked; the methodical office gives the workshop
assignments with due dates, reminded once, followed up to completion. Through the services, the
pages and the API, with the bad paths."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from communities import services as communities
from core.errors import ConflictError, NotAllowed
from notifications.models import Notification
from tests.factories import OrganisationFactory, UserFactory, status_held
from tests.story import council_of, meeting_decides
from yearwork import services
from yearwork.models import Assignment, WorkPlan

pytestmark = pytest.mark.django_db

LONG = "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа " * 4


def _member(program, username: str):
    user = UserFactory(username=username, last_name=username.title(), first_name="Анна")
    holder = OrganisationFactory(name=f"{LONG}{username}"[:500], short_name=username)
    status_held(program, holder=holder, member=user)
    return user


@time_machine.travel(datetime.datetime(2026, 9, 10, 10), tick=False)
def test_the_plan_is_drafted_from_the_communities_approved_at_a_meeting_and_executed(
    client, workshop, methodist, secretary
):
    council = council_of(workshop, secretary=secretary)
    curator = _member(workshop, "curator")
    teacher = _member(workshop, "teacher")
    community = communities.community_create(
        user=methodist,
        program_id=workshop.pk,
        kind="young_teachers",
        name="Школа молодого педагога",
        curator_id=curator.pk,
    )
    communities.plan_item_add(
        user=curator,
        community_id=community.pk,
        academic_year=2026,
        title="Семинар «Первый урок»",
        due=datetime.date(2026, 9, 20),
        responsible="Куратор А.",
    )
    # A member cannot draft the plan; the secretary can, and the community's item is gathered.
    with pytest.raises(NotAllowed):
        services.work_plan_create(user=teacher, program_id=workshop.pk, academic_year=2026)
    plan = services.work_plan_create(user=secretary, program_id=workshop.pk, academic_year=2026)
    assert [i.title for i in plan.items.all()] == ["Семинар «Первый урок»"]
    with pytest.raises(ValidationError):
        services.work_plan_create(user=secretary, program_id=workshop.pk, academic_year=2026)
    # Through the page: an item of its own with a responsible member, a member's part.
    client.force_login(secretary)
    url = reverse("work-plan-detail", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "Участие членов в методической работе" in page
    response = client.post(
        url,
        {
            "action": "item_add",
            "title": "Мастер-класс «Наставник и молодой педагог»",
            "due": "15.10.2026",
            "responsible": "Тeacher А.",
            "responsible_user_id": str(teacher.pk),
        },
    )
    assert response.status_code == 302
    outsider = UserFactory(username="outsider")
    response = client.post(
        url, {"action": "participation", "member_id": str(outsider.pk), "part": "Доклад"}
    )
    assert "Выберите одного из членов программы." in response.content.decode()
    client.post(
        url,
        {"action": "participation", "member_id": str(teacher.pk), "part": "Доклад на семинаре"},
    )
    assert plan.participations.get().part == "Доклад на семинаре"
    client.post(url, {"action": "submit"})
    plan.refresh_from_db()
    assert plan.state == WorkPlan.State.AT_COUNCIL
    with pytest.raises(ConflictError):  # before the council, it is not changed
        services.work_plan_item_add(
            user=secretary,
            plan_id=plan.pk,
            title="x",
            due=datetime.date(2026, 10, 1),
            responsible="x",
        )
    # Not adopted: back to its drafter with the reason; then approved at the next meeting.
    meeting_decides(
        council,
        {plan: ("not_adopted", "Вернуть план на доработку: добавить мастер-классы")},
        secretary=secretary,
        meeting_date=datetime.date(2026, 9, 10),
    )
    assert plan.state == WorkPlan.State.DRAFT and "мастер-классы" in plan.council_decision
    services.work_plan_submit(user=secretary, plan_id=plan.pk)
    meeting_decides(
        council,
        {plan: ("adopted", "Утвердить план работы.")},
        secretary=secretary,
        meeting_date=datetime.date(2026, 9, 10),
    )
    assert plan.state == WorkPlan.State.APPROVED
    assert plan.approved_on == datetime.date(2026, 9, 10)
    told = Notification.objects.filter(recipient=teacher, channel="inapp").values_list(
        "body_text", flat=True
    )
    assert any("Доклад на семинаре" in text for text in told)
    # Execution: the responsible member marks her item; the community's item is the curator's.
    own = plan.items.get(source=None)
    community_item = plan.items.exclude(source=None).get()
    with pytest.raises(NotAllowed):
        services.work_plan_item_done(
            user=teacher,
            item_id=community_item.pk,
            done_on=datetime.date(2026, 9, 10),
            result="Проведён",
        )
    services.work_plan_item_done(
        user=teacher, item_id=own.pk, done_on=datetime.date(2026, 9, 10), result="14 участников"
    )
    services.work_plan_item_done(
        user=curator,
        item_id=community_item.pk,
        done_on=datetime.date(2026, 9, 9),
        result="Проведён, 20 участников",
    )
    community_item.refresh_from_db()
    assert community_item.held_on == datetime.date(2026, 9, 9)
    assert community_item.source.result == "Проведён, 20 участников"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"work_plan.create", "work_plan.approve", "work_plan.return"} <= actions
    # Members read it; another programme's people do not.
    client.force_login(teacher)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_plan_through_the_api(client, workshop, secretary):
    council_of(workshop, secretary=secretary)
    teacher = _member(workshop, "teacher")
    client.force_login(secretary)
    response = client.post(
        reverse("api:work-plan-list"),
        {"program": workshop.pk, "academic_year": 2026},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    response = client.post(
        reverse("api:work-plan-item-add", args=[plan_id]),
        {"title": "Деловая игра", "due": "01.12.2026", "responsible": "Секретарь"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    response = client.post(
        reverse("api:work-plan-participation", args=[plan_id]),
        {"member_id": teacher.pk, "part": "Ведущая деловой игры"},
        content_type="application/json",
    )
    assert response.json()["participations"][0]["member_name"] == teacher.get_full_name()
    response = client.post(reverse("api:work-plan-submit", args=[plan_id]))
    assert response.json()["state"] == "at_council"
    # A member reads the plan, but cannot change it.
    client.force_login(teacher)
    assert client.get(reverse("api:work-plan-detail", args=[plan_id])).status_code == 200
    response = client.post(
        reverse("api:work-plan-item-add", args=[plan_id]), {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_an_assignment_is_given_reminded_once_reported_returned_and_accepted(
    client, workshop, methodist, secretary
):
    council_of(workshop, secretary=secretary)
    teacher = _member(workshop, "teacher")
    outsider = UserFactory(username="outsider")
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10), tick=False):
        with pytest.raises(NotAllowed):
            services.assignment_issue(
                user=teacher,
                program_id=workshop.pk,
                title="x",
                description="",
                due=datetime.date(2026, 12, 20),
                assignee_id=teacher.pk,
            )
        with pytest.raises(ValidationError) as refused:
            services.assignment_issue(
                user=methodist,
                program_id=workshop.pk,
                title="Обзор",
                description="",
                due=datetime.date(2026, 11, 20),
                assignee_id=outsider.pk,
            )
        assert set(refused.value.message_dict) == {"due", "assignee"}
        client.force_login(methodist)
        response = client.post(
            reverse("api:assignment-list"),
            {
                "program": workshop.pk,
                "title": "Подготовить обзор практик наставничества",
                "description": "Для совещания руководителей",
                "due": "10.12.2026",
                "assignee_id": teacher.pk,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assignment = Assignment.objects.get()
    # Three working days before: a reminder, once however often the sweep runs.
    for _ in range(2):
        services.assignments_sweep(now=datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC))
    reminders = Notification.objects.filter(
        recipient=teacher, kind="deadline_approaching", channel="inapp"
    )
    assert reminders.count() == 1
    # Overdue: the assignee and the giver are told, once.
    for _ in range(2):
        services.assignments_sweep(now=datetime.datetime(2026, 12, 11, 9, tzinfo=datetime.UTC))
    overdue = Notification.objects.filter(kind="deadline_missed", channel="inapp")
    assert set(overdue.values_list("recipient", flat=True)) == {teacher.pk, methodist.pk}
    # Reported, returned with what is missing, reported again, accepted.
    client.force_login(teacher)
    url = reverse("api:assignment-report", args=[assignment.pk])
    assert client.post(url, {"report": ""}, content_type="application/json").status_code == 400
    response = client.post(url, {"report": "Обзор готов"}, content_type="application/json")
    assert response.json()["state"] == "reported"
    client.force_login(methodist)
    close = reverse("api:assignment-close", args=[assignment.pk])
    response = client.post(close, {"decision": "return"}, content_type="application/json")
    assert response.status_code == 400  # a return says what is missing
    client.post(
        close, {"decision": "return", "comment": "Добавьте выводы"}, content_type="application/json"
    )
    client.force_login(teacher)
    client.post(url, {"report": "Обзор с выводами"}, content_type="application/json")
    client.force_login(methodist)
    response = client.post(close, {"decision": "accept"}, content_type="application/json")
    assert response.json()["state"] == "done"
    # The page shows it, in Russian; a stranger sees nothing.
    page = client.get(reverse("assignment-detail", args=[assignment.pk])).content.decode()
    assert "Срок" in page and "Обзор с выводами" in page and "Due" not in page
    client.force_login(outsider)
    assert client.get(reverse("assignment-detail", args=[assignment.pk])).status_code == 404
