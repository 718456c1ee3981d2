"""Running a council meeting through the HTML pages, as the secretary, the members and the
chair click through it (shared by the page tests)."""

from django.urls import reverse

from councils import selectors
from councils.models import AgendaItem, Meeting, Protocol


def post_ok(client, url, data, *, follow_to=None):
    """POST a form; the page redirects (PRG) and shows no error message."""
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error"' not in page, page[page.find('class="error"') - 200 :][:600]
    return page


def run_meeting(client, *, council, secretary, outcomes, date="20.11.2026", free=""):
    """The secretary plans a meeting, builds its agenda from the waiting cases (outcomes maps
    an application to "granted" | "refused" | "postponed"), records attendance (everyone),
    opens it; members vote on their own pages; the secretary closes each question and the
    meeting; chair and secretary sign the protocol. Returns the protocol."""
    client.force_login(secretary)
    page = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    for application in outcomes:
        assert application.reg_number in page  # offered as waiting
    post_ok(
        client,
        reverse("council-detail", args=[council.pk]),
        {"date": date, "place": "МАУ ИМЦ, ауд. 12", "format": "in_person"},
    )
    meeting = Meeting.objects.filter(council=council).order_by("-id").first()
    url = reverse("meeting-detail", args=[meeting.pk])
    for application in outcomes:
        post_ok(client, url, {"action": "add_case", "application": application.pk})
    if free:
        post_ok(client, url, {"action": "add_free", "title": free})
    post_ok(client, url, {"action": "notify"})
    seats = list(selectors.members_on(council, meeting.date))
    post_ok(
        client,
        url,
        {
            "action": "attendance",
            "members": [s.pk for s in seats],
            "guests": "Петрова Анна Ивановна, директор МАОУ СОШ № 7",
        },
    )
    post_ok(client, url, {"action": "open"})
    items = list(meeting.items.order_by("number"))
    for item in items:
        decision = (
            outcomes.get(item.subject, "granted")
            if item.kind == AgendaItem.Kind.APPLICATION
            else "granted"
        )
        item_url = reverse("item-detail", args=[item.pk])
        if decision != "postponed":
            client.force_login(secretary)
            post_ok(client, item_url, {"action": "start"})
            for seat in seats:
                client.force_login(seat.user)
                choice = "for" if decision == "granted" else "against"
                post_ok(client, item_url, {"action": "vote", "choice": choice})
        client.force_login(secretary)
        page = client.get(item_url).content.decode()
        assert "Закрыть вопрос" in page
        # The secretary types the minutes here: the page never reloads itself under him.
        assert 'http-equiv="refresh"' not in page
        post_ok(
            client,
            item_url,
            {
                "action": "close",
                "heard": "Секретаря совета о заявке",
                "spoke": "Члены совета",
                "decided": {
                    "granted": "Присвоить статус сетевой площадки",
                    "refused": "Отказать в присвоении статуса",
                    "postponed": "Перенести рассмотрение на следующее заседание",
                }[decision],
                **({"postpone": "on"} if decision == "postponed" else {}),
            },
        )
    post_ok(client, url, {"action": "close"})
    protocol = Protocol.objects.get(meeting=meeting, corrects__isnull=True)
    protocol_url = reverse("protocol-detail", args=[protocol.pk])
    chair = selectors.meeting_chair(meeting)
    client.force_login(chair.user)
    post_ok(client, protocol_url, {"action": "sign"})
    client.force_login(secretary)
    page = post_ok(client, protocol_url, {"action": "sign"})
    protocol.refresh_from_db()
    assert protocol.state == Protocol.State.SIGNED
    return protocol, page
