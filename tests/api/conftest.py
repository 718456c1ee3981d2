"""API fixtures: a client per person, and uploads as the applicants send them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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


@pytest.fixture
def pdf_upload():
    def make(name="plan.pdf") -> SimpleUploadedFile:
        content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make
