"""Ids too large for the database are a 404 (in the path) or a 400 (in the body), not a 500
from the driver's overflow (found by tests/api/test_schemathesis.py)."""

import datetime

import pytest

pytestmark = pytest.mark.django_db

TOO_LARGE = 2**63  # one past BigAutoField


@pytest.mark.parametrize(
    "url", ["/api/applications/{}/", "/api/meetings/{}/", "/api/tasks/{}/", "/councils/{}/"]
)
def test_a_path_id_past_the_largest_key_is_not_found(client_for, methodist, url):
    client = client_for(methodist)
    client.force_login(methodist)
    assert client.get(url.format(10**19)).status_code == 404


def test_order_with_an_id_past_the_largest_key_is_refused(client_for, official):
    response = client_for(official).post(
        "/api/orders/", {"applications": [TOO_LARGE]}, format="json"
    )
    assert response.status_code == 400
    assert "applications" in str(response.json()["errors"])


def test_new_application_for_an_organisation_id_past_the_largest_key(client_for, coordinator):
    response = client_for(coordinator).post(
        "/api/applications/", {"organisation": TOO_LARGE}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["organisation"]


def test_agenda_item_for_a_case_id_past_the_largest_key(client_for, secretary, program):
    from councils import services
    from tests.story import council_of

    council = council_of(program, secretary=secretary)
    meeting = services.meeting_create(
        council_id=council.pk, user=secretary, date=datetime.date(2030, 1, 10)
    )
    response = client_for(secretary).post(
        f"/api/meetings/{meeting.pk}/items/", {"application": TOO_LARGE}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["application"]
