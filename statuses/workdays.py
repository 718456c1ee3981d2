"""Working-day arithmetic on the Russian production calendar.

Monday to Friday are working days and weekends are not, except where a `CalendarDay` says
otherwise (a public holiday, a day off moved by decree, a Saturday made a working day). A
deadline that falls on a non-working day moves to the next working day (Civil Code, art. 193).
"""

from datetime import date, timedelta

from .models import CalendarDay


class WorkCalendar:
    """The exceptions of a date range, read once, so counting many days is one query."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self._kinds = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        )

    def is_working_day(self, day: date) -> bool:
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside the loaded range {self.start}–{self.end}")
        kind = self._kinds.get(day)
        if kind is not None:
            return kind not in CalendarDay.NON_WORKING
        return day.weekday() < 5


def _window(day: date, days: int) -> tuple[date, date]:
    # Even the longest Russian holiday run (New Year, 12 days) leaves room in 2x + 30 days.
    span = timedelta(days=abs(days) * 2 + 30)
    return day - span, day + span


def is_working_day(day: date) -> bool:
    return WorkCalendar(day, day).is_working_day(day)


def working_days_add(day: date, days: int) -> date:
    """The working day `days` working days after `day` (before, if negative).

    Zero gives `day` itself when it is a working day, else the next working day. Counting does
    not include `day`: 1 working day after Friday 09.01.2026 (a day off) is Monday 12.01.2026.
    """
    start, end = _window(day, days)
    calendar = WorkCalendar(start, end)
    if days == 0:
        current = day
        while not calendar.is_working_day(current):
            current += timedelta(days=1)
        return current
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    current = day
    while remaining:
        current += step
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def next_working_day(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    return working_days_add(day, 0)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    if end <= start:
        return 0
    calendar = WorkCalendar(start, end)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count
