"""20 registrations at once in one journal: 20 distinct consecutive numbers (PostgreSQL only)."""

import datetime

import pytest

from documents.models import Document, JournalCounter
from documents.services import document_draft, journal_register
from tests.factories import UserFactory
from tests.integration.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


def test_twenty_parallel_registrations_get_twenty_consecutive_numbers(postgres):
    clerk = UserFactory(username="clerk")
    drafts = [
        document_draft(kind=Document.Kind.ORDER, title=f"Распоряжение {n}", author=clerk)
        for n in range(20)
    ]
    day = datetime.date(2026, 11, 20)

    def job(document):
        return lambda: (
            journal_register(
                document=document, journal_code="order", scope="tomsk-ms", on=day
            ).reg_number
        )

    outcomes = run_together([job(d) for d in drafts], threads=20)
    errors = [exc for _result, exc in outcomes if exc is not None]
    assert errors == []
    numbers = [result for result, _exc in outcomes]
    assert sorted(numbers, key=lambda n: int(n.split("-")[0])) == [f"{n}-р" for n in range(1, 21)]
    stored = Document.objects.filter(journal__code="order").values_list("reg_sequence", flat=True)
    assert sorted(stored) == list(range(1, 21))
    assert JournalCounter.objects.get(journal__code="order", period=2026).last_number == 20
