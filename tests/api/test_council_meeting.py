"""A whole council meeting through the API: three applications and a free question on the
agenda, attendance and quorum, votes (electronic, paper, with a recusal and a tie), the
protocol signed by chair and secretary, and each case moved to its own next step."""

import datetime

import pytest
import time_machine

from applications import roles, selectors
from applications.models import Application, CouncilDecision
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from councils.models import AgendaItem, Extract, Protocol, Vote
from notifications.models import Kind, Notification
from tests.factories import CoordinatorFactory, OrganisationFactory, UserFactory
from tests.story import act, council_of, submitted

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
State = Application.State


def at_council(program, methodist, name):
    school = OrganisationFactory(short_name=name)
    coordinator = CoordinatorFactory(username=f"coord-{name}", organisation=school)
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="accept", comment="")
    assert application.state == State.AT_COUNCIL
    return application, coordinator


def ok(response, code=200):
    assert response.status_code == code, response.json()
    return response.json()


def refused(response, code, *, words):
    assert response.status_code == code, response.json()
    assert words in response.json()["detail"], response.json()["detail"]
    return response.json()


@time_machine.travel(NOW, tick=False)
def test_a_meeting_decides_three_applications_and_each_moves_on(
    client, client_for, program, methodist, secretary
):
    council = council_of(program, secretary=secretary)
    seats = {s.user.username: s for s in council.members.select_related("user")}
    chair, member1, member2 = (
        seats["council_chair"].user,
        seats["council_member1"].user,
        seats["council_member2"].user,
    )
    granted, coord_a = at_council(program, methodist, "СОШ № 7")
    refused_app, coord_b = at_council(program, methodist, "Гимназия № 18")
    postponed, coord_c = at_council(program, methodist, "Лицей № 1")
    board = client_for(secretary)

    # The secretary sees the three waiting cases and plans a meeting.
    [listed] = ok(board.get("/api/councils/"))["results"]
    assert {c["id"] for c in listed["waiting"]} == {granted.pk, refused_app.pk, postponed.pk}
    refused(
        client_for(member1).post(
            f"/api/councils/{council.pk}/meetings/", {"date": "20.11.2026"}, format="json"
        ),
        403,
        words="секретарь",
    )
    meeting = ok(
        board.post(
            f"/api/councils/{council.pk}/meetings/",
            {"date": "2026-11-20", "place": "МАУ ИМЦ, ауд. 12", "format": "in_person"},
            format="json",
        ),
        201,
    )
    assert (meeting["number"], meeting["year"], meeting["status"]) == (1, 2026, "planned")
    url = f"/api/meetings/{meeting['id']}"
    for application in (granted, refused_app, postponed):
        ok(board.post(f"{url}/items/", {"application": application.pk}, format="json"), 201)
    refused(
        board.post(f"{url}/items/", {"application": granted.pk}, format="json"),
        409,
        words="уже включён в повестку",
    )
    meeting = ok(
        board.post(f"{url}/items/", {"title": "О плане работы сети на 2027 год"}, format="json"),
        201,
    )
    items = {i["number"]: i for i in meeting["items"]}
    assert [items[n]["kind"] for n in (1, 2, 3, 4)] == ["application"] * 3 + ["free"]
    assert [items[n]["application"] for n in (1, 2, 3)] == [
        granted.pk,
        refused_app.pk,
        postponed.pk,
    ]

    # Members are notified with the agenda.
    ok(board.post(f"{url}/notify/"))
    notes = Notification.objects.filter(
        kind=Kind.MEETING_SCHEDULED, channel=Notification.Channel.INAPP
    )
    assert {n.recipient for n in notes} == {chair, member1, member2, secretary}
    assert "О плане работы сети на 2027 год" in notes.first().body_text
    assert granted.reg_number in notes.first().body_text

    # No quorum, no meeting: nobody present, then 1 of 4.
    refused(board.post(f"{url}/open/"), 409, words="Нет кворума")
    meeting = ok(
        board.post(f"{url}/attendance/", {"members": [seats["council_chair"].pk]}, format="json")
    )
    assert meeting["quorum"] == {"members": 4, "present": 1, "needed": 3, "reached": False}
    refused(board.post(f"{url}/open/"), 409, words="Нет кворума")
    present = [seats[n].pk for n in ("council_chair", "council_member1")] + [
        council.members.get(user=secretary).pk
    ]
    meeting = ok(
        board.post(
            f"{url}/attendance/",
            {"members": present, "guests": [{"name": "Петрова А. И.", "position": "директор"}]},
            format="json",
        )
    )
    assert meeting["quorum"]["reached"] is True
    ok(board.post(f"{url}/open/"))

    # Item 1: everybody present votes for; bad votes are refused and change nothing.
    item = items[1]["id"]
    refused(
        client_for(member1).post(f"/api/items/{item}/vote/", {"choice": "for"}, format="json"),
        409,
        words="не начато",
    )
    ok(board.post(f"/api/items/{item}/voting/"))
    for user in (chair, member1, secretary):
        ok(client_for(user).post(f"/api/items/{item}/vote/", {"choice": "against"}, format="json"))
    refused(
        client_for(member1).post(f"/api/items/{item}/vote/", {"choice": "against"}, format="json"),
        409,
        words="уже проголосовали",
    )
    for user in (chair, member1, secretary):  # changing one's mind is allowed until closed
        ok(client_for(user).post(f"/api/items/{item}/vote/", {"choice": "for"}, format="json"))
    refused(
        client_for(member2).post(f"/api/items/{item}/vote/", {"choice": "against"}, format="json"),
        403,
        words="не отмечены как присутствующий",
    )
    refused(  # staff who see every case see the meeting, but only members vote
        client_for(methodist).post(f"/api/items/{item}/vote/", {"choice": "for"}, format="json"),
        403,
        words="Голосуют только члены совета",
    )
    assert (
        client_for(coord_a).post(f"/api/items/{item}/vote/", {"choice": "for"}).status_code == 404
    )
    refused(
        client_for(chair).post(f"/api/items/{item}/vote/", {"choice": "maybe"}, format="json"),
        400,
        words="",
    )
    tally = ok(board.get(f"/api/items/{item}/"))["tally"]
    assert tally == {
        "votes_for": 3,
        "votes_against": 0,
        "abstained": 0,
        "eligible": 3,
        "not_voted": 0,
    }
    closed = ok(
        board.post(
            f"/api/items/{item}/close/",
            {"heard": "Секретаря совета", "spoke": "Орлов А. Н.", "decided": "Присвоить статус"},
            format="json",
        )
    )
    assert (closed["outcome"], closed["votes_for"], closed["status"]) == ("adopted", 3, "closed")
    refused(
        client_for(chair).post(f"/api/items/{item}/vote/", {"choice": "against"}, format="json"),
        409,
        words="Вопрос закрыт",
    )
    assert Vote.objects.filter(item_id=item).count() == 3

    # Item 2: a paper vote, all against: not adopted, the application is refused.
    item = items[2]["id"]
    ok(board.post(f"/api/items/{item}/voting/"))
    refused(
        board.post(
            f"/api/items/{item}/tally/",
            {"votes_for": 2, "votes_against": 2, "abstained": 0},
            format="json",
        ),
        400,
        words="",
    )
    ok(
        board.post(
            f"/api/items/{item}/tally/",
            {"votes_for": 0, "votes_against": 3, "abstained": 0, "chair_vote": "against"},
            format="json",
        )
    )
    refused(
        client_for(member1).post(f"/api/items/{item}/vote/", {"choice": "for"}, format="json"),
        409,
        words="на бумаге",
    )
    closed = ok(
        board.post(
            f"/api/items/{item}/close/",
            {"heard": "Секретаря совета", "decided": "Отказать: нет опыта работы"},
            format="json",
        )
    )
    assert (closed["outcome"], closed["votes_against"]) == ("not_adopted", 3)

    # Item 3: postponed to the next meeting without a vote.
    item = items[3]["id"]
    closed = ok(
        board.post(
            f"/api/items/{item}/close/",
            {"heard": "Секретаря", "decided": "Перенести на следующее заседание", "postpone": True},
            format="json",
        )
    )
    assert closed["outcome"] == "postponed"

    # Item 4 (free): member1 recused; a tie of the two others is decided by the chair's vote.
    item = items[4]["id"]
    ok(board.post(f"/api/items/{item}/voting/"))
    ok(client_for(member1).post(f"/api/items/{item}/vote/", {"choice": "against"}, format="json"))
    ok(
        board.post(
            f"/api/items/{item}/recusal/",
            {"member": seats["council_member1"].pk, "reason": "Представляет заявителя"},
            format="json",
        )
    )
    refused(
        client_for(member1).post(f"/api/items/{item}/vote/", {"choice": "for"}, format="json"),
        403,
        words="конфликт интересов",
    )
    ok(client_for(chair).post(f"/api/items/{item}/vote/", {"choice": "for"}, format="json"))
    ok(client_for(secretary).post(f"/api/items/{item}/vote/", {"choice": "against"}, format="json"))
    closed = ok(
        board.post(
            f"/api/items/{item}/close/",
            {"heard": "Председателя", "decided": "Утвердить план"},
            format="json",
        )
    )
    assert (closed["outcome"], closed["votes_for"], closed["votes_against"]) == ("adopted", 1, 1)

    # Closing the meeting draws up the protocol; nothing moves before both sign-offs.
    protocol = ok(board.post(f"{url}/close/"), 201)
    content = protocol["content"]
    assert set(content) == {
        "authority",
        "title",
        "number",
        "date",
        "place",
        "format",
        "chair",
        "secretary",
        "present",
        "present_count",
        "invited",
        "agenda",
        "items",
    }
    assert (content["number"], content["date"], content["present_count"]) == ("1", "2026-11-20", 3)
    assert content["chair"] == chair.get_full_name()
    assert content["secretary"] == secretary.get_full_name()
    assert content["invited"] == ["Петрова А. И., директор"]
    assert [i["votes_for"] for i in content["items"]] == [3, 0, 0, 1]
    to_sign = Notification.objects.filter(
        kind=Kind.TASK_ASSIGNED,
        channel=Notification.Channel.INAPP,
        url__endswith=f"/councils/protocols/{protocol['id']}/",
    )
    assert {n.recipient for n in to_sign} == {chair, secretary}
    refused(
        client_for(member1).post(f"/api/protocols/{protocol['id']}/sign/"),
        403,
        words="подписывают только",
    )
    ok(client_for(chair).post(f"/api/protocols/{protocol['id']}/sign/"))
    granted.refresh_from_db()
    assert granted.state == State.AT_COUNCIL
    signed = ok(board.post(f"/api/protocols/{protocol['id']}/sign/"))
    assert signed["state"] == "signed"
    assert {s["role"] for s in signed["signoffs"]} == {"chair", "secretary"}
    # The protocol is a registered PDF carrying both PAdES signatures, valid on verification.
    paper = signed["document"]
    assert paper["reg_number"] == "1" and paper["render_state"] == "ready"
    assert paper["signatures"] == [chair.get_full_name(), secretary.get_full_name()]
    from documents.models import Document
    from documents.selectors import signatures_report

    reports = signatures_report(Document.objects.get(pk=paper["id"]))
    assert len(reports) == 2 and all(r.valid for r in reports), reports

    # Each case moved to its own next step.
    for application in (granted, refused_app, postponed):
        application.refresh_from_db()
    assert granted.state == State.AT_DEPARTMENT
    assert selectors.application_open_task(granted).flow_task.name == "approve"
    assert refused_app.state == State.REFUSED
    assert refused_app.process.status == "DONE"
    assert selectors.application_state_label(refused_app) == "Отказано: Отказать: нет опыта работы"
    assert postponed.state == State.AT_COUNCIL
    assert selectors.application_open_task(postponed).flow_task.name == "council"
    decision = CouncilDecision.objects.get(application=granted)
    assert (decision.outcome, decision.meeting_date) == ("granted", datetime.date(2026, 11, 20))
    assert AgendaItem.objects.get(pk=items[1]["id"]).decision == decision

    # Each applicant sees the decision, with the extract, in the timeline; nobody else does.
    for application, coordinator, action in (
        (granted, coord_a, "application.council_grant"),
        (refused_app, coord_b, "application.council_refuse"),
        (postponed, coord_c, "application.council_postpone"),
    ):
        case = ok(client_for(coordinator).get(f"/api/applications/{application.pk}/"))
        [entry] = [e for e in case["timeline"] if e["action"] == action]
        assert entry["url"].startswith("/councils/extracts/")
        extract = Extract.objects.get(item__subject_id=application.pk)
        assert extract.content["items"] == [
            i for i in content["items"] if i["title"] == extract.item.title
        ]
        api_url = f"/api/extracts/{extract.pk}/"
        answer = ok(client_for(coordinator).get(api_url))
        assert answer["content"] == extract.content
        assert answer["document"]["render_state"] == "ready"
        assert extract.document.case == application  # among the case's documents
        other = coord_b if coordinator != coord_b else coord_a
        assert client_for(other).get(api_url).status_code == 404
        client.force_login(coordinator)
        page = client.get(entry["url"]).content.decode()
        assert "ВЫПИСКА ИЗ ПРОТОКОЛА" in page and extract.item.decided in page
        client.force_login(other)
        assert client.get(entry["url"]).status_code == 404
    assert Extract.objects.filter(protocol_id=protocol["id"]).count() == 4

    # Each school heard the council's word, the postponed one too.
    for coordinator, words in (
        (coord_a, "совет принял решение о присвоении статуса"),
        (coord_b, "совет отказал в присвоении статуса"),
        (coord_c, "совет перенёс рассмотрение на следующее заседание"),
    ):
        [note] = Notification.objects.filter(
            recipient=coordinator, kind=Kind.DECISION_TAKEN, channel=Notification.Channel.INAPP
        )
        assert note.subject.endswith(words), note.subject

    # The postponed case is waiting again, and goes on the next meeting's agenda.
    [listed] = ok(board.get("/api/councils/"))["results"]
    assert [c["id"] for c in listed["waiting"]] == [postponed.pk]

    # A signed protocol cannot change; a correction is a new, linked protocol.
    refused(board.post(f"/api/protocols/{protocol['id']}/sign/"), 409, words="уже подписан")
    correction = ok(
        board.post(
            f"/api/protocols/{protocol['id']}/correction/",
            {
                "reason": "Опечатка в решении",
                "items": [{"number": 4, "decided": "Утвердить план работы"}],
            },
            format="json",
        ),
        201,
    )
    assert correction["corrects"] == protocol["id"] and correction["state"] == "draft"
    assert correction["content"]["items"][3]["decided"] == "Утвердить план работы"
    assert Protocol.objects.get(pk=protocol["id"]).content == content
    assert ok(board.get(f"/api/protocols/{protocol['id']}/"))["correction"] == correction["id"]
    refused(
        board.post(
            f"/api/protocols/{protocol['id']}/correction/", {"reason": "Ещё"}, format="json"
        ),
        409,
        words="уже есть исправление",
    )

    # Every vote and every decision is audited; the chain is whole.
    votes = AuditEvent.objects.filter(action="meeting.vote")
    assert votes.count() == 3 + 3 + 2 + 1  # first votes, changed votes, item 4 (member1's dropped)
    assert AuditEvent.objects.filter(action="meeting.item_close").count() == 4
    assert AuditEvent.objects.filter(action="protocol.signed").count() == 1
    assert audit_verify_chain()[0]

    # Meeting 2: the postponed application is granted.
    meeting2 = ok(
        board.post(f"/api/councils/{council.pk}/meetings/", {"date": "2026-11-27"}, format="json"),
        201,
    )
    assert meeting2["number"] == 2
    url2 = f"/api/meetings/{meeting2['id']}"
    [item] = ok(board.post(f"{url2}/items/", {"application": postponed.pk}, format="json"), 201)[
        "items"
    ]
    ok(board.post(f"{url2}/attendance/", {"members": present}, format="json"))
    ok(board.post(f"{url2}/open/"))
    ok(board.post(f"/api/items/{item['id']}/voting/"))
    for user in (chair, member1, secretary):
        ok(
            client_for(user).post(
                f"/api/items/{item['id']}/vote/", {"choice": "for"}, format="json"
            )
        )
    ok(
        board.post(
            f"/api/items/{item['id']}/close/",
            {"heard": "Секретаря", "decided": "Присвоить статус"},
            format="json",
        )
    )
    protocol2 = ok(board.post(f"{url2}/close/"), 201)
    ok(client_for(chair).post(f"/api/protocols/{protocol2['id']}/sign/"))
    ok(board.post(f"/api/protocols/{protocol2['id']}/sign/"))
    postponed.refresh_from_db()
    assert postponed.state == State.AT_DEPARTMENT


def test_meetings_are_visible_to_the_council_only(client_for, program, secretary, coordinator):
    council = council_of(program, secretary=secretary)
    outsider = UserFactory(username="outsider", groups=[roles.COUNCIL_MEMBERS])
    from councils import services

    meeting = services.meeting_create(
        council_id=council.pk, user=secretary, date=datetime.date(2026, 11, 20)
    )
    assert client_for(coordinator).get(f"/api/meetings/{meeting.pk}/").status_code == 404
    assert client_for(coordinator).get("/api/councils/").json()["results"] == []
    # In the council members' group but without a seat on this council: sees nothing of it.
    assert client_for(outsider).get(f"/api/meetings/{meeting.pk}/").status_code == 404
    assert client_for(outsider).get("/api/councils/").json()["results"] == []
    response = client_for(outsider).post(f"/api/meetings/{meeting.pk}/open/")
    assert response.status_code == 404
