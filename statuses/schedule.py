"""Pure date rules of yearly duties and renewal, free of the ORM so they are easy to test."""

import calendar
from datetime import date, timedelta

from applications.rules import academic_year_of


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def day_in_academic_year(first_year: int, month: int, day: int, *, start_month: int = 9) -> date:
    """The date with this month and day inside the academic year that begins in `first_year`
    (15.09 of 2026/27 is 15.09.2026; 01.06 of 2026/27 is 01.06.2027)."""
    year = first_year if month >= start_month else first_year + 1
    return _clamped(year, month, day)


def academic_years_of_term(valid_from: date, valid_until: date, *, start_month: int = 9):
    """First calendar years of the academic years a term covers. A term starting on the last
    day of an academic year counts from the next one (decisions.md, entry 8)."""
    first = academic_year_of(valid_from + timedelta(days=1), start_month=start_month)
    last = academic_year_of(valid_until, start_month=start_month)
    return list(range(first, last + 1))


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the last day of the month when it has fewer days)."""
    index = day.year * 12 + (day.month - 1) - months
    return _clamped(index // 12, index % 12 + 1, day.day)
