"""The demo data says what the programmes' regulations say (shared/seeds: Tomsk 004, Klin 000)."""

import io

import pytest
from django.core.management import call_command

from councils.models import Council, CouncilMember
from programmes.models import Program
from tests.factories import CouncilFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_each_council_meets_as_often_as_its_regulation_asks():
    """Tomsk II.4: meetings «по мере необходимости, но не реже одного раза в год»; Klin 4.6:
    «не менее 3-х раз в год». Zero would mean "no minimum" and switch off the warning."""
    seed()
    assert Council.objects.get(program__code="tomsk-ms").min_meetings_per_year == 1
    assert Council.objects.get(program__code="klin-mn").min_meetings_per_year == 3


def test_a_demo_council_made_before_is_raised_to_the_regulation_and_a_higher_minimum_kept():
    """seed_demo is run on every `make run`: a database seeded with the old zero is put right,
    while an administrator's stricter minimum stays."""
    tomsk = ProgramFactory(code="tomsk-ms")
    CouncilFactory(program=tomsk, min_meetings_per_year=0)
    klin = ProgramFactory(code="klin-mn")
    CouncilFactory(program=klin, min_meetings_per_year=5)
    seed()
    assert Council.objects.get(program=tomsk).min_meetings_per_year == 1
    assert Council.objects.get(program=klin).min_meetings_per_year == 5


def test_the_tomsk_programme_and_council_follow_the_regulation():
    """II.1-2: the department approves; the council has the department's representative, the
    director and deputy director of МАУ ИМЦ, a platform coordinator and the club's curator.
    III.2: the status lasts 3 academic years."""
    seed()
    tomsk = Program.objects.get(code="tomsk-ms")
    assert tomsk.authority_name == "Департамент образования администрации Города Томска"
    assert tomsk.status_term_years == 3
    positions = list(
        CouncilMember.objects.filter(council__program=tomsk).values_list(
            "user__position", flat=True
        )
    )
    for who in (
        "Представитель департамента образования",
        "Директор МАУ ИМЦ",
        "Заместитель директора МАУ ИМЦ",
        "Координатор сетевой площадки",
        "Куратор клуба «Молодой специалист»",
    ):
        assert any(p.startswith(who) for p in positions), who


def test_the_simulation_gives_a_council_it_creates_the_regulation_minimum():
    """`simulate_lifecycle` on an empty database makes the Tomsk programme and its council
    itself: with the same rules as the demo data."""
    call_command("simulate_lifecycle", "--keep", stdout=io.StringIO())
    assert Council.objects.get(program__code="tomsk-ms").min_meetings_per_year == 1


def test_the_demo_contest_takes_a_teachers_application_and_is_served_by_its_staff():
    """The third demo programme comes from its definition folder alone; seeding twice changes
    nothing."""
    from accounts.models import User
    from applications import selectors
    from programmes import services as programme_services
    from statuses.models import DutySchedule

    seed()
    seed()
    debut = Program.objects.get(code="debut")
    assert debut.for_persons and debut.settled_by_council and debut.status_term_years == 1
    assert programme_services.current_form(debut).number == 1
    assert not DutySchedule.objects.get(program=debut).asks_plan
    assert set(debut.staff.values_list("user__username", flat=True)) == {"methodist", "secretary"}
    assert Council.objects.get(program=debut).members.count() == 3
    teacher = User.objects.get(username="teacher")
    # She may apply to the programmes persons apply to: the contest and the Klin workshop.
    assert {p.code for p in selectors.programs_open_to(teacher)} == {"debut", "klin-mn"}
    assert debut not in selectors.programs_open_to(User.objects.get(username="methodist"))
