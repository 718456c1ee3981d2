"""Done-when of issue 4, through the pages: the official drafts the order, signs it in the
browser, downloads a PDF an independent validator accepts, its QR code opens the verification
page, and the order journal lists it with its number."""

import datetime
import io
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from applications import selectors
from applications.models import Application
from documents.models import CertificateAuthority, Document, DocumentDownload, Journal
from statuses.models import Status
from tests.documents_helpers import pdf_qr_texts, pdf_text, pdfsig_report
from tests.story import council_decides, submitted

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def read(response) -> bytes:
    return b"".join(response.streaming_content)


@time_machine.travel(NOW, tick=False)
def test_the_official_signs_the_order_in_the_browser_and_anyone_can_verify_it(
    client,
    coordinator,
    school,
    program,
    methodist,
    secretary,
    official,
    other_coordinator,
    tmp_path,
):
    program.document_place = "г. Томск"
    program.save()
    application = submitted(coordinator=coordinator, school=school, program=program)
    assert application.reg_number == "ЗСП-2026/0001"
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Соответствует положению",
        meeting_date=datetime.date(2026, 11, 19),
    )
    call_command("issue_signer_certificate", official.username, stdout=io.StringIO())

    client.force_login(official)
    task = selectors.application_open_task(application)
    page = client.get(reverse("task-detail", args=[task.pk])).content.decode()
    assert "Подготовить распоряжение" in page
    client.post(reverse("task-detail", args=[task.pk]), {"action": "draft_order"})
    application.refresh_from_db()
    order = application.order
    assert order.number == "1-р" and order.date == datetime.date(2026, 11, 20)
    assert application.state == Application.State.AT_DEPARTMENT
    assert not Status.objects.exists()  # no status before the order is signed
    document = order.document
    assert document.render_state == Document.RenderState.READY
    page = client.get(reverse("task-detail", args=[task.pk])).content.decode()
    assert 'id="sign-approve"' in page

    # Nobody else sees a sign button on the order's page; the official does.
    client.force_login(secretary)
    assert (
        'id="sign"'
        not in client.get(reverse("document-detail", args=[document.pk])).content.decode()
    )
    client.force_login(official)
    assert (
        'id="sign"' in client.get(reverse("document-detail", args=[document.pk])).content.decode()
    )

    response = client.post(reverse("task-detail", args=[task.pk]), {"action": "sign_approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == Application.State.GRANTED
    status = Status.objects.get(application=application)
    assert status.order == order
    document.refresh_from_db()
    signed = document.current_version
    assert document.signatures.get().signer == official

    # The signed PDF downloads (logged) ...
    download = client.get(reverse("document-download", args=[document.pk, signed.number]))
    assert download.status_code == 200
    pdf = read(download)
    assert DocumentDownload.objects.filter(user=official, version=signed).count() == 1
    text = pdf_text(pdf)
    assert "№ 1-р" in text and "20.11.2026" in text and school.name in text.replace("\n", " ")
    # ... and an independent validator (poppler/NSS) accepts it with our CA as trust root.
    report = pdfsig_report(
        pdf, ca_pem=CertificateAuthority.objects.get().certificate_pem, tmp_path=tmp_path
    )
    assert "Signature is Valid." in report and "Certificate is Trusted." in report, report

    # Its QR code opens the public verification page, which knows the file.
    [url] = pdf_qr_texts(pdf)
    client.logout()
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "1-р" in html and "20.11.2026" in html and signed.sha256 in html
    verdict = client.post(urlsplit(url).path, {"file": SimpleUploadedFile("order.pdf", pdf)})
    assert "совпадает с текущей версией" in verdict.content.decode()
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream", 200) + 20] ^= 1
    verdict = client.post(
        urlsplit(url).path, {"file": SimpleUploadedFile("order.pdf", bytes(tampered))}
    )
    assert "НЕ совпадает" in verdict.content.decode()

    # The order journal lists it with its number.
    client.force_login(official)
    journal = Journal.objects.get(code="order", scope=program.code)
    page = client.get(reverse("journal-detail", args=[journal.pk])).content.decode()
    assert "1-р" in page and "подписан" in page

    # Another school can neither open nor download the order.
    client.force_login(other_coordinator)
    assert client.get(reverse("document-detail", args=[document.pk])).status_code == 404
    assert (
        client.get(reverse("document-download", args=[document.pk, signed.number])).status_code
        == 404
    )
    assert client.get(reverse("journal-detail", args=[journal.pk])).status_code == 404
    # The school itself sees its order and the status certificate in the case's documents.
    client.force_login(coordinator)
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Распоряжение № 1-р" in page and "Свидетельство о статусе" in page

    out = io.StringIO()
    (tmp_path / "order.pdf").write_bytes(pdf)
    call_command(
        "verify_document", document.verify_code, file=str(tmp_path / "order.pdf"), stdout=out
    )
    assert "VALID" in out.getvalue()
    (tmp_path / "bad.pdf").write_bytes(bytes(tampered))
    with pytest.raises(SystemExit):
        call_command(
            "verify_document",
            document.verify_code,
            file=str(tmp_path / "bad.pdf"),
            stdout=io.StringIO(),
        )
