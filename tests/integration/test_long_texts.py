"""Real texts are long: the full official name of a Russian school, with its form, its patron
and its city, passes 250 characters. Only PostgreSQL enforces column lengths, so these tests
run there."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.story import granted
from workflows.models import Status
from workflows.statuses.models import Agreement

TOMSK = ZoneInfo("Asia/Tomsk")
GRANT_DAY = datetime.date(2026, 11, 20)

LONG_SCHOOL = (
    "Муниципальное автономное общеобразовательное учреждение «Средняя общеобразовательная "
    "школа № 7 с углублённым изучением отдельных предметов имени Героя Советского Союза "
    "Николая Фёдоровича Ватутина» муниципального образования «Город Томск» Томской области"
)


def test_a_school_with_a_long_full_name_gets_its_status_and_agreement(
    postgres, program, methodist, secretary, official, django_capture_on_commit_callbacks
):
    """The grant job drafts the agreement with a signatory "<role>: <full name>"; a full name of
    250+ characters used to overflow that column and the status never reached the registry."""
    assert len(LONG_SCHOOL) > 250
    school = OrganisationFactory(name=LONG_SCHOOL, short_name="МАОУ СОШ № 7 им. Н. Ф. Ватутина")
    coordinator = CoordinatorFactory(username="coord_long", organisation=school)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
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
    roles = list(agreement.document.signatories.values_list("role", flat=True))
    assert any(LONG_SCHOOL in role for role in roles)
