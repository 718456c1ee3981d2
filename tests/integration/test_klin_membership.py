"""The Klin mentoring workshop on the engine, from its definition alone (issue 14, clauses 1.1
and 4.5): a teacher applies in her own name with evidence for each criterion of clause 1.1,
through the API; an application without evidence is refused at submission; the workshop's
methodist checks it, the methodical council's signed decision makes her a member (no order);
her self-analysis is the yearly duty, on the workshop's own form; she may leave at her own
request, and the council may exclude a member on the workshop's grounds."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from applications.models import Application
from councils.models import Council
from programmes.models import Program
from statuses import services as status_services
from statuses.models import Duty, Status, Submission, TerminationCase
from tests.story import act, council_considers, meeting_decides, signing_certificates

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
MEETING = datetime.date(2026, 10, 21)
CRITERIA = {
    "workplace": "Муниципальное общеобразовательное учреждение «Гимназия № 1» г. Клин",
    "position": "Учитель начальных классов",
    "topic": "Наставничество в начальной школе",
}
EVIDENCE = {
    "rating": "2-е место в рейтинге педагогов округа, 2025/26",
    "attestation_category": "highest",
    "attestation_date": "2024-04-12",
    "publications": [
        {
            "title": "Проектные задачи во 2 классе",
            "source": "Начальная школа, № 5, 2025",
            "year": 2025,
        }
    ],
    "competences": "Проектная деятельность, формирующее оценивание",
    "contests": [
        {"title": "Учитель года Подмосковья", "level": "regional", "year": 2024, "result": "призёр"}
    ],
}


@pytest.fixture
def klin():
    call_command("seed_demo", stdout=io.StringIO())
    return Program.objects.get(code="klin-mn")


def people(*names):
    return [User.objects.get(username=name) for name in names]


def _member(klin, username="klin_teacher1") -> tuple[Status, User]:
    """A teacher applies through the API with her evidence and is admitted at a meeting."""
    (teacher,) = people(username)
    methodist, chair, secretary = people("klin_methodist", "klin_chair", "klin_secretary")
    api = APIClient()
    api.force_authenticate(teacher)
    created = api.post(
        "/api/applications/", {"program": klin.pk, **CRITERIA, **EVIDENCE}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert api.post(f"/api/applications/{created.json()['id']}/submit/").status_code == 200
    application = Application.objects.get(pk=created.json()["id"])
    act(methodist, application, decision="accept", comment="")
    signing_certificates([chair, secretary])
    meeting_decides(
        Council.objects.get(program=klin),
        {application: ("granted", "Принять в члены «Мастерской наставничества»")},
        secretary=secretary,
        meeting_date=MEETING,
    )
    return Status.objects.get(application=application), teacher


@time_machine.travel(NOW, tick=False)
def test_a_teacher_applies_with_evidence_for_each_criterion_and_the_council_admits_her(klin):
    assert klin.is_active and klin.for_persons and klin.settled_by_council
    (teacher,) = people("klin_teacher1")
    api = APIClient()
    api.force_authenticate(teacher)
    described = api.get(f"/api/programmes/{klin.pk}/form/").json()
    assert described["applicants"] == "persons"
    groups = {f["name"]: f for f in described["fields"] if f["type"] == "group"}
    assert set(groups) == {"publications", "contests"}
    assert [f["name"] for f in groups["contests"]["fields"]] == ["title", "level", "year", "result"]

    # Without evidence the draft is kept, but it cannot be submitted; it says what is missing.
    created = api.post("/api/applications/", {"program": klin.pk, **CRITERIA}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    refused = api.post(f"/api/applications/{pk}/submit/")
    assert refused.status_code == 400
    missing = refused.json()["errors"]
    assert {"rating", "attestation_category", "attestation_date", "publications"} <= set(missing)
    assert {"competences", "contests"} <= set(missing)
    assert missing["publications"] == ["Назовите хотя бы одну публикацию."]
    assert Application.objects.get(pk=pk).state == Application.State.DRAFT

    # A contest row without its level is refused row by row; nothing changes.
    bad = api.patch(
        f"/api/applications/{pk}/",
        {"contests": [{"title": "Учитель года"}]},
        format="json",
    )
    assert bad.status_code == 400 and "Строка 1" in " ".join(bad.json()["errors"]["contests"])
    assert api.patch(f"/api/applications/{pk}/", EVIDENCE, format="json").status_code == 200
    assert api.post(f"/api/applications/{pk}/submit/").status_code == 200
    application = Application.objects.get(pk=pk)
    assert application.state == Application.State.AT_METHODIST
    assert application.reg_number.startswith("МН-")

    # Another programme's methodist does not see it; the workshop's checks it.
    client = APIClient()
    client.force_authenticate(User.objects.get(username="methodist"))
    assert client.get(f"/api/applications/{pk}/").status_code == 404
    methodist, chair, secretary = people("klin_methodist", "klin_chair", "klin_secretary")
    act(methodist, application, decision="accept", comment="")
    signing_certificates([chair, secretary])
    meeting_decides(
        Council.objects.get(program=klin),
        {application: ("granted", "Принять в члены «Мастерской наставничества»")},
        secretary=secretary,
        meeting_date=MEETING,
    )
    status = Status.objects.get(application=application)
    assert status.order is None and status.program == klin
    assert status.valid_from == MEETING
    detail = api.get(f"/api/applications/{pk}/").json()
    assert detail["answers"]["contests"][0]["level"] == "regional"
    # Her certificate names her in the dative, grounded on the council's decision.
    from documents.models import Document
    from tests.documents_helpers import pdf_text

    certificate = Document.objects.get(kind=Document.Kind.STATUS_CERTIFICATE)
    with certificate.current_version.file.open("rb") as handle:
        printed = " ".join(pdf_text(handle.read()).split())
    assert "подтверждает, что Лавровой Ольге Петровне присвоен статус" in printed, printed
    assert "««" not in printed  # the workshop's name opens with its own quotes

    # The register of members (staff's page) shows who, since when, the grounds and her field.
    page = APIClient()
    page.force_login(methodist)
    register = page.get(reverse("registry") + f"?program={klin.code}").content.decode()
    assert "Лаврова" in register and "Наставничество в начальной школе" in register
    assert "«Гимназия № 1» г. Клин" in register and "Проектная деятельность" in register
    # Another programme's methodist opens no Klin register; the read of names is logged.
    other = APIClient()
    other.force_login(User.objects.get(username="methodist"))
    assert "Лаврова" not in other.get(reverse("registry") + "?program=klin-mn").content.decode()
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="personal_data.read", actor=methodist).exists()
    # The open registry names the membership, not the teacher (152-ФЗ).
    public = APIClient().get(reverse("public-registry")).content.decode()
    assert "Членство в «Мастерской наставничества»" in public and "Лаврова" not in public

    # Her yearly duty is the self-analysis of clause 4.5, due by the end of May.
    (duty,) = Duty.objects.filter(status=status)
    assert duty.kind == Duty.Kind.REPORT and str(duty).startswith("Самоанализ деятельности")
    assert duty.due_date.month in (5, 6)


@time_machine.travel(NOW, tick=False)
def test_the_self_analysis_asks_the_workshops_own_questions(client, klin):
    status, teacher = _member(klin)
    duty = Duty.objects.get(status=status)
    client.force_login(teacher)
    url = reverse("duty-detail", args=[duty.pk])
    page = client.get(url).content.decode()
    assert "Заседаний «Мастерской» посещено" in page and "Наставников" not in page
    post = {
        "action": "submit",
        "summary": "Провела два мастер-класса для молодых педагогов",
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "events-0-title": "Мастер-класс «Проектная задача»",
        "events-0-planned": "ноябрь",
        "events-0-held_on": "02.10.2026",
        "events-0-participants": "12",
        "events-0-result": "Проведён",
    }
    refused = client.post(url, {**post, "dissemination": "Выступление на РМО"})
    assert "Укажите число заседаний." in refused.content.decode()
    assert not Submission.objects.exists()
    # Without a yearly plan the events are optional: she reports none.
    no_events = {
        k: v for k, v in post.items() if not k.startswith("events-0-") and k != "events-TOTAL_FORMS"
    }
    sent = client.post(
        url,
        {
            **no_events,
            "events-TOTAL_FORMS": "0",
            "meetings_attended": "3",
            "dissemination": "Выступление на РМО",
            "publications-0-title": "Статья на сайте МУ «Методический кабинет»",
            "publications-0-where": "https://klin-mk.ru/news/1",
        },
    )
    assert sent.status_code == 302
    submission = Submission.objects.get()
    assert submission.answers["meetings_attended"] == 3
    assert submission.answers["publications"][0]["where"] == "https://klin-mk.ru/news/1"
    assert not submission.events.exists()
    # Its print form is her self-analysis, about her, signed by her: no platform's wording.
    from documents.models import Document
    from statuses import paper
    from tests.documents_helpers import pdf_text

    document = paper.submission_document(submission)
    document.refresh_from_db()
    with document.current_version.file.open("rb") as handle:
        printed = " ".join(pdf_text(handle.read()).split())
    assert (
        "САМОАНАЛИЗ ДЕЯТЕЛЬНОСТИ" in printed and "о деятельности Лавровой Ольги Петровны" in printed
    )
    assert "Составитель отчёта" in printed and "план / факт" not in printed
    assert "площадк" not in printed and Document.objects.filter(pk=document.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_leaving_at_ones_own_request_and_exclusion_are_the_councils_decisions(klin):
    from statuses.models import grounds_choices

    status, teacher = _member(klin)
    secretary, methodist = people("klin_secretary", "klin_methodist")
    case = status_services.termination_request(
        user=teacher, status_id=status.pk, reason="Переход на работу в другой округ"
    )
    later = MEETING + datetime.timedelta(days=30)
    council_considers(
        case, secretary=secretary, decision="adopted", text="Удовлетворить", meeting_date=later
    )
    case.refresh_from_db()
    status.refresh_from_db()
    assert case.state == TerminationCase.State.APPROVED and case.order is None
    assert status.state == Status.State.TERMINATED and status.ended_on == later

    # Exclusion: the workshop's methodist brings it on the workshop's own grounds.
    assert [code for code, _label in grounds_choices(klin)] == ["inactive", "reports"]
    other, _teacher = _member(klin, "klin_teacher2")
    case = status_services.termination_raise(
        user=methodist,
        status_id=other.pk,
        grounds="inactive",
        reason="Не участвовала в трёх заседаниях подряд",
    )
    council_considers(
        case, secretary=secretary, decision="adopted", text="Исключить", meeting_date=later
    )
    other.refresh_from_db()
    assert other.state == Status.State.TERMINATED
    assert other.end_reason.startswith("Систематическое неучастие")


@time_machine.travel(NOW, tick=False)
def test_a_members_proposal_goes_to_the_council_and_its_decision_back(client, klin):
    """3.5, 4.4 (4): members' proposals are recorded and put before the council; its decision
    (to submit it to МУ «Методический кабинет», or not) comes back to the member."""
    from councils import paper
    from councils.models import AgendaItem
    from notifications.models import Notification
    from statuses.models import ProblemNotice

    status, teacher = _member(klin)
    client.force_login(teacher)
    page = client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert 'value="proposal"' in page
    client.post(
        reverse("status-action", args=[status.pk]),
        {"action": "proposal", "description": "Провести окружной конкурс наставников"},
    )
    notice = ProblemNotice.objects.get(status=status)
    assert notice.kind == ProblemNotice.Kind.PROPOSAL
    secretary = User.objects.get(username="klin_secretary")
    assert Notification.objects.filter(recipient=secretary, subject__contains="вносит предложение")

    protocol = meeting_decides(
        Council.objects.get(program=klin),
        {
            notice: (
                "adopted",
                "Поддержать предложение и направить его в МУ «Методический кабинет».",
            )
        },
        secretary=secretary,
        meeting_date=MEETING + datetime.timedelta(days=7),
    )
    item = protocol.meeting.items.get()
    assert item.title.startswith("Предложение")
    assert paper.default_texts(item, outcome=AgendaItem.Outcome.ADOPTED)["decided"] == (
        "Поддержать предложение и направить его в МУ «Методический кабинет»."
    )
    notice.refresh_from_db()
    assert notice.state == ProblemNotice.State.CONSIDERED
    assert Notification.objects.filter(
        recipient=teacher, subject__contains="рассмотрел предложение"
    )


def test_a_programme_without_proposals_takes_none(granted_status, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        status_services.problem_report(
            user=coordinator, status_id=granted_status.pk, description="x", kind="proposal"
        )
