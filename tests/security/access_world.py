"""The world the access matrix is checked in: one programme with its council, two schools with a
case each, a meeting that decided both, a status, documents, and the nine people of the matrix.

School 1's case went the whole way (status granted by the paper order 125-р); school 2's was granted
at the same meeting and waits for the department, which has drafted its order in Docket. Built
once per test run of the matrix; every request is rolled back, so the world stays as built.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import roles, selectors, services
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    OrganisationFactory,
    ProgramFactory,
    UserFactory,
)
from tests.pdf_builder import build_pdf
from tests.story import (
    act,
    another_councils_secretary,
    council_of,
    meeting_decides,
    rendered,
    signing_certificates,
)

# The nine roles of issue 11, in the matrix's column order.
ROLES = (
    "anonymous",
    "coord1",
    "coord2",
    "member",
    "secretary",
    "chair",
    "official",
    "methodist",
    "other_programme",
)

MOMENT = datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Tomsk"))
PDF = build_pdf()  # a real, readable PDF: uploads are checked inside (documents.content_checks)


@dataclass
class World:
    people: dict = field(default_factory=dict)  # role → user (anonymous: None)
    targets: dict = field(default_factory=dict)  # target name → URL kwargs
    marks: dict = field(default_factory=dict)  # case → its registration number, as lists show it


def build_world() -> World:
    from councils.models import CouncilMember
    from documents.models import Document, Journal
    from notifications.models import Notification
    from statuses.models import NetworkReport
    from statuses.selectors import network_report_compile_data

    with time_machine.travel(MOMENT, tick=False):
        program = ProgramFactory()
        school1 = OrganisationFactory(short_name="Школа 1")
        school2 = OrganisationFactory(short_name="Школа 2")
        coord1 = CoordinatorFactory(username="coord1", organisation=school1)
        coord2 = CoordinatorFactory(username="coord2", organisation=school2)
        methodist = UserFactory(username="methodist", groups=[roles.METHODISTS])
        secretary = UserFactory(username="secretary", groups=[roles.SECRETARIES])
        official = UserFactory(username="official", groups=[roles.DEPARTMENT])
        council = council_of(program, secretary=secretary)
        chair = council.members.get(role=CouncilMember.Role.CHAIR).user
        member = council.members.filter(role=CouncilMember.Role.MEMBER).first().user
        signing_certificates([official])
        other = another_councils_secretary(staff=False)  # a seat on the Klin council only

        case1 = ApplicationFactory(organisation=school1, created_by=coord1, program=program)
        upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
        services.application_attach(application_id=case1.pk, user=coord1, uploaded=upload)
        attachment = case1.attachments.get()
        case2 = ApplicationFactory(organisation=school2, created_by=coord2, program=program)
        for case, coordinator in ((case1, coord1), (case2, coord2)):
            services.application_submit(application_id=case.pk, user=coordinator)
            case.refresh_from_db()
            act(methodist, case, decision="accept", comment="")
        protocol = meeting_decides(
            council,
            {case1: ("granted", "Соответствует"), case2: ("granted", "Соответствует")},
            secretary=secretary,
            meeting_date=MOMENT.date(),
        )
        act(
            official,
            case1,
            decision="approve",
            order_number="125-р",
            order_date=MOMENT.date(),
            comment="",
        )
        status1 = services.status_grant(application=case1)
        order2 = services.order_draft(application_id=case2.pk, user=official)
        rendered(order2.document)
        task2 = selectors.application_open_task(case2)

        item1 = protocol.meeting.items.get(subject_id=case1.pk)
        extract1 = protocol.extracts.get(item=item1)
        registered = Document.objects.get(kind="application", case_id=str(case1.pk))
        report = NetworkReport.objects.create(
            program=program,
            academic_year=2026,
            data=network_report_compile_data(program=program, academic_year=2026),
            compiled_at=timezone.now(),
            compiled_by=methodist,
        )
        notification = Notification.objects.filter(recipient=coord1).order_by("pk").first()
        # School 1 holds the status: its coordinator submits a practice to the bank (under
        # review: not in the open catalogue).
        from library import services as library

        program.keeps_practice_bank = True
        program.save()
        practice = library.practice_submit(
            user=coord1,
            program_id=program.pk,
            fields={
                "title": "Наставничество в первый год",
                "summary": "Описание практики",
                "subject": "Наставничество",
                "level": "teachers",
            },
            files=[SimpleUploadedFile("practice.pdf", PDF, content_type="application/pdf")],
        )
        material = practice.versions.get().files.get()
        # A community of the programme, curated by school 1's coordinator (a member).
        from communities import services as communities

        community = communities.community_create(
            user=methodist,
            program_id=program.pk,
            kind="young_teachers",
            name="Школа молодого педагога",
            curator_id=coord1.pk,
        )
        # The programme's plan of work drafted by the secretary (with the community's plan),
        # and an assignment the methodist gave school 1's coordinator (a member).
        from yearwork import services as yearwork

        communities.plan_item_add(
            user=coord1,
            community_id=community.pk,
            academic_year=2026,
            title="Семинар наставников",
            due=datetime.date(2027, 2, 1),
            responsible="Куратор",
        )
        work_plan = yearwork.work_plan_create(
            user=secretary, program_id=program.pk, academic_year=2026
        )
        assignment = yearwork.assignment_issue(
            user=methodist,
            program_id=program.pk,
            title="Подготовить обзор практик",
            description="",
            due=datetime.date(2026, 12, 20),
            assignee_id=coord1.pk,
        )

    world = World()
    world.people = {
        "anonymous": None,
        "coord1": coord1,
        "coord2": coord2,
        "member": member,
        "secretary": secretary,
        "chair": chair,
        "official": official,
        "methodist": methodist,
        "other_programme": other,
    }
    case1.refresh_from_db()
    case2.refresh_from_db()
    world.marks = {"case1": case1.reg_number, "case2": case2.reg_number}
    world.targets = {
        "-": {},
        "program": {"pk": program.pk},
        "case1": {"pk": case1.pk},
        "case2": {"pk": case2.pk},
        "attachment1": {"pk": case1.pk, "document_id": attachment.pk},
        "document1": {"pk": attachment.pk},
        "version1": {"pk": attachment.pk, "number": 1},
        "verify1": {"code": registered.verify_code},
        "journal": {"pk": Journal.objects.get(code="application").pk},
        "task2": {"pk": task2.pk},
        "order2": {"pk": order2.pk},
        "status1": {"pk": status1.pk},
        "duty1": {"pk": status1.duties.order_by("due_date").first().pk},
        "agreement1": {"pk": status1.agreements.get().pk},
        "network_report": {"pk": report.pk},
        "csv": {"fmt": "csv"},
        "council": {"pk": council.pk},
        "meeting1": {"pk": protocol.meeting_id},
        "item1": {"pk": item1.pk},
        "protocol1": {"pk": protocol.pk},
        "extract1": {"pk": extract1.pk},
        "notification_coord1": {"pk": notification.pk},
        "practice1": {"pk": practice.pk},
        "practice1_file": {"pk": practice.pk, "document_id": material.pk},
        "community1": {"pk": community.pk},
        "work_plan1": {"pk": work_plan.pk},
        "assignment1": {"pk": assignment.pk},
    }
    return world
