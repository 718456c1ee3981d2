"""Security tests attack Docket as an outsider would: over HTTP, with real clients."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient signed in as that user (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
