"""The register of a programme costs the same number of queries whatever its page holds: the
grounds (an order or a council decision), the answers it shows and the holder come with the
page, not one query per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application, CouncilDecision
from statuses.models import Status
from tests.factories import ApplicationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _members(program, count: int, start: int) -> None:
    """`count` live statuses of the programme, each granted by a council decision."""
    for n in range(start, start + count):
        holder = OrganisationFactory(name=f"МОУ СОШ № {n}", short_name=f"СОШ № {n}")
        application = ApplicationFactory(
            program=program, organisation=holder, state=Application.State.GRANTED, events=[]
        )
        CouncilDecision.objects.create(
            application=application,
            outcome="granted",
            meeting_date=datetime.date(2026, 10, 20),
            recorded_by=application.created_by,
        )
        Status.objects.create(
            program=program,
            organisation=holder,
            application=application,
            topic=application.topic,
            valid_from=datetime.date(2026, 10, 20),
            valid_until=datetime.date(2027, 8, 31),
        )


def _queries(client, program) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry"), {"program": program.code})
    assert response.status_code == 200
    return len(captured)


def test_the_register_does_not_query_per_row(client, workshop, methodist):
    form = workshop.form_versions.get()
    form.definition["sections"][0]["fields"][0]["register"] = True
    form.save()
    client.force_login(methodist)
    _members(workshop, 3, 1)
    few = _queries(client, workshop)
    _members(workshop, 12, 100)
    many = _queries(client, workshop)
    page = client.get(reverse("registry"), {"program": workshop.code}).content.decode()
    assert "МОУ СОШ № 105" in page and "решение совета" in page
    assert many == few, (few, many)
