"""Registration journals: number formats, yearly reset, no gaps, one journal per document."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from documents.models import Document, Journal, JournalCounter, validate_pattern
from documents.services import document_draft, journal_register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory(username="clerk")


def draft(author, kind=Document.Kind.ORDER):
    return document_draft(kind=kind, title="Распоряжение", author=author)


@pytest.mark.parametrize(
    ("values", "sequence", "year", "expected"),
    [
        (
            {"prefix": "ЗСП", "pattern": "{prefix}-{year}/{seq}", "padding": 4},
            7,
            2026,
            "ЗСП-2026/0007",
        ),
        ({"suffix": "р", "pattern": "{seq}-{suffix}"}, 125, 2026, "125-р"),
        ({"pattern": "{seq}"}, 3, 2026, "3"),
        ({"prefix": "СВ", "pattern": "{prefix}{seq}/{year}", "padding": 2}, 5, 2027, "СВ05/2027"),
        ({"pattern": "{seq}", "padding": 3}, 1234, 2026, "1234"),
    ],
)
def test_number_formats(values, sequence, year, expected):
    assert Journal(code="x", **values).format_number(sequence=sequence, year=year) == expected


@pytest.mark.parametrize("pattern", ["{prefix}-{year}", "{seq}-{month}", "{number}"])
def test_a_format_without_the_sequence_or_with_unknown_parts_is_refused(pattern):
    with pytest.raises(ValidationError):
        validate_pattern(pattern)


def test_journals_are_created_on_demand_with_the_default_format_of_their_code(author):
    order = journal_register(
        document=draft(author), journal_code="order", scope="tomsk-ms", on=datetime.date(2026, 3, 1)
    )
    assert order.reg_number == "1-р"
    assert order.reg_date == datetime.date(2026, 3, 1)
    incoming = journal_register(
        document=draft(author, Document.Kind.APPLICATION),
        journal_code="application",
        scope="tomsk-ms",
        on=datetime.date(2026, 3, 1),
        defaults={"prefix": "ЗСП"},
    )
    assert incoming.reg_number == "ЗСП-2026/0001"
    protocol = journal_register(
        document=draft(author), journal_code="protocol", scope="klin", on=datetime.date(2026, 3, 1)
    )
    assert protocol.reg_number == "1"
    assert Journal.objects.get(code="protocol", scope="klin").documents.get() == protocol


def test_numbers_are_consecutive_and_restart_every_year(author):
    def register(day):
        return journal_register(
            document=draft(author), journal_code="order", scope="tomsk-ms", on=day
        ).reg_number

    assert [register(datetime.date(2026, 12, d)) for d in (29, 30, 31)] == ["1-р", "2-р", "3-р"]
    assert register(datetime.date(2027, 1, 9)) == "1-р"
    assert register(datetime.date(2027, 1, 10)) == "2-р"


def test_a_journal_without_yearly_reset_keeps_counting(author):
    Journal.objects.create(code="order", scope="klin", pattern="{seq}/{year}", yearly_reset=False)
    first = journal_register(
        document=draft(author), journal_code="order", scope="klin", on=datetime.date(2026, 12, 31)
    )
    second = journal_register(
        document=draft(author), journal_code="order", scope="klin", on=datetime.date(2027, 1, 1)
    )
    assert (first.reg_number, second.reg_number) == ("1/2026", "2/2027")


def test_a_rolled_back_registration_leaves_no_gap(author):
    document = draft(author)
    with pytest.raises(RuntimeError), transaction.atomic():
        journal_register(document=document, journal_code="order", scope="s")
        raise RuntimeError("the step failed after registering")
    document.refresh_from_db()
    assert document.reg_number == ""
    assert journal_register(document=document, journal_code="order", scope="s").reg_number == "1-р"
    assert JournalCounter.objects.get(journal__code="order").last_number == 1


def test_registering_again_in_the_same_journal_changes_nothing_and_another_is_refused(author):
    document = journal_register(document=draft(author), journal_code="order", scope="s")
    again = journal_register(
        document=Document.objects.get(pk=document.pk), journal_code="order", scope="s"
    )
    assert again.reg_number == "1-р"
    assert JournalCounter.objects.get().last_number == 1
    with pytest.raises(ValidationError) as info:
        journal_register(document=document, journal_code="protocol", scope="s")
    assert "1-р" in str(info.value)


def test_the_same_scope_and_code_never_give_the_same_number_twice(author):
    numbers = {
        journal_register(document=draft(author), journal_code="order", scope="s").reg_number
        for _ in range(5)
    }
    assert numbers == {"1-р", "2-р", "3-р", "4-р", "5-р"}
    assert (
        Document.objects.filter(journal__code="order").values("reg_sequence").distinct().count()
        == 5
    )
