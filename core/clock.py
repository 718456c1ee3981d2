"""Running periodic work "as of" a moment, for `manage.py tick --now` and for tests."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def parse_now(value: str | None) -> datetime:
    """ISO-8601 → aware datetime (naive values are read in the project's time zone)."""
    if not value:
        return timezone.now()
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(f"not an ISO-8601 date-time: {value!r}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@contextmanager
def as_of(value: str | None):
    """Make `timezone.now()` answer `value` inside the block, for library code (viewflow's
    timers) that reads the clock itself. Without a value the real clock is left alone."""
    if not value:
        yield timezone.now()
        return
    moment = parse_now(value)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment
