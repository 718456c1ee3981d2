"""Working days of the Russian production calendar shipped by the migration (2026, 2027)."""

from datetime import date

import pytest

from statuses import schedule, workdays
from statuses.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 12, 31), True),  # no row for 2025: a Wednesday counts as working
        (date(2026, 1, 1), False),
        (date(2026, 1, 8), False),
        (date(2026, 1, 9), False),  # Friday: the day off moved from Saturday 03.01
        (date(2026, 1, 12), True),
        (date(2026, 3, 9), False),  # 8 March fell on a Sunday
        (date(2026, 4, 30), True),  # shortened, still working
        (date(2026, 5, 11), False),
        (date(2026, 12, 31), False),  # moved from Sunday 04.01
        (date(2026, 12, 30), True),
        (date(2027, 1, 8), False),
        (date(2027, 1, 11), True),
        (date(2027, 11, 5), False),
        (date(2027, 11, 13), True),  # a working Saturday
        (date(2027, 11, 14), False),
    ],
)
def test_is_working_day(day, working):
    assert workdays.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Across the New Year holidays of 2026/2027: 30.12.2026 is the last working day.
        (date(2026, 12, 29), 1, date(2026, 12, 30)),
        (date(2026, 12, 30), 1, date(2027, 1, 11)),
        (date(2026, 12, 30), 5, date(2027, 1, 15)),
        (date(2027, 1, 11), -1, date(2026, 12, 30)),
        # Into 2026: nothing works from 31.12.2025 to 11.01.2026.
        (date(2025, 12, 30), 1, date(2025, 12, 31)),
        (date(2026, 1, 1), 1, date(2026, 1, 12)),
        (date(2026, 1, 9), 1, date(2026, 1, 12)),
        (date(2026, 1, 12), -1, date(2025, 12, 31)),
        # Zero moves a non-working day forward and keeps a working one.
        (date(2026, 1, 3), 0, date(2026, 1, 12)),
        (date(2026, 1, 12), 0, date(2026, 1, 12)),
        # The working Saturday of November 2027 counts; the Friday off does not.
        (date(2027, 11, 3), 1, date(2027, 11, 8)),
        (date(2027, 11, 12), 1, date(2027, 11, 13)),
        (date(2027, 11, 13), 1, date(2027, 11, 15)),
        # May 2026: 1–3 and 9–11 off.
        (date(2026, 4, 30), 1, date(2026, 5, 4)),
        (date(2026, 5, 8), 1, date(2026, 5, 12)),
    ],
)
def test_working_days_add(start, days, expected):
    assert workdays.working_days_add(start, days) == expected


def test_working_days_between_counts_the_new_year_gap():
    assert workdays.working_days_between(date(2026, 12, 30), date(2027, 1, 11)) == 1
    assert workdays.working_days_between(date(2026, 12, 25), date(2027, 1, 15)) == 8
    assert workdays.working_days_between(date(2027, 1, 15), date(2027, 1, 15)) == 0


def test_an_admin_correction_takes_effect_at_once():
    """The calendar is data: a decree signed later is entered in the admin and counts."""
    assert workdays.is_working_day(date(2027, 12, 31))
    CalendarDay.objects.update_or_create(
        date=date(2027, 12, 31), defaults={"kind": CalendarDay.Kind.DAY_OFF}
    )
    assert not workdays.is_working_day(date(2027, 12, 31))
    assert workdays.working_days_add(date(2027, 12, 30), 1) == date(2028, 1, 3)


def test_total_working_days_of_2026_match_the_official_calendar():
    """247 working days in 2026 on a five-day week (the official production calendar)."""
    assert workdays.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 247


@pytest.mark.parametrize(
    ("first_year", "month", "day", "expected"),
    [
        (2026, 9, 15, date(2026, 9, 15)),
        (2026, 6, 1, date(2027, 6, 1)),
        (2027, 2, 30, date(2028, 2, 29)),
    ],
)
def test_day_in_academic_year(first_year, month, day, expected):
    assert schedule.day_in_academic_year(first_year, month, day) == expected


def test_months_before_clamps_to_the_month_end():
    assert schedule.months_before(date(2029, 8, 31), 6) == date(2029, 2, 28)
    assert schedule.months_before(date(2029, 1, 15), 2) == date(2028, 11, 15)
