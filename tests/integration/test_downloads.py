"""Issue 11, finding 7: a download's type is what the content check decided, never the name it
was uploaded with; always an attachment with an RFC 6266 name, never sniffed by the browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import api_token_issue
from applications import services as workflow_services
from documents.services import document_create
from tests.factories import ApplicationFactory
from tests.pdf_builder import build_pdf

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
# A valid PDF whose first comment is an HTML page: a browser told "text/html" runs the script.
POLYGLOT_PDF = build_pdf(preamble=b"%" + SCRIPT + b"\n")
POLYGLOT_PNG = b"\x89PNG\r\n\x1a\n" + SCRIPT


def polyglot(name="страница.html", content=POLYGLOT_PDF):
    return SimpleUploadedFile(name, content, content_type="text/html")


def assert_safe(response, *, mime, name):
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    ascii_part, utf8_part = disposition.removeprefix("attachment; ").split("; ")
    assert ascii_part.startswith('filename="') and ascii_part.isascii()
    assert utf8_part.startswith("filename*=UTF-8''")
    from urllib.parse import unquote

    assert unquote(utf8_part.removeprefix("filename*=UTF-8''")) == name
    assert ascii_part.endswith(name.rsplit(".", 1)[1] + '"')


def test_a_pdf_polyglot_named_html_is_served_as_a_pdf_attachment(client, coordinator):
    document = document_create(uploaded=polyglot(), author=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("document-download", args=[document.pk, 1]))
    assert_safe(response, mime="application/pdf", name="страница.html.pdf")
    assert b"".join(response.streaming_content) == POLYGLOT_PDF


def test_a_png_polyglot_is_served_as_png_by_the_api_too(client, coordinator):
    document = document_create(
        uploaded=polyglot("page.htm", POLYGLOT_PNG), author=coordinator, title="Фото"
    )
    token = api_token_issue(user=coordinator)[1]
    response = client.get(
        reverse("api:document-download", args=[document.pk, 1]),
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert_safe(response, mime="image/png", name="page.htm.png")


def test_an_application_attachment_keeps_a_fitting_name_and_its_checked_type(
    client, coordinator, school
):
    application = ApplicationFactory(created_by=coordinator, organisation=school)
    workflow_services.application_attach(
        application_id=application.pk,
        user=coordinator,
        uploaded=polyglot("Устав школы.pdf"),
        title="Устав",
    )
    document = application.attachments.get()
    client.force_login(coordinator)
    response = client.get(reverse("attachment-download", args=[application.pk, document.pk]))
    assert_safe(response, mime="application/pdf", name="Устав школы.pdf")
    assert 'filename="Ustav shkoly.pdf"' in response["Content-Disposition"]
