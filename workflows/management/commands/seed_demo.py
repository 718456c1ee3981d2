"""Demo data for the embedded default: the Tomsk programme, its people and two schools."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from workflows import roles
from workflows.models import Organisation, OrganisationMembership, Program

DEMO_PASSWORD = "demo12345"

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


class Command(BaseCommand):
    help = "Create the demo programme, people and schools (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        roles.roles_sync()
        Program.objects.update_or_create(
            code="tomsk-ms",
            defaults={
                "title": "Муниципальная сеть города Томска по методическому сопровождению молодых педагогов",
                "council_name": "Координационный совет",
                "authority_name": "Департамент образования администрации Города Томска",
                "status_name": "Статус сетевой площадки «Молодой специалист»",
                "status_term_years": 3,
                "academic_year_start_month": 9,
                "registration_prefix": "ЗСП",
            },
        )
        admin = self._user(
            "admin", "Администратор", "", "", "Администратор системы", password="admin"
        )
        admin.is_staff = admin.is_superuser = True
        admin.save()
        for username, last, first, middle, position, group in PEOPLE:
            user = self._user(username, last, first, middle, position)
            user.groups.set([Group.objects.get(name=group)])
        for username, last, first, middle, full, short in SCHOOLS:
            school, _ = Organisation.objects.get_or_create(
                short_name=short, defaults={"name": full}
            )
            user = self._user(username, last, first, middle, f"Координатор площадки, {short}")
            OrganisationMembership.objects.get_or_create(user=user, organisation=school)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

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
