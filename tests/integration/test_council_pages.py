"""A secretary runs a meeting for three applications in the browser, from the agenda to the
signed protocol; each applicant then sees the council's decision with the extract."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application
from councils import services
from councils.models import AgendaItem, Protocol
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.integration.council_pages import post_ok, run_meeting
from tests.story import act, council_of, submitted

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
State = Application.State


@time_machine.travel(NOW, tick=False)
def test_a_secretary_runs_a_meeting_for_three_applications_in_the_browser(
    client, program, methodist, secretary
):
    council = council_of(program, secretary=secretary)
    cases = []
    for name in ("СОШ № 7", "Гимназия № 18", "Лицей № 1"):
        school = OrganisationFactory(short_name=name)
        coordinator = CoordinatorFactory(username=f"coord-{name}", organisation=school)
        application = submitted(coordinator=coordinator, school=school, program=program)
        act(methodist, application, decision="accept", comment="")
        cases.append((application, coordinator))
    outcomes = dict(zip([a for a, _c in cases], ["granted", "refused", "postponed"], strict=True))

    protocol, page = run_meeting(
        client,
        council=council,
        secretary=secretary,
        outcomes=outcomes,
        free="О плане работы сети на 2027 год",
    )
    assert "Протокол подписан; решения вступили в силу." in page
    assert "ПРОТОКОЛ № 1" in page and "СЛУШАЛИ" in page and "РЕШИЛИ" in page
    assert "Петрова Анна Ивановна" in page  # the invited guest

    expected = {
        "granted": (State.AT_DEPARTMENT, "Совет принял решение о присвоении статуса"),
        "refused": (State.REFUSED, "Совет отказал в присвоении статуса"),
        "postponed": (State.AT_COUNCIL, "Совет перенёс рассмотрение на следующее заседание"),
    }
    for application, coordinator in cases:
        application.refresh_from_db()
        state, label = expected[outcomes[application]]
        assert application.state == state
        client.force_login(coordinator)
        page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
        assert label in page, label
        assert "Выписка из протокола" in page
        extract = application_extract_url(page)
        extract_page = client.get(extract).content.decode()
        # The extract is also a registered document of the case.
        assert (
            "Выписка из протокола" in page
            and f"/documents/{application_extract_doc(application)}/" in page
        )
        assert "ВЫПИСКА ИЗ ПРОТОКОЛА № 1" in extract_page
        assert application.reg_number in extract_page
        others = [a for a, _c in cases if a != application]
        assert all(o.reg_number not in extract_page for o in others)

    # The meeting's pages show the decisions; the signed protocol offers no sign-off any more.
    client.force_login(secretary)
    page = client.get(reverse("protocol-detail", args=[protocol.pk])).content.decode()
    assert "Подписать протокол" not in page and "Исправить протокол" in page
    assert f'href="/documents/{protocol.document_id}/"' in page  # the signed PDF
    assert protocol.document.signatures.count() == 2
    post_ok(
        client,
        reverse("protocol-detail", args=[protocol.pk]),
        {"action": "correct", "reason": "Опечатка", "item": "4", "decided": "Утвердить план"},
    )
    correction = Protocol.objects.get(corrects=protocol)
    assert correction.content["items"][3]["decided"] == "Утвердить план"
    assert (
        AgendaItem.objects.filter(meeting=protocol.meeting, released_at__isnull=True).count() == 0
    )


def application_extract_doc(application) -> int:
    from councils.models import Extract

    return Extract.objects.get(item__subject_id=application.pk).document_id


def application_extract_url(page: str) -> str:
    marker = 'href="/councils/extracts/'
    start = page.index(marker) + len('href="')
    return page[start : page.index('"', start)]


@time_machine.travel(NOW, tick=False)
def test_refusals_on_the_pages_are_messages_and_change_nothing(
    client, program, methodist, secretary, coordinator, school
):
    council = council_of(program, secretary=secretary)
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="accept", comment="")
    meeting = services.meeting_create(
        council_id=council.pk, user=secretary, date=datetime.date(2026, 11, 20)
    )
    services.agenda_item_add(meeting_id=meeting.pk, user=secretary, application_id=application.pk)
    client.force_login(secretary)
    url = reverse("meeting-detail", args=[meeting.pk])
    page = client.post(url, {"action": "open"}, follow=True).content.decode()
    assert "Нет кворума" in page
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    # Members of the council but not its secretary cannot run it.
    member = council.members.get(user__username="council_member1").user
    client.force_login(member)
    page = client.post(url, {"action": "notify"}, follow=True).content.decode()
    assert "Это может сделать только секретарь совета." in page
    # An applicant does not see the meeting at all.
    client.force_login(coordinator)
    assert client.get(url).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_warns_when_the_yearly_minimum_is_at_risk(client, secretary):
    from tests.factories import CouncilFactory, ProgramFactory

    klin = ProgramFactory(code="klin", title="Мастерская наставничества", registration_prefix="МН")
    council = CouncilFactory(program=klin, name="Методический совет", min_meetings_per_year=3)
    from councils.models import CouncilMember

    CouncilMember.objects.create(
        council=council, user=secretary, role="secretary", valid_from=datetime.date(2020, 1, 1)
    )
    client.force_login(secretary)
    page = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert "не менее 3 заседаний в год; в 2026 году проведено 0" in page
