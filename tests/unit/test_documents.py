"""Uploads: the content decides the type, the limits are explained, rejected files leave nothing."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document, Version
from documents.services import document_create
from documents.validators import sniff_content_type, validate_upload

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table (opens in any reader)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def zip_bytes(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


def minimal_docx() -> bytes:
    """The three parts Word needs to open a document."""
    return zip_bytes(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
                "</Relationships>"
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>Заявка</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def rejection(uploaded) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        validate_upload(uploaded)
    return err.value


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Sniffing and validation ---------------------------------------------------------------


def test_a_real_pdf_is_accepted_whatever_its_name():
    assert validate_upload(upload("заявка.pdf", minimal_pdf())) == PDF_MIME
    assert validate_upload(upload("scan", minimal_pdf())) == PDF_MIME


def test_a_real_docx_is_accepted():
    assert validate_upload(upload("заявка.docx", minimal_docx())) == DOCX_MIME


def test_sniffing_leaves_the_file_at_its_start():
    uploaded = upload("заявка.docx", minimal_docx())
    sniff_content_type(uploaded)
    assert uploaded.read(4) == b"PK\x03\x04"


@pytest.mark.parametrize("name", ["заявка.pdf", "заявка.docx", "notes.txt"])
def test_text_is_rejected_whatever_its_name_and_the_allowed_types_are_named(name):
    err = rejection(upload(name, "Это просто текст, а не документ.\n".encode()))
    assert err.code == "bad_type"
    message = err.messages[0]
    assert name in message
    for kind in ("PDF", "DOCX", "XLSX", "ODT", "PNG", "JPEG"):
        assert kind in message


def test_a_zip_without_a_word_document_is_not_a_docx():
    content = zip_bytes({"readme.txt": "hello", "word/other.xml": "<x/>"})
    assert sniff_content_type(upload("архив.docx", content)) is None
    assert rejection(upload("архив.docx", content)).code == "bad_type"


def test_a_broken_zip_is_rejected_not_crashed_on():
    content = minimal_docx()[:40]
    assert rejection(upload("обрыв.docx", content)).code == "bad_type"


def test_a_file_over_the_limit_is_rejected_with_the_limit(settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    content = minimal_pdf()
    assert len(content) > 100
    err = rejection(upload("большой.pdf", content))
    assert err.code == "too_big"
    assert "большой.pdf" in err.messages[0]


def test_a_file_at_the_limit_is_accepted(settings):
    content = minimal_pdf()
    settings.DOCUMENT_MAX_UPLOAD_BYTES = len(content)
    assert validate_upload(upload("ровно.pdf", content)) == PDF_MIME


def test_an_empty_file_is_rejected():
    assert rejection(upload("пусто.pdf", b"")).code == "empty"


def test_a_type_left_out_of_the_settings_is_rejected(settings):
    settings.DOCUMENT_ALLOWED_TYPES = [PDF_MIME]
    err = rejection(upload("заявка.docx", minimal_docx()))
    assert err.code == "bad_type"
    assert "PDF" in err.messages[0] and "DOCX" not in err.messages[0]


# --- Storing -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stored_document_has_version_1_with_the_hash_and_size_of_the_content(
    coordinator, settings
):
    content = minimal_docx()
    document = document_create(uploaded=upload("заявка.docx", content), author=coordinator)

    version = Version.objects.get(document=document)
    assert document.title == "заявка.docx"
    assert document.current_version == version
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content)
    assert version.content_type == DOCX_MIME
    assert version.original_name == "заявка.docx"
    assert version.created_by == coordinator
    with version.file.open("rb") as stored:
        assert stored.read() == content
    assert media_files(settings) == [settings.MEDIA_ROOT / version.file.name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("заявка.pdf", b"not a pdf at all"),
        ("пусто.pdf", b""),
        ("архив.docx", zip_bytes({"readme.txt": "hello"})),
    ],
)
def test_a_rejected_upload_leaves_no_rows_and_no_file(coordinator, settings, name, content):
    with pytest.raises(ValidationError):
        document_create(uploaded=upload(name, content), author=coordinator)
    assert not Document.objects.exists()
    assert not Version.objects.exists()
    assert media_files(settings) == []


@pytest.mark.django_db
def test_an_oversized_upload_leaves_no_rows_and_no_file(coordinator, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        document_create(uploaded=upload("заявка.pdf", minimal_pdf()), author=coordinator)
    assert not Document.objects.exists()
    assert not Version.objects.exists()
    assert media_files(settings) == []
