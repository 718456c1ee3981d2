"""factory_boy factories for the domain; defaults describe a complete Tomsk application."""

import datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from applications import regulations, roles
from applications.models import Application, PlannedEvent
from core import limits
from councils.models import Council, CouncilMember
from programmes.models import Organisation, OrganisationMembership, Program, ProgrammeStaff

# Real texts are long. `longest=True` on a factory fills every text a person types with real
# Russian words up to its limit (tests/integration/test_long_texts.py walks a case with them).
WORDS = (
    "методическое сопровождение молодых педагогов муниципальной сети образовательных "
    "учреждений города Томска Томской области в рамках наставничества и сетевого "
    "взаимодействия с углублённым изучением отдельных предметов"
).split()
PERSON_NAME = 150  # first, last and middle name (Django's User and ours)
# The role groups that serve programmes (council members serve through their seats).
STAFF_ROLES = (roles.METHODISTS, roles.SECRETARIES, roles.DEPARTMENT)


def russian_text(length: int, start: str = "") -> str:
    """Exactly `length` characters: `start`, then Russian words, ending on a letter."""
    text, n = start, 0
    while len(text) < length:
        text = f"{text} {WORDS[n % len(WORDS)]}" if text else WORDS[0]
        n += 1
    text = text[:length]
    return text if not text.endswith(" ") else text[:-1] + "я"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass12345")

    class Params:
        longest = factory.Trait(
            last_name=factory.LazyFunction(
                lambda: russian_text(PERSON_NAME, "Константинопольская")
            ),
            first_name=factory.LazyFunction(lambda: russian_text(PERSON_NAME, "Александра")),
            middle_name=factory.LazyFunction(lambda: russian_text(PERSON_NAME, "Владиславовна")),
            position=factory.LazyFunction(
                lambda: russian_text(
                    limits.LINE, "Заместитель директора по научно-методической работе"
                )
            ),
        )

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """UserFactory(groups=["Методисты"]) puts the user in those role groups."""
        if create and extracted:
            roles.roles_sync()
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def serves(self, create, extracted, **kwargs):
        """A staff role reaches only the programmes its holder serves (programmes.access):
        UserFactory(groups=[...], serves=[program, ...]) serves those in each staff role;
        without `serves`, the tests' default programme (ProgramFactory()), created if needed."""
        if not create:
            return
        staff_groups = [g for g in self.groups.all() if g.name in STAFF_ROLES]
        if not staff_groups:
            return
        programs = [ProgramFactory()] if extracted is None else extracted
        for program in programs:
            for group in staff_groups:
                ProgrammeStaff.objects.get_or_create(user=self, program=program, group=group)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = "tomsk-ms"
    title = "Муниципальная сеть города Томска по методическому сопровождению молодых педагогов"
    council_name = "Координационный совет"
    authority_name = "Департамент образования администрации Города Томска"
    status_name = "Статус сетевой площадки «Молодой специалист»"
    status_term_years = 3
    registration_prefix = "ЗСП"
    # The Tomsk regulation: the department's order approves; the agreement is drafted.
    review_shape = "check_council_order"
    drafts_agreement = True

    class Params:
        # A programme its council's decision settles, with no agreement (the Klin workshop).
        settled_by_council = factory.Trait(review_shape="check_council", drafts_agreement=False)
        longest = factory.Trait(
            title=russian_text(limits.LINE, "Муниципальная сеть города Томска"),
            council_name=russian_text(limits.LINE, "Координационный совет"),
            authority_name=russian_text(limits.LINE, "Департамент образования администрации"),
            status_name=russian_text(limits.LINE, "Статус сетевой площадки «Молодой специалист»"),
            document_place=russian_text(limits.LINE, "г. Томск"),
        )

    @factory.post_generation
    def form(self, create, extracted, **kwargs):
        """The programme's application form: Tomsk's Приложение 1 unless `form=` gives a
        definition (`form=False`: none yet)."""
        if create and extracted is not False:
            from programmes import services as programme_services

            programme_services.form_first_version(
                program=self, definition=extracted or regulations.TOMSK_FORM
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    # The official full name, as long as real ones are (it passed a varchar(100) once).
    name = factory.Sequence(
        lambda n: (
            "Муниципальное автономное общеобразовательное учреждение средняя "
            f"общеобразовательная школа № {n + 1} г. Томска"
        )
    )
    short_name = factory.Sequence(lambda n: f"МАОУ СОШ № {n + 1}")

    class Params:
        longest = factory.Trait(
            name=factory.Sequence(
                lambda n: russian_text(
                    limits.ORGANISATION_NAME,
                    "Муниципальное автономное общеобразовательное учреждение «Средняя "
                    f"общеобразовательная школа № {n + 1} имени Героя Советского Союза Николая "
                    "Фёдоровича Ватутина» муниципального образования «Город Томск»",
                )
            ),
            short_name=factory.Sequence(
                lambda n: russian_text(limits.ORGANISATION_SHORT_NAME, f"МАОУ СОШ № {n + 1}")
            ),
            address=factory.LazyFunction(
                lambda: russian_text(limits.LINE, "634050, Томская обл., г. Томск, ул. Киевская")
            ),
        )


class CoordinatorFactory(UserFactory):
    """A school's platform coordinator; pass organisation=... or get a new school."""

    @factory.post_generation
    def organisation(self, create, extracted, **kwargs):
        if create:
            OrganisationMembership.objects.create(
                user=self, organisation=extracted or OrganisationFactory()
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft: it passes the completeness check as it is."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(lambda a: CoordinatorFactory(organisation=a.organisation))
    topic = "Наставничество как ресурс профессиональной адаптации молодого учителя"
    direction = "competence"
    goals = "Профессиональное развитие молодых учителей"
    tasks = "Организовать сетевые семинары и мастер-классы"
    expected_results = "Рост профессиональной компетентности, закрепление молодых педагогов"
    responsible_name = "Иванова Мария Петровна"
    responsible_position = "Заместитель директора"
    responsible_phone = "+7 3822 00-00-00"
    responsible_email = "school@example.org"
    partners = "ТГПУ"

    class Params:
        longest = factory.Trait(
            topic=russian_text(limits.LINE, "Наставничество как ресурс адаптации"),
            goals=russian_text(20_000, "Профессиональное развитие молодых учителей"),
            tasks=russian_text(20_000, "Организовать сетевые семинары и мастер-классы"),
            expected_results=russian_text(20_000, "Рост профессиональной компетентности"),
            responsible_name=russian_text(limits.LINE, "Иванова Мария Петровна"),
            responsible_position=russian_text(limits.LINE, "Заместитель директора"),
            responsible_phone=russian_text(64, "+7 3822 00-00-00, доб."),
            partners="\n".join(
                russian_text(limits.ORGANISATION_NAME, f"{n} Томский государственный университет")
                for n in (1, 2)
            ),
            events__longest=True,
        )

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        """One planned event for each of the first three years (fewer if the programme's term
        is shorter) unless events=[...] (a list of year indexes) is given; with `longest`,
        every text of each event at its limit."""
        if not create:
            return
        years = range(1, min(3, self.program.status_term_years) + 1)
        for year in extracted if extracted is not None else years:
            texts = {"title": f"Семинар, год {year}", "timing": "октябрь", "audience": ""}
            if kwargs.get("longest"):
                texts = {
                    k: russian_text(limits.LINE, v or "Молодые педагоги") for k, v in texts.items()
                }
            PlannedEvent.objects.create(application=self, year_index=year, **texts)


class CouncilFactory(factory.django.DjangoModelFactory):
    """The Tomsk coordination council with the default rules."""

    class Meta:
        model = Council
        django_get_or_create = ("program",)

    program = factory.SubFactory(ProgramFactory)
    name = "Координационный совет"
    default_place = "МАУ ИМЦ, ул. Киевская, 89"

    class Params:
        longest = factory.Trait(
            name=russian_text(limits.LINE, "Координационный совет муниципальной сети"),
            default_place=russian_text(limits.LINE, "МАУ ИМЦ, ул. Киевская, 89, актовый зал"),
        )


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(UserFactory, groups=[roles.COUNCIL_MEMBERS])
    role = CouncilMember.Role.MEMBER
    valid_from = datetime.date(2000, 1, 1)


def serve(program, *users) -> None:
    """The staff `users` also serve `program`, each in every staff role they hold."""
    for user in users:
        for group in user.groups.filter(name__in=STAFF_ROLES):
            ProgrammeStaff.objects.get_or_create(user=user, program=program, group=group)


def status_held(program, *, holder=None, member=None, on=datetime.date(2026, 10, 20)):
    """A live status of `program` held by `holder` (a new organisation if none), granted on
    `on` until the end of that academic year; `member` (a user) acts for the holder."""
    from statuses.models import Status

    holder = holder or OrganisationFactory()
    if member is not None:
        OrganisationMembership.objects.get_or_create(user=member, organisation=holder)
    application = ApplicationFactory(
        program=program, organisation=holder, state=Application.State.GRANTED, events=[]
    )
    return Status.objects.create(
        program=program,
        organisation=holder,
        application=application,
        topic="Наставничество",
        valid_from=on,
        valid_until=datetime.date(on.year + 1, 8, 31),
    )
