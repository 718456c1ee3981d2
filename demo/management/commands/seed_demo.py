"""Demo data for the embedded default: the Tomsk programme, its people and two schools, the
Tomsk coordination council, and the Klin mentoring workshop with its methodical council.

Local and test settings only (core.demo): its passwords are in the README.
"""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from applications import regulations, roles
from core.demo import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    demo_data_guard,
    demo_flag_add,
)
from councils.models import Council, CouncilMember
from programmes import services as programme_services
from programmes.models import Organisation, OrganisationMembership, Program, ProgrammeStaff
from statuses.models import DutySchedule

# username, last, first, patronymic, position, role group
PEOPLE = [
    ("methodist", "Соколова", "Елена", "Викторовна", "Методист МАУ ИМЦ", roles.METHODISTS),
    (
        "chair",
        "Орлов",
        "Андрей",
        "Николаевич",
        "Директор МАУ ИМЦ, председатель совета",
        roles.COUNCIL_MEMBERS,
    ),
    (
        "secretary",
        "Белова",
        "Ирина",
        "Сергеевна",
        "Заместитель директора МАУ ИМЦ, секретарь совета",
        roles.SECRETARIES,
    ),
    (
        "member1",
        "Кузнецова",
        "Ольга",
        "Павловна",
        "Представитель департамента образования",
        roles.COUNCIL_MEMBERS,
    ),
    (
        "member2",
        "Фёдоров",
        "Дмитрий",
        "Алексеевич",
        "Координатор сетевой площадки",
        roles.COUNCIL_MEMBERS,
    ),
    (
        "member3",
        "Морозова",
        "Анна",
        "Игоревна",
        "Куратор клуба «Молодой специалист»",
        roles.COUNCIL_MEMBERS,
    ),
    (
        "official",
        "Волков",
        "Сергей",
        "Петрович",
        "Начальник отдела департамента образования",
        roles.DEPARTMENT,
    ),
]
SCHOOLS = [
    (
        "coord1",
        "Лебедева",
        "Наталья",
        "Юрьевна",
        "Муниципальное автономное общеобразовательное учреждение средняя общеобразовательная школа № 7 г. Томска",
        "МАОУ СОШ № 7",
    ),
    (
        "coord2",
        "Никитин",
        "Павел",
        "Олегович",
        "Муниципальное автономное общеобразовательное учреждение гимназия № 18 г. Томска",
        "МАОУ гимназия № 18",
    ),
]


Role = CouncilMember.Role
TOMSK_SEATS = [
    ("chair", Role.CHAIR),
    ("secretary", Role.SECRETARY),
    ("member1", Role.MEMBER),
    ("member2", Role.MEMBER),
    ("member3", Role.MEMBER),
]
KLIN_SEATS = [
    (
        "klin_chair",
        "Громова",
        "Светлана",
        "Аркадьевна",
        "Заведующий по организационно-методической работе",
        Role.CHAIR,
    ),
    (
        "klin_secretary",
        "Зайцев",
        "Игорь",
        "Валентинович",
        "Методист МУ «Методический кабинет»",
        Role.SECRETARY,
    ),
    ("klin_member", "Белкина", "Марина", "Олеговна", "Учитель-наставник", Role.MEMBER),
]


# The workshop's methodist (МУ «Методический кабинет») checks the teachers' applications; two
# teachers of Klin schools apply in their own names (clause 1.1).
KLIN_METHODIST = (
    "klin_methodist",
    "Осипова",
    "Татьяна",
    "Николаевна",
    "Методист МУ «Методический кабинет»",
)
KLIN_APPLICANTS = [
    ("klin_teacher1", "Лаврова", "Ольга", "Петровна", "Учитель начальных классов"),
    ("klin_teacher2", "Никитин", "Андрей", "Сергеевич", "Учитель физики"),
]

# A young teacher who acts for no organisation: he applies to the contest in his own name.
TEACHER = ("teacher", "Подгорнова", "Евдокия", "Игнатьевна", "Учитель математики, стаж 2 года")

