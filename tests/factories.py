"""factory_boy factories for the domain; defaults describe a complete Tomsk application."""

import datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from workflows import roles
from workflows.councils.models import Council, CouncilMember
from workflows.models import (
    Application,
    Organisation,
    OrganisationMembership,
    PlannedEvent,
    Program,
)


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

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """UserFactory(groups=["Методисты"]) puts the user in those role groups."""
        if create and extracted:
            roles.roles_sync()
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("code",)

    code = "tomsk-ms"
    title = "Муниципальная сеть города Томска по методическому сопровождению молодых педагогов"
    council_name = "Координационный совет"
    authority_name = "Департамент образования администрации Города Томска"
    status_name = "Статус сетевой площадки «Молодой специалист»"
    status_term_years = 3
    registration_prefix = "ЗСП"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(
        lambda n: f"Муниципальное автономное общеобразовательное учреждение СОШ № {n + 1}"
    )
    short_name = factory.Sequence(lambda n: f"МАОУ СОШ № {n + 1}")


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

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        """One planned event per year unless events=[...] (a list of year indexes) is given."""
        if not create:
            return
        for year in extracted if extracted is not None else (1, 2, 3):
            PlannedEvent.objects.create(
                application=self, year_index=year, title=f"Семинар, год {year}", timing="октябрь"
            )


class CouncilFactory(factory.django.DjangoModelFactory):
    """The Tomsk coordination council with the default rules."""

    class Meta:
        model = Council
        django_get_or_create = ("program",)

    program = factory.SubFactory(ProgramFactory)
    name = "Координационный совет"
    default_place = "МАУ ИМЦ, ул. Киевская, 89"


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(UserFactory, groups=[roles.COUNCIL_MEMBERS])
    role = CouncilMember.Role.MEMBER
    valid_from = datetime.date(2000, 1, 1)
