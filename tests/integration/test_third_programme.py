"""A programme no code was written for: the municipal contest «Педагогический дебют», set up by
an administrator in the admin alone. A teacher applies in his own name with four fields and an
essay, the methodist checks it, the council's decision settles it (no order), the status lasts
one year with one yearly report. Driven through the pages as the people use them."""

import datetime
import json
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import roles, selectors
from applications.flows import CouncilSettledFlow
from applications.models import Application
from councils.models import Council
from programmes.models import Organisation, Program
from statuses import paper
from statuses.models import Duty, Status
from tests.documents_helpers import docx_text, pdf_text
from tests.factories import UserFactory
from tests.pdf_builder import build_pdf
from tests.story import act, meeting_decides, signing_certificates

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
MEETING = datetime.date(2026, 10, 20)
TITLE = (
    "Муниципальный конкурс профессионального мастерства молодых педагогов «Педагогический "
    "дебют» среди педагогических работников муниципальных образовательных организаций, "
    "подведомственных департаменту образования администрации городского округа, "
    "со стажем работы до трёх лет"
)
STATUS = "Лауреат муниципального конкурса «Педагогический дебют»"
DEFINITION = {
    "sections": [
        {
            "title": {"ru": "Сведения об участнике", "en": "The participant"},
            "fields": [
                {
                    "name": "topic",
                    "type": "line",
                    "column": "topic",
                    "label": {"ru": "Тема открытого урока", "en": "Topic of the open lesson"},
                    "required": {"ru": "Укажите тему урока.", "en": "State the topic."},
                },
                {
                    "name": "school_name",
                    "type": "line",
                    "label": {"ru": "Место работы", "en": "Workplace"},
                    "required": True,
                },
                {
                    "name": "experience",
                    "type": "integer",
                    "label": {"ru": "Педагогический стаж, лет", "en": "Experience, years"},
                    "required": True,
                },
                {
                    "name": "subject",
                    "type": "choice",
                    "label": {"ru": "Предмет", "en": "Subject"},
                    "choices": [
                        ["math", {"ru": "Математика", "en": "Mathematics"}],
                        ["russian", {"ru": "Русский язык", "en": "Russian"}],
                    ],
                    "required": True,
                },
            ],
        }
    ],
    "attachments": [
        {"kind": "essay", "label": {"ru": "Эссе «Я — педагог»", "en": "Essay"}, "required": True}
    ],
}


def _bytes(version) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


def _management(page: str) -> dict:
    """The inline formsets' management fields as the admin page sent them."""
    return dict(
        re.findall(
            r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"', page
        )
    )


def _prefix(page: str, model: str) -> str:
    return re.search(rf'name="({model}[\w]*)-TOTAL_FORMS"', page).group(1)


