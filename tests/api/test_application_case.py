"""The whole case through the API, as the school, the methodist, the council secretary and the
department official act on it, and what each of them sees."""

import datetime
import hashlib

import pytest
import time_machine

from applications.models import Application
from tests.api.helpers import in_ru
from tests.story import council_of

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)  # academic year 2026/27


def event(year, title="Сетевой семинар", timing="октябрь"):
    return {"year_index": year, "title": f"{title}, год {year}", "timing": timing, "audience": ""}


DRAFT = {
    "topic": "Наставничество как ресурс профессиональной адаптации молодого учителя",
    "direction": "competence",
    "goals": "Профессиональное развитие молодых учителей",
    "tasks": "Организовать сетевые семинары и мастер-классы",
    "expected_results": "Рост профессиональной компетентности",
    "responsible_name": "Иванова Мария Петровна",
    "responsible_position": "Заместитель директора",
    "responsible_phone": "+7 3822 00-00-00",
    "responsible_email": "school@example.org",
    "partners": "ТГПУ",
    "planned_events": [event(1), event(2), event(3)],
}


def only_task(client, step):
    tasks = client.get("/api/tasks/").json()["results"]
    assert [t["step"] for t in tasks] == [step]
    return tasks[0]


@time_machine.travel(NOW, tick=False)
def test_the_whole_case_through_the_api(
    client_for,
    pdf_upload,
    coordinator,
    school,
    methodist,
    secretary,
    official,
    other_coordinator,
    program,
):
    applicant = client_for(coordinator)

    # The school starts a draft; the only open programme is taken by default.
    response = applicant.post(
        "/api/applications/", {**DRAFT, "organisation": school.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    case = response.json()
    pk = case["id"]
    assert case["state"] == "draft"
    assert case["program"] == program.pk
    assert case["state_label"] == in_ru("Draft")
    assert [e["year_index"] for e in case["planned_events"]] == [1, 2, 3]
    assert case["can_edit"] is True
    assert case["open_task"] is None

    # It attaches the signed application as a PDF.
    upload = pdf_upload("zayavka.pdf")
    response = applicant.post(
        f"/api/applications/{pk}/attachments/",
        {"file": upload, "title": "Заявка с подписью директора"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    (attachment,) = response.json()["attachments"]
    upload.seek(0)
    assert attachment["title"] == "Заявка с подписью директора"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == upload.size
    assert attachment["sha256"] == hashlib.sha256(upload.read()).hexdigest()

    # It submits: the application is registered and waits for a methodist.
    response = applicant.post(f"/api/applications/{pk}/submit/")
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["state"] == "at_methodist"
    assert case["reg_number"] == "ЗСП-2026/0001"
    assert case["reg_date"] == "2026-11-20"
    assert case["state_label"] == in_ru("Being checked by a methodist")
    assert case["can_edit"] is False
    assert case["open_task"] is None  # the school cannot act on the methodist's step

    # The methodist sees the step in the queue, reads what the form expects, takes it.
    staff = client_for(methodist)
    task = only_task(staff, "check")
    assert task["application"] == pk
    assert task["reg_number"] == "ЗСП-2026/0001"
    assert task["organisation"] == school.short_name
    assert task["owner"] is None
    detail = staff.get(f"/api/tasks/{task['id']}/").json()
    assert detail["can_claim"] is True
    assert detail["application_summary"]["id"] == pk
    fields = {f["name"]: f for f in detail["form"]}
    assert set(fields) == {"decision", "comment"}
    assert fields["decision"]["required"] is True
    assert [c["value"] for c in fields["decision"]["choices"]] == ["accept", "return"]
    assert staff.get(f"/api/applications/{pk}/").json()["open_task"] == task["id"]

    claimed = staff.post(f"/api/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["owner"] == methodist.get_full_name()
    assert claimed.json()["is_mine"] is True

    # ...and returns it with a comment.
    comment = "Уточните ожидаемые результаты и добавьте мероприятие на третий год"
    response = staff.post(
        f"/api/tasks/{task['id']}/complete/",
        {"decision": "return", "comment": comment},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "returned"

    # The school sees where its case is, why, and that the next move is its own.
    case = applicant.get(f"/api/applications/{pk}/").json()
    assert case["state_label"] == "Возвращена на доработку"
    assert case["holder"] == school.short_name
    assert case["can_edit"] is True
    returned = [e for e in case["timeline"] if e["action"] == "application.return"]
    assert len(returned) == 1
    assert returned[0]["comment"] == comment
    assert returned[0]["actor"] == methodist.get_full_name()
    assert case["open_task"] is not None
    revise_task = applicant.get(f"/api/tasks/{case['open_task']}/").json()
    assert revise_task["step"] == "revise"

    # It corrects the application and sends it back.
    response = applicant.patch(
        f"/api/applications/{pk}/",
        {
            "expected_results": "Рост профессиональной компетентности; закрепление в профессии",
            "planned_events": [event(1), event(2), event(3), event(3, "Итоговая конференция")],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["expected_results"].endswith("закрепление в профессии")
    assert case["topic"] == DRAFT["topic"]  # fields not sent stay as they were
    assert len(case["planned_events"]) == 4
    response = applicant.post(f"/api/applications/{pk}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "at_methodist"
    assert response.json()["reg_number"] == "ЗСП-2026/0001"  # the same registration

    # The methodist accepts it this time (completing claims the step on the way).
    task = only_task(staff, "check")
    response = staff.post(
        f"/api/tasks/{task['id']}/complete/", {"decision": "accept"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "at_council"

    # The council meets: the secretary puts the case on the agenda, records attendance,
    # opens the meeting and the voting; the members vote; the protocol is signed.
    council = council_of(program, secretary=secretary)
    assert applicant.get("/api/councils/").json()["results"] == []  # not a member
    board = client_for(secretary)
    [listed] = board.get("/api/councils/").json()["results"]
    assert [c["id"] for c in listed["waiting"]] == [pk]
    meeting = board.post(
        f"/api/councils/{council.pk}/meetings/",
        {"date": "2026-11-20", "place": "МАУ ИМЦ", "format": "in_person"},
        format="json",
    ).json()
    url = f"/api/meetings/{meeting['id']}"
    response = board.post(f"{url}/items/", {"application": pk}, format="json")
    assert response.status_code == 201, response.json()
    [item] = response.json()["items"]
    seats = listed["members"]
    response = board.post(
        f"{url}/attendance/", {"members": [m["id"] for m in seats]}, format="json"
    )
    assert response.json()["quorum"]["reached"] is True
    assert board.post(f"{url}/open/").status_code == 200
    assert board.post(f"/api/items/{item['id']}/voting/").status_code == 200
    users = {m.user.pk: m.user for m in council.members.select_related("user")}
    for seat in seats:
        response = client_for(users[seat["user"]]).post(
            f"/api/items/{item['id']}/vote/", {"choice": "for"}, format="json"
        )
        assert response.status_code == 200, response.json()
    response = board.post(
        f"/api/items/{item['id']}/close/",
        {"heard": "Секретаря совета", "decided": "Соответствует положению"},
        format="json",
    )
    assert response.json()["outcome"] == "adopted"
    protocol = board.post(f"{url}/close/").json()
    chair = next(users[m["user"]] for m in seats if m["role"] == "chair")
    client_for(chair).post(f"/api/protocols/{protocol['id']}/sign/")
    response = board.post(f"/api/protocols/{protocol['id']}/sign/")
    assert response.json()["state"] == "signed"
    assert applicant.get(f"/api/applications/{pk}/").json()["state"] == "at_department"

    # The department official approves it by order.
    department = client_for(official)
    task = only_task(department, "approve")
    response = department.post(
        f"/api/tasks/{task['id']}/complete/",
        {"decision": "approve", "order_number": "125-р", "order_date": "2026-11-20"},
        format="json",
    )
    assert response.status_code == 200, response.json()

    # The school sees the status granted, by which order, until when.
    case = applicant.get(f"/api/applications/{pk}/").json()
    assert case["state"] == "granted"
    assert case["state_label"] == "Статус присвоен до 31.08.2029"
    assert case["order"] == {"number": "125-р", "date": "2026-11-20"}
    assert case["status"] == {"valid_from": "2026-11-20", "valid_until": "2029-08-31"}
    assert case["open_task"] is None
    assert case["can_edit"] is False
    assert case["timeline"][-1]["action"] == "application.status_granted"
    assert applicant.get("/api/tasks/").json()["results"] == []

    # Anyone signed in reads the registry.
    registry = client_for(other_coordinator).get("/api/statuses/").json()["results"]
    assert len(registry) == 1
    entry = registry[0]
    assert entry["organisation"] == school.pk
    assert entry["organisation_name"] == school.short_name
    assert entry["topic"] == DRAFT["topic"]
    assert entry["valid_from"] == "2026-11-20"
    assert entry["valid_until"] == "2029-08-31"
    assert entry["order"] == {"number": "125-р", "date": "2026-11-20"}
    assert Application.objects.get(pk=pk).state == Application.State.GRANTED
