"""Per-kind upload rules, case links, new versions, the admin's template check, the commands."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.admin import PrintTemplateForm
from documents.models import Document, SignerCertificate, Version
from documents.services import (
    document_create,
    document_draft,
    document_link,
    document_upload_version,
    signer_certificate_issue,
)
from tests.factories import ApplicationFactory, UserFactory
from tests.unit.test_documents import media_files, minimal_docx, minimal_pdf, upload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_report_accepts_only_its_own_types_and_says_which(coordinator, settings):
    with pytest.raises(ValidationError) as info:
        document_create(uploaded=upload("отчёт.pdf", PNG), author=coordinator, kind="report")
    message = " ".join(info.value.messages)
    assert "отчёт.pdf" in message and "DOCX" in message and "PNG" not in message
    assert not Document.objects.exists() and media_files(settings) == []
    # The same picture is a fine attachment: the rule belongs to the kind.
    assert document_create(uploaded=upload("фото.png", PNG), author=coordinator)


def test_a_kind_may_have_its_own_size_limit(coordinator, settings):
    settings.DOCUMENT_UPLOAD_RULES = {"plan": {"max_bytes": 100, "types": ["application/pdf"]}}
    with pytest.raises(ValidationError) as info:
        document_create(
            uploaded=upload("план.pdf", minimal_pdf() + b" " * 200), author=coordinator, kind="plan"
        )
    assert info.value.code == "too_big"
    assert not Version.objects.exists() and media_files(settings) == []


def test_a_docx_disguised_as_pdf_is_stored_as_what_it_is_and_a_text_disguised_as_docx_is_refused(
    coordinator, settings
):
    document = document_create(uploaded=upload("скан.pdf", minimal_docx()), author=coordinator)
    assert document.current_version.content_type.endswith("wordprocessingml.document")
    with pytest.raises(ValidationError):
        document_create(uploaded=upload("план.docx", b"MZ\x90\x00 program"), author=coordinator)
    assert Document.objects.count() == 1


def test_a_new_upload_is_a_new_version_and_the_first_stays(coordinator):
    document = document_create(uploaded=upload("план.pdf", minimal_pdf()), author=coordinator)
    version = document_upload_version(
        document=document,
        uploaded=upload("план-2.pdf", minimal_pdf() + b"%more"),
        author=coordinator,
    )
    assert version.number == 2 and document.current_version == version
    assert Version.objects.get(document=document, number=1).original_name == "план.pdf"


def test_a_document_is_linked_to_one_case_only(coordinator):
    application = ApplicationFactory(created_by=coordinator)
    other = ApplicationFactory()
    document = document_draft(kind="report", title="Отчёт", author=coordinator)
    document_link(document=document, obj=application)
    document_link(document=document, obj=application)  # again: nothing changes
    document.refresh_from_db()
    assert document.case == application
    with pytest.raises(ValidationError):
        document_link(document=document, obj=other)
    document.refresh_from_db()
    assert document.case == application


def test_the_admin_refuses_a_print_template_that_does_not_compile():
    form = PrintTemplateForm(
        data={"form": "order", "scope": "", "html": "{% if %}", "is_active": True}
    )
    assert not form.is_valid()
    assert "html" in form.errors
    good = PrintTemplateForm(
        data={"form": "order", "scope": "", "html": "<p>{{ number }}</p>", "is_active": True}
    )
    assert good.is_valid(), good.errors


def test_the_verification_page_of_an_unknown_code_says_so(client):
    response = client.get(reverse("document-verify", args=["no-such-code"]))
    assert response.status_code == 404
    assert "нет" in response.content.decode()


def test_the_verification_page_shows_no_personal_data_of_the_case(client, coordinator):
    application = ApplicationFactory(created_by=coordinator)
    document = document_draft(
        kind="application", title="Заявка", author=coordinator, case=application
    )
    page = client.get(reverse("document-verify", args=[document.verify_code])).content.decode()
    assert "Заявка" in page
    assert application.responsible_phone not in page and application.responsible_email not in page


def test_certificate_commands_issue_import_and_revoke(tmp_path):
    import datetime

    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    from documents import pki

    UserFactory(username="chair", first_name="Андрей", last_name="Орлов")
    out = io.StringIO()
    call_command("issue_signer_certificate", "chair", "--organisation", "МАУ ИМЦ", stdout=out)
    issued = SignerCertificate.objects.get(user__username="chair")
    assert "Орлов" in issued.subject and "МАУ ИМЦ" in issued.subject
    with pytest.raises(CommandError):
        call_command("issue_signer_certificate", "nobody")

    now = datetime.datetime.now(datetime.UTC)
    ca_key, ca = pki.ca_create(name="УЦ", now=now)
    key, cert = pki.signer_issue(
        ca_key=ca_key, ca_cert=ca, common_name="Орлов", organisation="", email="", now=now
    )
    (tmp_path / "chair.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"chair", key, cert, [ca], BestAvailableEncryption(b"pw")
        )
    )
    (tmp_path / "password").write_text("pw\n")
    call_command(
        "import_signer_pkcs12",
        "chair",
        str(tmp_path / "chair.p12"),
        "--password-file",
        str(tmp_path / "password"),
        stdout=io.StringIO(),
    )
    assert SignerCertificate.objects.filter(user__username="chair").count() == 2
    (tmp_path / "password").write_text("wrong\n")
    with pytest.raises(CommandError):
        call_command(
            "import_signer_pkcs12",
            "chair",
            str(tmp_path / "chair.p12"),
            "--password-file",
            str(tmp_path / "password"),
        )

    call_command(
        "revoke_signer_certificate",
        "--serial",
        issued.serial,
        "--reason",
        "утерян",
        stdout=io.StringIO(),
    )
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_reason == "утерян"
    assert SignerCertificate.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_demo_signers_get_certificates_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    owners = sorted(SignerCertificate.objects.values_list("user__username", flat=True))
    # The methodist and the coordinators sign cooperation agreements; Klin's teachers sign
    # their consent to publish a practice.
    assert owners == [
        "chair",
        "coord1",
        "coord2",
        "klin_chair",
        "klin_secretary",
        "klin_teacher1",
        "klin_teacher2",
        "methodist",
        "official",
        "secretary",
    ]
    from statuses.models import AgreementSettings

    office = AgreementSettings.objects.get(program__code="tomsk-ms")
    assert office.office_name == "МАУ ИМЦ г. Томска"
    assert office.office_signer.username == "methodist"


def test_a_second_certificate_issue_for_the_same_ca(settings):
    user = UserFactory(username="u1")
    first = signer_certificate_issue(user=user)
    second = signer_certificate_issue(user=user)
    assert first.issuer == second.issuer and first.serial != second.serial


def test_the_admin_pages_of_documents_open(client, django_capture_on_commit_callbacks):
    from documents.models import Journal, PrintTemplate
    from documents.services import journal_register, print_form_request
    from tests.documents_helpers import printform_context

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    document = document_draft(kind="order", title="Распоряжение", author=admin)
    journal_register(document=document, journal_code="order", scope="tomsk-ms")
    with django_capture_on_commit_callbacks(execute=True):
        print_form_request(
            document=document, form="order", context=printform_context("order"), actor=admin
        )
    signer_certificate_issue(user=admin)
    for name in (
        "journal",
        "printtemplate",
        "document",
        "renderrequest",
        "signercertificate",
        "certificateauthority",
        "signature",
        "documentdownload",
    ):
        assert client.get(reverse(f"admin:documents_{name}_changelist")).status_code == 200, name
    add = client.get(reverse("admin:documents_printtemplate_add") + "?form=status_certificate")
    assert add.status_code == 200 and "status_certificate.html" in add.content.decode()
    assert (
        client.get(reverse("admin:documents_document_change", args=[document.pk])).status_code
        == 200
    )
    journal = Journal.objects.get(code="order")
    response = client.post(
        reverse("admin:documents_journal_change", args=[journal.pk]),
        {
            "title": "Распоряжения",
            "prefix": "",
            "suffix": "р",
            "pattern": "{seq}-{suffix}",
            "padding": 3,
            "yearly_reset": "on",
        },
    )
    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.padding == 3
    response = client.post(
        reverse("admin:documents_printtemplate_add"),
        {
            "form": "order",
            "scope": "",
            "html": "{% extends 'documents/printforms/order.html' %}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert PrintTemplate.objects.get().updated_by == admin


def test_the_author_uploads_a_corrected_version_on_the_document_page_and_a_bad_one_is_refused(
    client, coordinator, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = document_create(uploaded=upload("план.pdf", minimal_pdf()), author=coordinator)
    client.force_login(coordinator)
    url = reverse("document-version-add", args=[document.pk])
    page = client.post(url, {"file": SimpleUploadedFile("план.pdf", b"not a pdf")}, follow=True)
    assert (
        "не является" in page.content.decode() or "not of an allowed type" in page.content.decode()
    )
    assert document.versions.count() == 1
    client.post(url, {"file": SimpleUploadedFile("план-2.pdf", minimal_pdf() + b"%v2")})
    assert [v.original_name for v in document.versions.order_by("number")] == [
        "план.pdf",
        "план-2.pdf",
    ]
    other = UserFactory(username="someone-else", is_staff=True)
    client.force_login(other)
    assert client.post(url, {"file": SimpleUploadedFile("x.pdf", minimal_pdf())}).status_code == 404