def _admin_add(client, url_name: str, data: dict, inline: tuple[str, list[dict]] | None = None):
    url = reverse(url_name)
    page = client.get(url).content.decode()
    posted = {**_management(page), **data}
    if inline:
        model, rows = inline
        prefix = _prefix(page, model)
        posted[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            posted.update({f"{prefix}-{index}-{k}": v for k, v in row.items()})
    response = client.post(url, posted)
    assert response.status_code == 302, re.findall(
        r'class="errorlist[^"]*"[^<]*<li>([^<]+)', response.content.decode()
    )


@pytest.fixture
def people(db):
    methodist = UserFactory(username="debut_methodist", groups=[roles.METHODISTS], serves=[])
    secretary = UserFactory(username="debut_secretary", groups=[roles.SECRETARIES], serves=[])
    chair = UserFactory(username="debut_chair", serves=[])
    member = UserFactory(username="debut_member", serves=[])
    teacher = UserFactory(
        username="teacher", last_name="Подгорнова", first_name="Евдокия", middle_name="Игнатьевна"
    )
    tomsk_methodist = UserFactory(username="tomsk_methodist", groups=[roles.METHODISTS])
    return {
        "methodist": methodist,
        "secretary": secretary,
        "chair": chair,
        "member": member,
        "teacher": teacher,
        "tomsk_methodist": tomsk_methodist,
    }


def _set_up_in_the_admin(client, people) -> Program:
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    group = {g.name: g.pk for g in Group.objects.all()}
    _admin_add(
        client,
        "admin:programmes_program_add",
        {
            "code": "debut",
            "title": TITLE,
            "council_name": "Жюри конкурса «Педагогический дебют»",
            "authority_name": "Управление образования администрации городского округа",
            "status_name": STATUS,
            "status_term_years": "1",
            "academic_year_start_month": "9",
            "registration_prefix": "ПД",
            "document_place": "г. Клин",
            "is_active": "on",
            "applicants": "persons",
            "review_shape": "check_council",
        },
        inline=(
            "staff",
            [
                {"user": people["methodist"].pk, "group": group[roles.METHODISTS]},
                {"user": people["secretary"].pk, "group": group[roles.SECRETARIES]},
            ],
        ),
    )
    program = Program.objects.get(code="debut")
    _admin_add(
        client,
        "admin:programmes_formversion_add",
        {"program": program.pk, "definition": json.dumps(DEFINITION), "note": "Положение 2026"},
    )
    _admin_add(
        client,
        "admin:statuses_dutyschedule_add",
        {
            "program": program.pk,
            "plan_due_month": "9",
            "plan_due_day": "15",
            "first_plan_working_days": "10",
            "report_due_month": "6",
            "report_due_day": "1",
            "reminder_working_days": "14,3",
            "grace_working_days": "5",
            "renewal_invite_months": "2",
            "report_form": json.dumps(REPORT_FORM),
            "report_name": "Отчёт лауреата",
        },  # "asks_plan" left off: one yearly report, no plan
    )
    seat = {"valid_from": "01.01.2026"}
    _admin_add(
        client,
        "admin:councils_council_add",
        {
            "program": program.pk,
            "name": "Жюри конкурса «Педагогический дебют»",
            "quorum_rule": "more_than_half",
            "decision_rule": "majority_of_present",
            "tie_rule": "chair_decides",
            "min_meetings_per_year": "0",
        },
        inline=(
            "members",
            [
                {"user": people["chair"].pk, "role": "chair", **seat},
                {"user": people["secretary"].pk, "role": "secretary", **seat},
                {"user": people["member"].pk, "role": "member", **seat},
            ],
        ),
    )
    client.logout()
    return program


@time_machine.travel(NOW, tick=False)
def test_a_contest_set_up_in_the_admin_runs_a_teachers_case_to_its_status(client, people):
    program = _set_up_in_the_admin(client, people)
    assert program.for_persons and program.settled_by_council

    # The teacher, who acts for no organisation, applies in his own name.
    teacher = people["teacher"]
    client.force_login(teacher)
    page = client.get(reverse("application-create") + f"?program={program.pk}").content.decode()
    assert "Вы подаёте заявку от своего имени" in page and 'name="organisation"' not in page
    assert "Тема открытого урока" in page and "Эссе" not in page
    response = client.post(
        reverse("application-create"),
        {
            "program": program.pk,
            "topic": "Дроби на уроке математики в 5 классе",
            "school_name": "МОУ «Гимназия № 2»",
            "experience": "2",
            "subject": "math",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(program=program)
    applicant = Organisation.objects.get(person=teacher)
    assert application.organisation == applicant and applicant.short_name == "Подгорнова Е. И."
    detail = reverse("application-detail", args=[application.pk])

    # Without the essay the submission is refused and says what is missing.
    response = client.post(reverse("application-submit", args=[application.pk]))
    check = client.get(response["Location"]).content.decode()
    assert "Приложите файл «Эссе «Я — педагог»»" in check
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT
    assert "ещё не приложен" in client.get(detail).content.decode()

    essay = SimpleUploadedFile("essay.pdf", build_pdf(), content_type="application/pdf")
    client.post(
        reverse("application-attach", args=[application.pk]), {"file": essay, "kind": "essay"}
    )
    client.post(reverse("application-submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == Application.State.AT_METHODIST
    assert application.reg_number == "ПД-2026/0001"
    assert application.process.flow_class is CouncilSettledFlow

    # The printed application lays out the contest's own answers and the essay, signed by her.
    (printed,) = [
        d for d in selectors.application_documents(application) if d.kind == "application"
    ]
    printed.refresh_from_db()
    pdf = pdf_text(_bytes(printed.current_version))
    docx = docx_text(_bytes(printed.editable_version))
    for text in (pdf, docx):
        assert "Педагогический стаж, лет" in text and "Математика" in text, text[:500]
        assert "Эссе «Я — педагог»" in text and "Заявитель" in text
        assert "Тема площадки" not in text

    # Only this programme's staff see the case; Tomsk's methodist does not.
    client.force_login(people["tomsk_methodist"])
    assert client.get(detail).status_code == 404
    client.force_login(people["methodist"])
    assert client.get(detail).status_code == 200
    act(people["methodist"], application, decision="accept", comment="")

    # The jury (the programme's council, set up in the admin) decides; no order follows.
    council = Council.objects.get(program=program)
    signing_certificates([people["chair"], people["secretary"]])
    meeting_decides(
        council,
        {application: ("granted", "Присвоить звание лауреата")},
        secretary=people["secretary"],
        meeting_date=MEETING,
    )
    status = Status.objects.get(application=application)
    assert status.order is None and status.organisation == applicant
    assert (status.valid_until - status.valid_from).days < 366
    duties = list(Duty.objects.filter(status=status).values_list("kind", flat=True))
    assert duties == [Duty.Kind.REPORT]

    # The open registry lists the status under its own name, without the teacher's name.
    client.logout()
    public = client.get(reverse("public-registry")).content.decode()
    assert STATUS in public and "Дроби на уроке математики" in public
    assert "Подгорнова" not in public


REPORT_FORM = {
    "sections": [
        {
            "title": {"ru": "Итоги года лауреата", "en": "The laureate's year"},
            "fields": [
                {
                    "name": "open_lessons",
                    "type": "integer",
                    "label": {"ru": "Открытых уроков проведено", "en": "Open lessons given"},
                    "required": {"ru": "Укажите число уроков.", "en": "Give the number."},
                },
                {
                    "name": "dissemination",
                    "type": "text",
                    "column": "dissemination",
                    "label": {"ru": "Как я делился опытом", "en": "How I shared my experience"},
                },
            ],
        }
    ]
}


def _granted_by_the_jury(client, people, program) -> Status:
    """The teacher's case through the pages to the jury's signed decision."""
    client.force_login(people["teacher"])
    answers = {"topic": "Дроби", "school_name": "МОУ «Гимназия № 2»", "experience": "2"}
    client.post(
        reverse("application-create"), {"program": program.pk, **answers, "subject": "math"}
    )
    application = Application.objects.get(program=program)
    essay = SimpleUploadedFile("essay.pdf", build_pdf(), content_type="application/pdf")
    client.post(
        reverse("application-attach", args=[application.pk]), {"file": essay, "kind": "essay"}
    )
    client.post(reverse("application-submit", args=[application.pk]))
    act(people["methodist"], application, decision="accept", comment="")
    signing_certificates([people["chair"], people["secretary"]])
    meeting_decides(
        Council.objects.get(program=program),
        {application: ("granted", "Присвоить звание лауреата")},
        secretary=people["secretary"],
        meeting_date=MEETING,
    )
    return Status.objects.get(application=application)


def _report_post(**answers) -> dict:
    return {
        "action": "submit",
        "summary": "Год лауреата",
        **answers,
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "events-0-title": "Открытый урок для молодых педагогов района",
        "events-0-planned": "февраль",
        "events-0-held_on": "01.10.2026",
        "events-0-participants": "14",
        "events-0-result": "Проведён",
    }


@time_machine.travel(NOW, tick=False)
def test_the_contests_report_asks_its_own_indicators(client, people):
    """The reporting calendar set up in the admin holds the report's fields: the laureate's
    report page asks for them (not another programme's counts), a missing one is refused with
    the definition's message, and the submission and its print form show them."""
    from statuses.models import Submission

    program = _set_up_in_the_admin(client, people)
    status = _granted_by_the_jury(client, people, program)
    duty = Duty.objects.get(status=status)
    client.force_login(people["teacher"])
    url = reverse("duty-detail", args=[duty.pk])
    page = client.get(url).content.decode()
    assert str(duty).startswith("Отчёт лауреата ") and str(duty) in page
    assert "Открытых уроков проведено" in page and "Как я делился опытом" in page
    assert "Наставников" not in page and 'name="mentors"' not in page

    page = client.post(url, _report_post(dissemination="Выступление на августовском совещании"))
    text = page.content.decode()
    assert "Укажите число уроков." in text
    assert 'id="id_open_lessons_error"' in text  # beside its field, not only at the top
    assert "Выступление на августовском совещании" in text  # what was typed stays
    future = {**_report_post(open_lessons="3"), "events-0-held_on": "12.02.2027"}
    assert "не может быть проведено позже" in client.post(url, future).content.decode()
    assert not Submission.objects.filter(duty=duty).exists()

    response = client.post(url, _report_post(open_lessons="3", dissemination="Выступление"))
    assert response.status_code == 302
    submission = Submission.objects.get(duty=duty)
    assert submission.answers == {"open_lessons": 3, "dissemination": "Выступление"}
    assert submission.dissemination == "Выступление" and submission.mentors is None
    assert submission.form == REPORT_FORM
    page = client.get(url).content.decode()
    assert "Открытых уроков проведено: 3" in page

    document = paper.submission_document(submission)
    document.refresh_from_db()
    for text in (
        pdf_text(_bytes(document.current_version)),
        docx_text(_bytes(document.editable_version)),
    ):
        assert "Открытых уроков проведено" in text and "Как я делился опытом" in text, text
        assert "Наставников" not in text
        # No other programme's wording: no Tomsk appendix, no «площадка».
        assert "Приложение 2" not in text and "площадк" not in text, text
    # The contest drafts no cooperation agreement: its status page offers none.
    status_page = client.get(reverse("status-detail", args=[status.pk])).content.decode()
    assert "Договор о сотрудничестве" not in status_page


def test_the_contest_refuses_organisations_and_its_own_staff(client, people, school, coordinator):
    from django.core.exceptions import ValidationError

    from applications import services
    from core.errors import NotAllowed

    program = _set_up_in_the_admin(client, people)
    with pytest.raises(ValidationError):
        services.application_create(
            user=coordinator, organisation=school, program=program, fields={}, events=[]
        )
    with pytest.raises(NotAllowed):
        services.application_create(
            user=people["methodist"], organisation=None, program=program, fields={}, events=[]
        )
    assert not Application.objects.filter(program=program).exists()
    # The programme's own staff are not offered its form.
    client.force_login(people["methodist"])
    assert client.get(reverse("application-create") + f"?program={program.pk}").status_code == 404
