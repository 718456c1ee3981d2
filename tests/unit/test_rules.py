"""The status term rule of the Tomsk regulation: three academic years, ending on 31 August."""

from datetime import date, timedelta

import pytest

from applications.rules import academic_year_label, academic_year_of, status_valid_until


@pytest.mark.parametrize(
    ("granted_on", "academic_year", "valid_until"),
    [
        # The first day of academic year 2026/27 starts it...
        (date(2026, 9, 1), 2026, date(2029, 8, 31)),
        (date(2026, 11, 20), 2026, date(2029, 8, 31)),
        (date(2026, 12, 31), 2026, date(2029, 8, 31)),
        # ...the calendar year changing does not...
        (date(2027, 1, 1), 2026, date(2029, 8, 31)),
        # Its last day belongs to it, but a grant on that day counts from the next year:
        # one day is no year of work.
        (date(2027, 8, 31), 2026, date(2030, 8, 31)),
        (date(2027, 8, 30), 2026, date(2029, 8, 31)),
        # The next academic year buys one more year.
        (date(2027, 9, 1), 2027, date(2030, 8, 31)),
        # The day before 2026/27 is in 2025/26 but, as its last day, starts the count at 2026/27.
        (date(2026, 8, 31), 2025, date(2029, 8, 31)),
        # Leap years play no part: 29 February is an ordinary day of academic year 2027/28.
        (date(2028, 2, 29), 2027, date(2030, 8, 31)),
    ],
)
def test_a_status_lasts_three_academic_years_counting_the_one_of_the_grant(
    granted_on, academic_year, valid_until
):
    assert academic_year_of(granted_on) == academic_year
    assert status_valid_until(granted_on) == valid_until
    assert status_valid_until(granted_on, term_years=3, start_month=9) == valid_until


@pytest.mark.parametrize(
    ("granted_on", "valid_until"),
    [
        (date(2026, 9, 1), date(2027, 8, 31)),
        (date(2026, 11, 20), date(2027, 8, 31)),
        (date(2027, 1, 1), date(2027, 8, 31)),
    ],
)
def test_a_one_year_term_ends_with_the_academic_year_of_the_grant(granted_on, valid_until):
    assert status_valid_until(granted_on, term_years=1) == valid_until


def test_a_programme_whose_year_starts_in_january_ends_on_31_december():
    assert academic_year_of(date(2026, 3, 15), start_month=1) == 2026
    assert status_valid_until(date(2026, 3, 15), term_years=3, start_month=1) == date(2028, 12, 31)
    assert status_valid_until(date(2026, 1, 1), term_years=3, start_month=1) == date(2028, 12, 31)
    assert status_valid_until(date(2026, 12, 30), term_years=1, start_month=1) == date(2026, 12, 31)
    assert status_valid_until(date(2026, 12, 31), term_years=1, start_month=1) == date(2027, 12, 31)


@pytest.mark.parametrize("term_years", [0, -1])
def test_a_term_shorter_than_one_year_is_refused(term_years):
    with pytest.raises(ValueError):
        status_valid_until(date(2026, 11, 20), term_years=term_years)


def test_academic_year_label():
    assert academic_year_label(2026) == "2026/27"
    assert academic_year_label(2099) == "2099/00"


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("term_years", [1, 2, 3, 5])
def test_every_day_of_several_years_gets_a_31_august_after_it_within_the_term(term_years):
    """Exhaustive over 2024–2032 (hypothesis is not a dependency, and this is only ~3300 days)."""
    for granted_on in _days(date(2024, 1, 1), date(2032, 12, 31)):
        valid_until = status_valid_until(granted_on, term_years=term_years)
        assert (valid_until.month, valid_until.day) == (8, 31), granted_on
        # Never empty: Status's CheckConstraint (valid_until > valid_from) must always hold.
        assert valid_until > granted_on, granted_on
        assert valid_until < date(granted_on.year + term_years + 1, granted_on.month, 1), granted_on
        counted_from = academic_year_of(granted_on + timedelta(days=1))
        assert academic_year_of(valid_until) == counted_from + term_years - 1
