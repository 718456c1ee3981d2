"""Pure date rules of the programmes, kept free of the ORM so they are easy to test."""

from datetime import date, timedelta


def academic_year_of(day: date, *, start_month: int = 9) -> int:
    """The calendar year in which the academic year containing `day` began (2026 for 2026/27)."""
    return day.year if day.month >= start_month else day.year - 1


def status_valid_until(granted_on: date, *, term_years: int = 3, start_month: int = 9) -> date:
    """Last day of the `term_years`-th academic year, counting the one the grant falls in.

    Granted on 20.11.2026 (academic year 2026/27) for 3 years: valid until 31.08.2029.
    A grant on the last day of an academic year counts from the next one: that single day is
    no year of work, and counting it would give a one-year status no duration at all.
    """
    if term_years < 1:
        raise ValueError("term_years must be positive")
    first_year = academic_year_of(granted_on + timedelta(days=1), start_month=start_month)
    return date(first_year + term_years, start_month, 1) - timedelta(days=1)


def academic_year_label(first_year: int) -> str:
    return f"{first_year}/{str(first_year + 1)[-2:]}"
