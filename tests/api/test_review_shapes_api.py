"""The registry API shows a status its council's decision granted (no order)."""

import datetime

import pytest

from tests.story import council_decides, submitted

pytestmark = pytest.mark.django_db(transaction=True)
MEETING = datetime.date(2026, 11, 19)
MEMBERSHIP = "Членство в «Мастерской наставничества»"


def test_the_api_shows_a_status_without_an_order(
    client_for, coordinator, school, methodist, secretary, workshop
):
    application = submitted(coordinator=coordinator, school=school, program=workshop)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Опыт наставничества подтверждён",
        meeting_date=MEETING,
    )
    entry = client_for(coordinator).get("/api/statuses/").json()["results"][0]
    assert entry["status_name"] == MEMBERSHIP
    assert entry["order"] is None
    assert entry["grounds"].startswith("решение совета, протокол №")
