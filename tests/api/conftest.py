"""API fixtures: a client per person, and uploads as the applicants send them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.pdf_builder import build_pdf


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient signed in as that user (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def pdf_upload():
    def make(name="plan.pdf") -> SimpleUploadedFile:
        content = build_pdf()  # a readable PDF: an unreadable one is refused (issue 11)
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make
