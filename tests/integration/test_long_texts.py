"""Real texts are long: the full official name of a Russian school, with its form, its patron
and its city, passes 250 characters; positions, addresses, topics and places are as long.
Only PostgreSQL enforces column lengths, so the walks through a case run there; the refusals
of texts over their limit hold on any database."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from applications import roles, services
from applications.forms import ApproveForm, CheckForm
from applications.models import Application
from core import limits
from councils import selectors as council_selectors
from councils import services as councils
from documents.models import Document, Journal, stored_file_name
from documents.services import document_create
from notifications.models import Notification
from statuses import paper
from statuses import services as status_services
from statuses.forms import SubmissionEventForm, SubmissionForm
from statuses.models import Agreement, AgreementSettings, Duty, Status
from tests.factories import (
    CoordinatorFactory,
    CouncilFactory,
    CouncilMemberFactory,
    OrganisationFactory,
    ProgramFactory,
    UserFactory,
    russian_text,
)
from tests.pdf_builder import build_pdf
from tests.story import act, council_considers, council_of, granted, rendered, signing_certificates

TOMSK = ZoneInfo("Asia/Tomsk")
GRANT_DAY = datetime.date(2026, 11, 20)
MORNING = datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK)
PDF = build_pdf()  # a real, readable PDF: uploads are checked inside (documents.content_checks)

LONG_SCHOOL = (
    "Муниципальное автономное общеобразовательное учреждение «Средняя общеобразовательная "
    "школа № 7 с углублённым изучением отдельных предметов имени Героя Советского Союза "
    "Николая Фёдоровича Ватутина» муниципального образования «Город Томск» Томской области"
)
LINE = limits.LINE
LONG_TEXT = 20_000  # texts without a limit (goals, decisions, comments): long, as pasted


def text(length=LINE, start=""):
    return russian_text(length, start)


def test_a_school_with_a_long_full_name_gets_its_status_and_agreement(
    postgres, program, methodist, secretary, official, django_capture_on_commit_callbacks
):
    """The grant job drafts the agreement with a signatory "<role>: <full name>"; a full name of
    250+ characters used to overflow that column and the status never reached the registry."""
    assert len(LONG_SCHOOL) > 250
    school = OrganisationFactory(name=LONG_SCHOOL, short_name="МАОУ СОШ № 7 им. Н. Ф. Ватутина")
    coordinator = CoordinatorFactory(username="coord_long", organisation=school)
    with time_machine.travel(MORNING, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            status = granted(
                coordinator=coordinator,
                school=school,
                program=program,
                methodist=methodist,
                secretary=secretary,
                official=official,
                on=GRANT_DAY,
            )
    assert Status.objects.filter(organisation=school, state=Status.State.ACTIVE).exists()
    agreement = Agreement.objects.get(status=status)
    assert agreement.parties.get(role="school").name == LONG_SCHOOL
    roles_signed_in = list(agreement.document.signatories.values_list("role", flat=True))
    assert any(LONG_SCHOOL in role for role in roles_signed_in)


def test_the_demo_school_7_gets_its_status_on_postgresql(
    postgres, django_capture_on_commit_callbacks
):
    """The case of the report: `coord1`'s school of the demo data has its real full name (103
    characters) and its every grant failed with "value too long"; the case stayed at "status
    being entered in the registry" and the school never reached the registry."""
    import io

    from django.core.management import call_command

    from accounts.models import User
    from programmes.models import Organisation, Program

    call_command("seed_demo", stdout=io.StringIO())
    school = Organisation.objects.get(short_name="МАОУ СОШ № 7")
    assert len(school.name) > 100  # the demo keeps the real name
    people = {u.username: u for u in User.objects.all()}
    with time_machine.travel(MORNING, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            granted(
                coordinator=people["coord1"],
                school=school,
                program=Program.objects.get(code="tomsk-ms"),
                methodist=people["methodist"],
                secretary=people["secretary"],
                official=people["official"],
                on=GRANT_DAY,
            )
    assert school.name in APIClient().get("/public/registry/").content.decode()


# --- The whole case with every text at its limit ----------------------------------------------


def _longest_application(school) -> dict:
    """Приложение 1 as the API takes it, each field as long as the form allows."""
    email_domain = f"{'a' * 63}.{'b' * 63}.{'c' * 58}.ru"
    return {
        "organisation": school.pk,
        "topic": text(start="Наставничество как ресурс профессиональной адаптации"),
        "direction": "competence",
        "goals": text(LONG_TEXT, "Профессиональное развитие молодых учителей"),
        "tasks": text(LONG_TEXT, "Организовать сетевые семинары и мастер-классы"),
        "expected_results": text(LONG_TEXT, "Рост профессиональной компетентности"),
        "responsible_name": text(start="Иванова Мария Петровна"),
        "responsible_position": text(start="Заместитель директора по учебно-воспитательной"),
        "responsible_phone": text(64, "+7 3822 00-00-00, доб."),
        "responsible_email": f"{'m' * 64}@{email_domain}",
        "partners": "\n".join(
            text(limits.ORGANISATION_NAME, f"{n}. Федеральное государственное бюджетное")
            for n in (1, 2)
        ),
        "planned_events": [
            {
                "year_index": year,
                "title": text(start=f"Сетевой семинар, год {year}"),
                "timing": text(start="в течение учебного года по отдельному графику"),
                "audience": text(start="молодые педагоги и наставники"),
            }
            for year in (1, 2, 3)
        ],
    }


def _valid(form_class, data, **kwargs):
    form = form_class(data=data, **kwargs)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def _meeting_with_long_texts(council, application, *, secretary, on):
    """The council meets at a place described at length, with an invited guest, a free question
    on which one member does not vote, and long minutes; chair and secretary sign."""
    meeting = councils.meeting_create(
        council_id=council.pk, user=secretary, date=on, place=text(start="МАУ ИМЦ, актовый зал")
    )
    case = councils.agenda_item_add(
        meeting_id=meeting.pk,
        user=secretary,
        subject="workflows.application",
        subject_id=application.pk,
    )
    free = councils.agenda_item_add(
        meeting_id=meeting.pk, user=secretary, title=text(start="О плане работы совета")
    )
    seats = list(council_selectors.members_on(council, on))
    guest = {"name": text(start="Петрова Анна Ивановна"), "position": text(start="директор")}
    councils.attendance_record(
        meeting_id=meeting.pk, user=secretary, member_ids=[s.pk for s in seats], guests=[guest]
    )
    councils.meeting_open(meeting_id=meeting.pk, user=secretary)
    member = next(s for s in seats if s.role == "member")
    councils.item_recuse(
        item_id=free.pk, user=secretary, member_id=member.pk, reason=text(start="Конфликт")
    )
    for item in (case, free):
        councils.item_voting_start(item_id=item.pk, user=secretary)
        for seat in council_selectors.item_eligible(item):
            councils.vote_cast(item_id=item.pk, user=seat.user, choice="for")
        councils.item_close(
            item_id=item.pk,
            user=secretary,
            heard=text(LONG_TEXT, "Секретарь совета"),
            spoke=text(LONG_TEXT, "Председатель совета"),
            decided=text(LONG_TEXT, "Присвоить статус сетевой площадки"),
            postpone=False,
        )
    protocol = councils.meeting_close(meeting_id=meeting.pk, user=secretary)
    rendered(protocol.document)
    chair = council_selectors.meeting_chair(meeting)
    councils.protocol_sign(protocol_id=protocol.pk, user=chair.user)
    councils.protocol_sign(protocol_id=protocol.pk, user=secretary)
    return meeting


@time_machine.travel(MORNING, tick=False)
def test_the_whole_case_with_every_text_at_its_limit(postgres, django_capture_on_commit_callbacks):
    """Application → council → order → status → agreement (and a partner added) → yearly plan
    accepted by the council, with every text a person types as long as it may be, in Russian,
    through the forms and the API that take them; the background jobs run after each commit."""
    run = django_capture_on_commit_callbacks
    program = ProgramFactory(longest=True)
    school = OrganisationFactory(longest=True)
    coordinator = CoordinatorFactory(username="coordinator", organisation=school, longest=True)
    methodist = UserFactory(username="methodist", groups=[roles.METHODISTS], longest=True)
    secretary = UserFactory(username="secretary", groups=[roles.SECRETARIES], longest=True)
    official = UserFactory(username="official", groups=[roles.DEPARTMENT], longest=True)
    council = CouncilFactory(program=program, longest=True)
    for username, role in (("chair", "chair"), ("member1", "member"), ("member2", "member")):
        CouncilMemberFactory(
            council=council, user__username=username, user__longest=True, role=role
        )
    council_of(program, secretary=secretary)
    AgreementSettings.objects.create(
        program=program,
        office_name=text(limits.ORGANISATION_NAME, "Муниципальное автономное учреждение"),
        office_signer=methodist,
        office_signer_position=text(start="Директор МАУ ИМЦ"),
    )
    signing_certificates([coordinator, methodist, official])
    api = APIClient()
    api.force_authenticate(coordinator)

    # The school fills Приложение 1 through the API, attaches a file with a long title and
    # a long Cyrillic name, and submits: registered, its PDF rendered.
    with run(execute=True):
        response = api.post("/api/applications/", _longest_application(school), format="json")
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        file_name = text(240, "Заявка на присвоение статуса сетевой площадки") + ".pdf"
        response = api.post(
            f"/api/applications/{pk}/attachments/",
            {
                "file": SimpleUploadedFile(file_name, PDF, content_type="application/pdf"),
                "title": text(start="Заявка с подписью директора"),
            },
            format="multipart",
        )
        assert response.status_code == 201, response.json()
        response = api.post(f"/api/applications/{pk}/submit/")
        assert response.status_code == 200, response.json()
    application = Application.objects.get(pk=pk)
    assert application.topic == _longest_application(school)["topic"]
    assert application.reg_number

    # The methodist accepts it with a long comment; the council grants it at a meeting.
    with run(execute=True):
        act(
            methodist,
            application,
            **_valid(
                CheckForm,
                {
                    "decision": "accept",
                    "comment": text(LONG_TEXT, "Комплект документов полон"),
                },
            ),
        )
        _meeting_with_long_texts(council, application, secretary=secretary, on=GRANT_DAY)
    application.refresh_from_db()
    assert application.state == Application.State.AT_DEPARTMENT

    # The official drafts the order in Docket (it lists the school by its full name),
    # signs it, and the background job enters the status in the registry.
    _valid(
        ApproveForm,
        {
            "decision": "approve",
            "order_number": text(64, "125-р"),
            "order_date": GRANT_DAY.strftime("%d.%m.%Y"),
            "comment": text(LONG_TEXT, "Замечаний нет"),
        },
    )
    with run(execute=True):
        order = services.order_draft(application_id=application.pk, user=official)
        rendered(order.document)
        services.order_sign_and_approve(application_id=application.pk, user=official)
    status = Status.objects.get(application=application)
    assert status.state == Status.State.ACTIVE and status.topic == application.topic
    registry = APIClient().get("/public/registry/").content.decode()
    assert school.name in registry

    # The cooperation agreement: school, office and the two partners of the application.
    agreement = Agreement.objects.get(status=status, number=0)
    names = list(agreement.parties.values_list("name", flat=True))
    office = AgreementSettings.objects.get().office_name
    assert names == [school.name, office, *application.partners.splitlines()]
    assert any(
        school.name in r for r in agreement.document.signatories.values_list("role", flat=True)
    )
    told = Notification.objects.filter(dedup_key=f"agreement:{agreement.pk}:draft").first()
    assert school.short_name in told.subject  # whole, never cut
    with run(execute=True):
        rendered(agreement.document)
        for user in (coordinator, methodist):
            paper.agreement_sign(user=user, agreement_id=agreement.pk)
        for party in agreement.parties.filter(signer=None):
            paper.agreement_paper_signature_record(
                user=methodist, party_id=party.pk, signed_on=GRANT_DAY
            )
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.REGISTERED

    # A methodist adds an outside partner named at full length: a supplementary agreement.
    with run(execute=True):
        supplement = paper.agreement_partner_add(
            user=methodist,
            status_id=status.pk,
            name=text(limits.ORGANISATION_NAME, "Автономная некоммерческая организация"),
            signer_name=text(start="Сидоров Пётр Петрович"),
            signer_position=text(start="Генеральный директор"),
        )
        rendered(supplement.document)
    assert supplement.parties.filter(is_new=True).count() == 1

    # The first yearly plan: sent through the forms, accepted by the methodist and then by
    # the council at its next meeting.
    duty = status.duties.filter(kind=Duty.Kind.PLAN).order_by("due_date").first()
    fields = _valid(SubmissionForm, {"summary": text(LONG_TEXT, "План работы")})
    event = _valid(
        SubmissionEventForm,
        {
            "title": text(start="Сетевой семинар молодых педагогов"),
            "planned": text(start="октябрь, вторая среда месяца"),
            "result": text(LONG_TEXT, "Проведён"),
            "deviation": "",
            "reason": "",
        },
    )
    with run(execute=True):
        submission = status_services.submission_create(
            user=coordinator,
            duty_id=duty.pk,
            fields=fields,
            events=[{k: v for k, v in event.items() if k in ("title", "planned", "result")}],
        )
        rendered(paper.submission_document(submission))
        status_services.submission_check(
            user=methodist,
            submission_id=submission.pk,
            decision="accept",
            comment=text(LONG_TEXT, "Принято"),
        )
        council_considers(
            submission,
            secretary=secretary,
            decision="adopted",
            text=text(LONG_TEXT, "Утвердить план работы"),
            meeting_date=GRANT_DAY,
        )
    duty.refresh_from_db()
    assert duty.state == Duty.State.ACCEPTED
    failed = Document.objects.exclude(render_state__in=["", "ready"])
    assert not failed.exists(), [(d.title[:40], d.render_error) for d in failed]


# --- One character more is refused, with a clear message, before anything is written ----------

TOO_LONG = "не более 1000 символов"  # Django's translated message, with the limit


def test_the_api_refuses_an_application_text_over_its_limit(coordinator, school, program):
    api = APIClient()
    api.force_authenticate(coordinator)
    data = {**_longest_application(school), "topic": text(LINE + 1, "Наставничество")}
    data["planned_events"][0]["title"] = text(LINE + 1, "Семинар")
    response = api.post("/api/applications/", data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert TOO_LONG in errors["topic"][0] and "(сейчас 1001)" in errors["topic"][0]
    assert TOO_LONG in errors["planned_events.0.title"][0]
    assert not Application.objects.exists()


def test_an_organisation_name_over_its_limit_is_refused_by_its_form(db):
    from django.forms import modelform_factory

    from programmes.models import Organisation

    form_class = modelform_factory(Organisation, fields=["name", "short_name", "address"])
    form = form_class(
        data={
            "name": text(limits.ORGANISATION_NAME + 1, "Муниципальное"),
            "short_name": text(limits.ORGANISATION_SHORT_NAME + 1, "МАОУ"),
            "address": text(LINE, "634050, г. Томск"),
        }
    )
    assert not form.is_valid()
    assert "не более 1000 символов" in form.errors["name"][0]
    assert "не более 510 символов" in form.errors["short_name"][0]
    assert "address" not in form.errors
    assert form.fields["name"].widget.input_type == "text"  # one line, however long
    # The admin's form too: a line break in a name would break the e-mails that quote it.
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    admin_form = admin.site._registry[Organisation].get_form(request)
    assert admin_form.base_fields["name"].widget.input_type == "text"
    assert admin_form.base_fields["name"].max_length == limits.ORGANISATION_NAME


def test_council_texts_over_their_limit_are_refused_not_cut(program, secretary):
    council = council_of(program, secretary=secretary)
    with pytest.raises(ValidationError) as refused:
        councils.meeting_create(
            council_id=council.pk, user=secretary, date=GRANT_DAY, place=text(LINE + 1, "Зал")
        )
    assert TOO_LONG in refused.value.message_dict["place"][0]
    assert not council.meetings.exists()
    meeting = councils.meeting_create(council_id=council.pk, user=secretary, date=GRANT_DAY)
    api = APIClient()
    api.force_authenticate(secretary)
    response = api.post(
        f"/api/meetings/{meeting.pk}/items/", {"title": text(LINE + 1, "О плане")}, format="json"
    )
    assert response.status_code == 400 and TOO_LONG in response.json()["errors"]["title"][0]
    assert not meeting.items.exists()  # it used to be cut to 500 characters and added
    response = api.post(
        f"/api/meetings/{meeting.pk}/attendance/",
        {"members": [], "guests": [{"name": text(LINE + 1, "Петрова")}]},
        format="json",
    )
    assert response.status_code == 400
    assert not meeting.attendance.exists()


def test_a_journal_whose_numbers_would_not_fit_is_refused(db):
    journal = Journal(code="order", scope="tomsk-ms", prefix="Р" * 32, suffix="ДО" * 16)
    journal.pattern = "{prefix}-{year}/{seq}-{suffix}"
    with pytest.raises(ValidationError, match="до 81 символов"):
        journal.full_clean()
    journal.suffix = "ДО"
    journal.full_clean()


def test_a_long_cyrillic_file_name_is_stored_cut_and_downloaded_whole(coordinator):
    """Disks allow 255 bytes a name and a Cyrillic letter takes two: the upload used to fail
    with "File name too long"."""
    name = text(240, "Заявка на присвоение статуса сетевой площадки") + ".pdf"
    upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    document = document_create(uploaded=upload, author=coordinator, title="")
    version = document.current_version
    assert version.original_name == name and document.title == name
    stored = version.file.name.rsplit("/", 1)[1]
    assert stored.endswith(".pdf") and len(stored.encode()) <= 255
    assert stored_file_name("план.pdf") == "план.pdf"
    with version.file.open("rb") as handle:
        assert handle.read() == PDF


def test_a_certificate_for_a_long_russian_name_keeps_the_name_whole(db):
    """cryptography bounds a common name to 64 bytes of UTF-8 (32 Cyrillic letters): issuing
    a certificate to «Константинопольская Александра Владиславовна» used to fail."""
    from documents import pki
    from documents.services import signer_certificate_issue

    user = UserFactory(
        last_name="Константинопольская", first_name="Александра", middle_name="Владиславовна"
    )
    row = signer_certificate_issue(user=user, organisation=LONG_SCHOOL)
    cert = pki.cert_load(row.certificate_pem)
    assert pki.owner_name(cert) == "Константинопольская Александра Владиславовна"
    assert len(pki.common_name(cert).encode()) <= 64


def test_a_long_position_takes_one_line_of_the_signature_mark(db):
    """A signer without a position signs an agreement in the role "<party>: <full name>": the
    mark shrinks to its longest line, so that line is cut, and the others stay readable."""
    from documents import pki
    from documents.services import signer_certificate_issue

    row = signer_certificate_issue(user=UserFactory())
    cert = pki.cert_load(row.certificate_pem)
    lines = pki.stamp_lines(cert=cert, position=f"Сетевая площадка: {LONG_SCHOOL}")
    assert lines[3].startswith("Сетевая площадка: Муниципальное автономное")
    assert lines[3].endswith("…") and len(lines[3]) == pki.STAMP_POSITION_CHARS
    assert pki.stamp_lines(cert=cert, position="Директор")[3] == "Директор"
