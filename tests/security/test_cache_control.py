"""ASVS 8.2.1: what a signed-in person saw is not kept in a browser's or a proxy's cache."""

import pytest

from accounts.services import api_token_issue
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_signed_in_page_is_never_cached(client, coordinator, school):
    application = ApplicationFactory(organisation=school)
    client.force_login(coordinator)
    for url in ("/applications/", "/notifications/", f"/applications/{application.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
        assert "private" in response["Cache-Control"], url


def test_an_api_answer_to_a_token_is_never_cached(client, coordinator):
    token = api_token_issue(user=coordinator)[1]
    response = client.get("/api/applications/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert no_store(response)


def test_a_wrong_token_is_answered_uncached_too(client):
    response = client.get("/api/applications/", HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert response.status_code == 401
    assert no_store(response)


def test_public_pages_stay_cacheable_for_anonymous_readers(client):
    response = client.get("/public/registry/")
    assert response.status_code == 200
    assert not no_store(response)
