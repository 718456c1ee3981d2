"""Issue 11, finding 5: the public verification page (/verify/<code>/, the QR target) answers a
damaged PDF with a message, stops reading a file past its size limit, is throttled per client
address, and says of each signature that it does not cover a file changed after signing."""

import io
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import ClientHandler, encode_multipart
from django.urls import reverse

from documents.models import Document
from documents.services import (
    document_draft,
    document_sign,
    document_signatories_set,
    journal_register,
    print_form_request,
    signer_certificate_issue,
)
from tests.documents_helpers import printform_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024


@pytest.fixture
def official():
    return UserFactory(username="official", first_name="Ольга", last_name="Орлова")


@pytest.fixture
def order(official, django_capture_on_commit_callbacks):
    document = document_draft(kind=Document.Kind.ORDER, title="Распоряжение", author=official)
    journal_register(document=document, journal_code="order", scope="tomsk-ms")
    with django_capture_on_commit_callbacks(execute=True):
        print_form_request(
            document=document, form="order", context=printform_context("order"), actor=official
        )
    return document


@pytest.fixture
def signed_order(order, official):
    signer_certificate_issue(user=official)
    document_signatories_set(document=order, signers=[(official, "Начальник")])
    document_sign(document=order, signer=official)
    with Document.objects.get(pk=order.pk).current_version.file.open("rb") as handle:
        return order, handle.read()


def url(document) -> str:
    return reverse("document-verify", args=[document.verify_code])


def post_file(client, document, name: str, data: bytes, **extra):
    return client.post(url(document), {"file": SimpleUploadedFile(name, data)}, **extra)


def test_a_twenty_byte_damaged_pdf_gets_a_russian_message_not_a_server_error(client, order):
    response = post_file(client, order, "скан.pdf", b"%PDF-1.7\n%\xe2\xe3\x00\x00trailer")
    assert response.status_code == 200
    page = response.content.decode()
    assert "не удалось прочитать как PDF" in page
    assert "НЕ совпадает" in page


def changed_after_signing(signed: bytes) -> bytes:
    """An incremental update that draws new text on the signed page: the signature's bytes are
    untouched (it still verifies), but it no longer covers the whole file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    text = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (OTMENENO) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(text))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_file_changed_after_signing_shows_each_signature_as_not_covering_it(client, signed_order):
    order, signed = signed_order
    response = post_file(client, order, "распоряжение.pdf", changed_after_signing(signed))
    page = response.content.decode()
    assert "НЕ совпадает" in page
    verdicts = page.split('id="file-signatures"')[1].split("</ul>")[0]
    assert "подпись не охватывает весь файл" in verdicts
    assert "подпись действительна" not in verdicts


def test_the_signed_file_itself_still_verifies(client, signed_order):
    order, signed = signed_order
    page = post_file(client, order, "распоряжение.pdf", signed).content.decode()
    assert "совпадает с текущей версией" in page
    assert "не охватывает" not in page


def test_two_signatures_in_turn_both_hold_on_the_final_file(
    client, order, official, django_capture_on_commit_callbacks
):
    """The first signature covers only its revision; the second signature (only signing came
    after the first) covers the whole file, so both are valid."""
    from documents import selectors

    chair = UserFactory(username="chair", first_name="Пётр", last_name="Петров")
    document_signatories_set(document=order, signers=[(official, "Начальник"), (chair, "Зам.")])
    for user in (official, chair):
        signer_certificate_issue(user=user)
        document_sign(document=order, signer=user)
    with Document.objects.get(pk=order.pk).current_version.file.open("rb") as handle:
        final = handle.read()
    check = selectors.file_check(document=order, data=final)
    assert [r.valid for r in check.signatures] == [True, True], check.signatures
    assert check.genuine and check.is_current


def raw_post(path: str, body: bytes, content_type: str, *, content_length=None):
    """Run one POST through Django's handler with a body we can watch being read."""

    class Watched(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            chunk = super().read(size)
            Watched.read_bytes += len(chunk)
            return chunk

        def readline(self, size=-1):
            chunk = super().readline(size)
            Watched.read_bytes += len(chunk)
            return chunk

    stream = Watched(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body) if content_length is None else content_length),
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    handler = ClientHandler(enforce_csrf_checks=False)
    handler.request_class = WSGIRequest
    return handler(environ), Watched.read_bytes


def big_form(size: int) -> tuple[bytes, str]:
    boundary = "BoUnDaRy"
    upload = io.BytesIO(b"%PDF-1.7\n" + b"0" * size)
    upload.name = "большой.pdf"
    return encode_multipart(boundary, {"file": upload}), f"multipart/form-data; boundary={boundary}"


def test_a_file_over_the_limit_is_not_read_to_the_end(order, settings):
    settings.DOCUMENTS_VERIFY_MAX_BYTES = 1 * MiB
    body, content_type = big_form(12 * MiB)
    # Content-Length too small to refuse up front: only the streaming cap can stop it.
    response, read = raw_post(url(order), body, content_type, content_length=len(body))
    settings.DOCUMENTS_VERIFY_MAX_BYTES = 20 * MiB
    page = response.content.decode()
    assert response.status_code == 413
    assert "слишком большой" in page
    assert read < 2 * MiB  # the parser stopped about one chunk after the cap


def test_a_body_declared_too_large_is_refused_before_reading_it(order, settings):
    settings.DOCUMENTS_VERIFY_MAX_BYTES = 1 * MiB
    body, content_type = big_form(3 * MiB)
    response, read = raw_post(url(order), body, content_type)
    assert response.status_code == 413 and read == 0
    assert "слишком большой" in response.content.decode()


def test_checks_are_throttled_per_client_address(client, order, settings):
    settings.DOCUMENTS_VERIFY_CHECKS_PER_MINUTE = 3
    for _ in range(3):
        assert post_file(client, order, "a.pdf", b"not a pdf").status_code == 200
    refused = post_file(client, order, "a.pdf", b"not a pdf")
    assert refused.status_code == 429
    assert "Слишком много" in refused.content.decode()
    assert refused["Retry-After"] == "60"
    other = post_file(client, order, "a.pdf", b"not a pdf", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_the_page_itself_is_throttled_and_a_forged_forwarded_for_does_not_help(
    client, order, settings
):
    settings.DOCUMENTS_VERIFY_VIEWS_PER_MINUTE = 2
    for n in range(2):
        assert client.get(url(order), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
    assert client.get(url(order), HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_the_file_check_still_needs_the_csrf_token(order):
    """The view is csrf_exempt only so that the capped handler is set first; its body is
    csrf_protect'ed."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    data = {"file": SimpleUploadedFile("a.pdf", b"not a pdf")}
    assert browser.post(url(order), data).status_code == 403
    page = browser.get(url(order))
    token = page.cookies["csrftoken"].value
    data = {"file": SimpleUploadedFile("a.pdf", b"not a pdf"), "csrfmiddlewaretoken": token}
    assert browser.post(url(order), data).status_code == 200