# Every account this command creates: the deploy check looks for their known passwords.
DEMO_USERNAMES = (
    ADMIN_USERNAME,
    *(row[0] for row in PEOPLE),
    *(row[0] for row in SCHOOLS),
    *(row[0] for row in KLIN_SEATS),
    KLIN_METHODIST[0],
    *(row[0] for row in KLIN_APPLICANTS),
    TEACHER[0],
)


class Command(BaseCommand):
    help = (
        "Create the demo programme, people and schools (idempotent). Local and test settings "
        "only: the demo accounts' passwords are public."
    )

    def add_arguments(self, parser):
        demo_flag_add(parser)

    @transaction.atomic
    def handle(self, *args, **options):
        demo_data_guard(command="seed_demo", options=options)
        roles.roles_sync()
        tomsk, _ = Program.objects.update_or_create(
            code=regulations.TOMSK_CODE, defaults=regulations.TOMSK_PROGRAM
        )
        programme_services.form_first_version(program=tomsk, definition=regulations.TOMSK_FORM)
        admin = self._user(
            ADMIN_USERNAME,
            "Администратор",
            "",
            "",
            "Администратор системы",
            password=ADMIN_PASSWORD,
        )
        admin.is_staff = admin.is_superuser = True
        admin.save()
        for username, last, first, middle, position, group in PEOPLE:
            user = self._user(username, last, first, middle, position)
            role = Group.objects.get(name=group)
            user.groups.set([role])
            if group != roles.COUNCIL_MEMBERS:
                # The Tomsk staff serve Tomsk only: the Klin workshop's cases are not theirs.
                ProgrammeStaff.objects.get_or_create(user=user, program=tomsk, group=role)
        for username, last, first, middle, full, short in SCHOOLS:
            school, _ = Organisation.objects.get_or_create(
                short_name=short, defaults={"name": full}
            )
            user = self._user(username, last, first, middle, f"Координатор площадки, {short}")
            OrganisationMembership.objects.get_or_create(user=user, organisation=school)
        self._councils(tomsk)
        self._contest()
        self._agreement_settings(tomsk)
        self._signing_certificates()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _councils(self, tomsk: Program) -> None:
        """Councils are made once: an administrator may have changed their seats since. Their
        yearly minimum of meetings is the regulation's floor, so a council below it (a database
        seeded before the floor was set) is raised to it; a stricter minimum is kept."""
        since = datetime.date(2025, 9, 1)
        council, created = Council.objects.get_or_create(
            program=tomsk,
            defaults={
                "name": "Координационный совет муниципальной сети",
                "default_place": "МАУ ИМЦ, ул. Киевская, 89",
                **regulations.TOMSK_COUNCIL,
            },
        )
        self._meetings_floor(council, regulations.TOMSK_COUNCIL)
        if created:
            for username, role in TOMSK_SEATS:
                CouncilMember.objects.create(
                    council=council,
                    user=User.objects.get(username=username),
                    role=role,
                    valid_from=since,
                )
        # The workshop accepts teachers' applications on its own form (its definition folder).
        klin, _ = Program.objects.update_or_create(
            code=regulations.KLIN_CODE, defaults={**regulations.KLIN_PROGRAM, "is_active": True}
        )
        programme_services.form_first_version(program=klin, definition=regulations.KLIN_FORM)
        DutySchedule.objects.get_or_create(program=klin, defaults=regulations.KLIN_DUTIES)
        council, created = Council.objects.get_or_create(
            program=klin,
            defaults={
                "name": "Методический совет «Мастерской наставничества»",
                "default_place": "МУ «Методический кабинет», г. Клин",
                **regulations.KLIN_COUNCIL,
            },
        )
        self._meetings_floor(council, regulations.KLIN_COUNCIL)
        if created:
            for username, last, first, middle, position, role in KLIN_SEATS:
                user = self._user(username, last, first, middle, position)
                user.groups.add(Group.objects.get(name=roles.COUNCIL_MEMBERS))
                CouncilMember.objects.create(
                    council=council, user=user, role=role, valid_from=since
                )
        # Its secretary keeps the protocols, its methodist checks the applications; they serve
        # the workshop only.
        for username, group in (
            (KLIN_METHODIST[0], roles.METHODISTS),
            ("klin_secretary", roles.SECRETARIES),
        ):
            seat = {row[0]: row[:5] for row in KLIN_SEATS}.get(username)
            user = self._user(*(seat or KLIN_METHODIST))
            role = Group.objects.get(name=group)
            user.groups.add(role)
            ProgrammeStaff.objects.get_or_create(user=user, program=klin, group=role)
        for row in KLIN_APPLICANTS:
            self._user(*row)

    def _contest(self) -> None:
        """The contest «Педагогический дебют» (programmes/definitions/debut/): the Tomsk
        methodist and secretary serve it too (a person may serve several programmes), the
        Tomsk chair, secretary and a member sit on its jury, and `teacher` may apply."""
        debut, _ = Program.objects.get_or_create(
            code=regulations.DEBUT_CODE, defaults=regulations.DEBUT_PROGRAM
        )
        programme_services.form_first_version(program=debut, definition=regulations.DEBUT_FORM)
        DutySchedule.objects.get_or_create(program=debut, defaults=regulations.DEBUT_DUTIES)
        for username in ("methodist", "secretary"):
            user = User.objects.get(username=username)
            for role in user.groups.all():
                ProgrammeStaff.objects.get_or_create(user=user, program=debut, group=role)
        council, created = Council.objects.get_or_create(
            program=debut,
            defaults={
                "name": regulations.DEBUT_PROGRAM["council_name"],
                **regulations.DEBUT_COUNCIL,
            },
        )
        if created:
            for username, role in (
                ("chair", Role.CHAIR),
                ("secretary", Role.SECRETARY),
                ("member1", Role.MEMBER),
            ):
                CouncilMember.objects.create(
                    council=council,
                    user=User.objects.get(username=username),
                    role=role,
                    valid_from=datetime.date(2025, 9, 1),
                )
        self._user(*TEACHER)

    @staticmethod
    def _meetings_floor(council: Council, rules: dict) -> None:
        floor = rules["min_meetings_per_year"]
        if council.min_meetings_per_year < floor:
            council.min_meetings_per_year = floor
            council.save(update_fields=["min_meetings_per_year", "updated_at"])

    def _agreement_settings(self, program):
        """МАУ ИМЦ is a party of every cooperation agreement (Tomsk III.3); the methodist signs
        for it in the demo."""
        from statuses.models import AgreementSettings

        AgreementSettings.objects.update_or_create(
            program=program,
            defaults={
                "office_name": "МАУ ИМЦ г. Томска",
                "office_signer": User.objects.get(username="methodist"),
                "office_signer_position": "Методист МАУ ИМЦ",
            },
        )

    def _signing_certificates(self):
        """The chair, the secretary and the official sign protocols and orders in the browser
        at once, the methodist and the coordinators cooperation agreements: each gets a
        certificate from Docket's own CA (only once)."""
        from documents.services import signer_certificate_current, signer_certificate_issue

        coordinators = [(row[0], row[5]) for row in SCHOOLS]
        for username, organisation in (
            *coordinators,
            ("methodist", "МАУ ИМЦ"),
            ("chair", "МАУ ИМЦ"),
            ("secretary", "МАУ ИМЦ"),
            ("official", "Департамент образования администрации Города Томска"),
            ("klin_chair", "МУ «Методический кабинет»"),
            ("klin_secretary", "МУ «Методический кабинет»"),
            # Klin's teachers sign their consent to publish a practice in the bank.
            ("klin_teacher1", "МУ «Методический кабинет»"),
            ("klin_teacher2", "МУ «Методический кабинет»"),
        ):
            user = User.objects.filter(username=username).first()
            if user is not None and signer_certificate_current(user) is None:
                signer_certificate_issue(user=user, organisation=organisation)

    def _user(self, username, last, first, middle, position, password=DEMO_PASSWORD):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "position": position,
                "email": f"{username}@docket.local",
            },
        )
        if created:
            user.set_password(password)
            user.save()
        return user
