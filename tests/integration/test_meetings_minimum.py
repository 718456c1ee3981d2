"""Klin 4.6: «Заседания группы проводятся не менее 3-х раз в год». When the year runs out for
the meetings still missing, the council's secretary, its chair and the programme's methodists
get a letter, once a month at most while it stays at risk; a council on track gets nothing."""

import datetime
import io

import pytest
from django.core.management import call_command

from notifications.models import Notification

pytestmark = pytest.mark.django_db

SUBJECT = "под угрозой годовой минимум заседаний"


def _tick(day: datetime.date) -> str:
    out = io.StringIO()
    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
    call_command("tick", now=moment.isoformat(), stdout=out)
    return out.getvalue()


def _told() -> set[str]:
    return set(
        Notification.objects.filter(subject__contains=SUBJECT, channel="email").values_list(
            "recipient__username", flat=True
        )
    )


def test_the_secretary_chair_and_methodist_are_told_once_a_month_while_at_risk():
    call_command("seed_demo", stdout=io.StringIO())
    assert "council-meetings-minimum: 0" in _tick(datetime.date(2026, 2, 2))  # early in the year
    assert _told() == set()

    report = _tick(datetime.date(2026, 8, 3))  # 151 days left for 3 meetings (Klin)
    assert "council-meetings-minimum: 1" in report, report
    assert {"klin_secretary", "klin_chair", "klin_methodist"} <= _told()
    assert "secretary" not in _told()  # Tomsk's single meeting a year is not at risk yet
    first = Notification.objects.filter(subject__contains=SUBJECT).count()
    _tick(datetime.date(2026, 8, 20))  # the same month: no second letter
    assert Notification.objects.filter(subject__contains=SUBJECT).count() == first
    _tick(datetime.date(2026, 9, 1))  # still at risk a month later: told again
    assert Notification.objects.filter(subject__contains=SUBJECT).count() > first
