"""Moving and cancelling a planned meeting through the API: the secretary's happy paths, the
refusals (400 bad input, 403 not the secretary, 404 not your council, 409 not planned), and
nothing changed by a refusal."""

import datetime

import pytest
import time_machine

from councils import services
from councils.models import Meeting
from notifications.models import Kind, Notification
from tests.story import another_councils_secretary, council_of, waiting_for_council

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 16, 3, 0, tzinfo=datetime.UTC)


def answer(response, code):
    assert response.status_code == code, response.content
    return response.json()


@time_machine.travel(NOW, tick=False)
def test_the_secretary_moves_then_cancels_a_meeting_through_the_api(
    client_for, program, methodist, secretary
):
    council = council_of(program, secretary=secretary)
    application = waiting_for_council(program, methodist=methodist, school_name="СОШ № 7")
    board = client_for(secretary)
    meeting = answer(
        board.post(f"/api/councils/{council.pk}/meetings/", {"date": "2026-11-20"}, format="json"),
        201,
    )
    url = f"/api/meetings/{meeting['id']}"
    answer(board.post(f"{url}/items/", {"application": application.pk}, format="json"), 201)
    answer(board.post(f"{url}/notify/"), 200)

    moved = answer(
        board.post(
            f"{url}/reschedule/",
            {"date": "2026-11-27", "place": "МАУ ИМЦ, ауд. 5", "reason": "Зал занят"},
            format="json",
        ),
        200,
    )
    assert (moved["date"], moved["place"], moved["format"], moved["number"]) == (
        "2026-11-27",
        "МАУ ИМЦ, ауд. 5",
        "in_person",
        1,
    )
    notes = Notification.objects.filter(
        kind=Kind.MEETING_SCHEDULED,
        channel=Notification.Channel.INAPP,
        subject__contains="перенесено",
    )
    assert notes.count() == council.members.count()
    assert "27.11.2026" in notes.first().body_text

    for data, code, field in (
        ({"date": "2026-11-10", "reason": "Раньше"}, 400, "date"),
        ({"date": "2026-11-30"}, 400, "reason"),
        ({"date": "30.02.2026", "reason": "Ошибка"}, 400, "date"),
    ):
        refused = answer(board.post(f"{url}/reschedule/", data, format="json"), code)
        assert field in refused["errors"], refused
    assert answer(board.post(f"{url}/cancel/", {}, format="json"), 400)["errors"]["reason"]
    member = council.members.get(user__username="council_member1").user
    assert (
        "секретарь"
        in answer(
            client_for(member).post(f"{url}/cancel/", {"reason": "Не хочу"}, format="json"), 403
        )["detail"]
    )
    assert Meeting.objects.get(pk=meeting["id"]).status == "planned"

    cancelled = answer(
        board.post(f"{url}/cancel/", {"reason": "Карантин в школах"}, format="json"), 200
    )
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "Карантин в школах")
    assert cancelled["cancelled_at"]
    assert len(cancelled["items"]) == 1  # kept as the record of the cancelled agenda
    [listed] = answer(board.get("/api/councils/"), 200)["results"]
    assert [c["id"] for c in listed["waiting"]] == [application.pk]

    for path, data in (
        ("cancel/", {"reason": "Ещё раз"}),
        ("reschedule/", {"date": "2026-11-30", "reason": "Ещё"}),
        ("open/", {}),
        ("attendance/", {"members": []}),
        ("items/", {"title": "Разное"}),
    ):
        refused = answer(board.post(f"{url}/{path}", data, format="json"), 409)
        assert "отменено" in refused["detail"], (path, refused)

    # The case goes on the next meeting's agenda.
    meeting2 = answer(
        board.post(f"/api/councils/{council.pk}/meetings/", {"date": "2026-11-30"}, format="json"),
        201,
    )
    assert meeting2["number"] == 2
    answer(
        board.post(
            f"/api/meetings/{meeting2['id']}/items/", {"application": application.pk}, format="json"
        ),
        201,
    )


@time_machine.travel(NOW, tick=False)
def test_another_councils_secretary_is_refused(client_for, program, secretary):
    council = council_of(program, secretary=secretary)
    meeting = services.meeting_create(
        council_id=council.pk, user=secretary, date=datetime.date(2026, 11, 20)
    )
    url = f"/api/meetings/{meeting.pk}"
    staff = client_for(another_councils_secretary(staff=True))
    seated = client_for(another_councils_secretary(staff=False))
    move = {"date": "2026-11-27", "reason": "Чужое"}
    answer(staff.post(f"{url}/reschedule/", move, format="json"), 403)
    answer(staff.post(f"{url}/cancel/", {"reason": "Чужое"}, format="json"), 403)
    answer(seated.post(f"{url}/reschedule/", move, format="json"), 404)
    answer(seated.post(f"{url}/cancel/", {"reason": "Чужое"}, format="json"), 404)
    answer(client_for(secretary).post("/api/meetings/999999/cancel/", {"reason": "Нет"}), 404)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.date) == ("planned", datetime.date(2026, 11, 20))
