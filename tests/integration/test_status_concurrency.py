"""Two beats (or a beat and an operator's `tick`) sweeping at once: each status expires once,
each deadline is reported once. Row locks only behave for real on PostgreSQL."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.models import AuditEvent
from audit.services import audit_verify_chain
from notifications.models import Notification
from statuses import services as status_services
from statuses.models import Duty, Status
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.integration.test_concurrency import run_together
from tests.story import granted

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]
TOMSK = ZoneInfo("Asia/Tomsk")


def test_concurrent_sweeps_expire_and_escalate_exactly_once(
    postgres, program, methodist, secretary, official
):
    schools = [OrganisationFactory() for _ in range(3)]
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        for number, school in enumerate(schools, start=1):
            granted(
                coordinator=CoordinatorFactory(organisation=school),
                school=school,
                program=program,
                methodist=methodist,
                secretary=secretary,
                official=official,
                on=datetime.date(2026, 11, 20),
                order=f"{number}-р",
            )
    now = datetime.datetime(2029, 9, 1, 9, tzinfo=TOMSK)
    outcomes = run_together(
        [lambda: status_services.lifecycle_sweep(now=now) for _ in range(8)], threads=4
    )
    assert [exc for _result, exc in outcomes if exc] == []
    assert set(Status.objects.values_list("state", flat=True)) == {Status.State.EXPIRED}
    assert AuditEvent.objects.filter(action="status.expire").count() == 3
    assert sum(result["expired"] for result, _exc in outcomes) == 3
    # Every duty still owed was cancelled with its status: nobody is told it is late.
    assert not Duty.objects.filter(state__in=Duty.OWED_STATES).exists()
    keys = list(
        Notification.objects.filter(channel="inapp").values_list("dedup_key", "recipient_id")
    )
    assert len(keys) == len(set(keys))
    assert audit_verify_chain()[0]


def test_concurrent_sweeps_report_a_missed_deadline_once(
    postgres, program, methodist, secretary, official, school, coordinator
):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=datetime.date(2026, 11, 20),
        )
    now = datetime.datetime(2027, 6, 20, 9, tzinfo=TOMSK)
    outcomes = run_together(
        [lambda: status_services.lifecycle_sweep(now=now) for _ in range(8)], threads=4
    )
    assert [exc for _result, exc in outcomes if exc] == []
    # The 2026/27 plan and report are both late and past their grace period.
    assert sum(result["missed"] for result, _exc in outcomes) == 2
    assert sum(result["escalated"] for result, _exc in outcomes) == 2
    assert AuditEvent.objects.filter(action="duty.missed").count() == 2
    assert AuditEvent.objects.filter(action="duty.escalate").count() == 2
    assert audit_verify_chain()[0]
