"""Klin 4.1, 5.1: «Мастерская наставничества» создаётся и ликвидируется на основании приказа.
The liquidation order ends every membership in force on its date (duties cancelled, members
told) and the workshop accepts nothing afterwards; it is refused while a case is under review."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from applications import services as application_services
from audit.models import AuditEvent
from core.errors import ConflictError, NotAllowed
from notifications.models import Notification
from statuses import services as status_services
from statuses.models import Duty, Status
from tests.factories import OrganisationFactory, status_held
from tests.story import submitted

pytestmark = pytest.mark.django_db
ORDER_DAY = datetime.date(2027, 6, 30)


def _member(program, n=1) -> Status:
    return status_held(
        program, holder=OrganisationFactory(name=f"Член {n}", short_name=f"Член {n}")
    )


def test_the_liquidation_order_ends_every_membership_and_the_workshop_takes_nothing_more(
    workshop, official, methodist, coordinator, school
):
    members = [_member(workshop, n) for n in (1, 2)]
    pending = submitted(coordinator=coordinator, school=school, program=workshop)
    with pytest.raises(NotAllowed):
        status_services.program_liquidate(
            user=methodist, program_id=workshop.pk, order_number="31-п", order_date=ORDER_DAY
        )
    with pytest.raises(ConflictError) as raised:
        status_services.program_liquidate(
            user=official, program_id=workshop.pk, order_number="31-п", order_date=ORDER_DAY
        )
    assert pending.reg_number in str(raised.value.message)
    pending.state = "refused"
    pending.save(update_fields=["state"])

    out = io.StringIO()
    call_command(
        "liquidate_programme",
        workshop.code,
        order="31-п",
        date="30.06.2027",
        by=official.username,
        reason="Реорганизация методической службы",
        stdout=out,
    )
    workshop.refresh_from_db()
    assert not workshop.is_active and workshop.liquidated_on == ORDER_DAY
    for status in members:
        status.refresh_from_db()
        assert status.state == Status.State.TERMINATED and status.ended_on == ORDER_DAY
        assert status.end_reason.startswith("Программа ликвидирована приказом № 31-п от 30.06.2027")
        assert not status.duties.filter(state__in=Duty.OWED_STATES).exists()
    assert AuditEvent.objects.filter(action="program.liquidate").count() == 1
    assert Notification.objects.filter(kind="status_changed").exists()

    # It accepts nothing: no application, no problem or proposal, no second liquidation.
    with pytest.raises((ValidationError, ConflictError, NotAllowed)):
        application_services.application_create(
            user=coordinator, organisation=school, program=workshop, fields={}, events=[]
        )
    from programmes.models import OrganisationMembership
    from tests.factories import UserFactory

    holder = UserFactory(username="member_one")
    OrganisationMembership.objects.create(user=holder, organisation=members[0].organisation)
    with pytest.raises(ConflictError):  # the status has ended
        status_services.problem_report(user=holder, status_id=members[0].pk, description="x")
    with pytest.raises(CommandError):
        call_command(
            "liquidate_programme",
            workshop.code,
            order="32-п",
            date="01.07.2027",
            by=official.username,
        )
