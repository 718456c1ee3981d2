"""Issue 11, finding 8: files of an allowed type that carry active content, or unpack to far
more than they weigh, are refused with a message that says what to do. Each malicious file is
built here, byte by byte."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError

from documents.models import Document
from documents.services import document_create
from documents.validators import validate_upload
from tests.pdf_builder import PAGE_OBJECTS, build_pdf, stream, with_catalog, with_object_stream
from tests.unit.test_documents import minimal_docx, upload, zip_bytes

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MiB = 1024 * 1024


def refusal(content: bytes, name: str = "файл.pdf", kind=None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(name, content), kind=kind)
    return info.value


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(with_catalog(b"/OpenAction 4 0 R", JS_ACTION), id="open-action-js"),
        pytest.param(
            with_catalog(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>", JS_ACTION),
            id="document-level-js",
        ),
        pytest.param(
            with_catalog(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), id="launch-on-open"
        ),
        pytest.param(
            build_pdf(
                [
                    PAGE_OBJECTS[0],
                    PAGE_OBJECTS[1],
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >> >>",
                ]
            ),
            id="page-additional-actions",
        ),
        pytest.param(
            with_catalog(b"/OpenAction << /S /J#61vaScr#69pt /J#53 (app.alert\\(1\\)) >>"),
            id="hex-escaped-names",
        ),
        pytest.param(
            with_object_stream(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"),
            id="hidden-in-a-compressed-object-stream",
        ),
        pytest.param(
            # Object 4 is not in the cross-reference table: a viewer that rebuilds the table
            # finds it, pyHanko does not; the search of the file's text does.
            build_pdf(preamble=b"9 0 obj << /S /JavaScript /JS (x) >> endobj\n"),
            id="outside-the-xref",
        ),
    ],
)
def test_a_pdf_with_scripts_or_actions_is_refused(content):
    error = refusal(content)
    assert error.code == "pdf_active"
    assert "файл.pdf" in error.messages[0] and "JavaScript" in error.messages[0]


def test_a_javascript_only_inside_compressed_page_content_is_not_a_script():
    """Content streams are drawing operators, never run: a name there is only text."""
    content = build_pdf(
        [
            PAGE_OBJECTS[0],
            PAGE_OBJECTS[1],
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            stream(b"BT /JavaScript 12 Tf (JS) Tj ET", compress=True),
        ]
    )
    assert validate_upload(upload("текст.pdf", content)) == PDF_MIME


def test_an_ordinary_open_action_and_links_are_fine():
    content = with_catalog(
        b"/OpenAction [3 0 R /Fit] /URI << /Base (https://example.org/) >>",
    )
    assert validate_upload(upload("обычный.pdf", content)) == PDF_MIME


EMBEDDED = with_catalog(
    b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
    b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
    stream(b"MZ\x90\x00", dictionary=b"/Type /EmbeddedFile "),
)


def test_a_pdf_with_an_embedded_file_is_refused_unless_the_kind_allows_it(settings):
    error = refusal(EMBEDDED)
    assert error.code == "pdf_embedded"
    settings.DOCUMENT_UPLOAD_RULES = {"attachment": {"pdf_attachments": True}}
    assert validate_upload(upload("с вложением.pdf", EMBEDDED), kind="attachment") == PDF_MIME
    assert refusal(EMBEDDED, kind="report").code == "pdf_embedded"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 report", b"%PDF-1.7\n" + b"\x00" * 12, build_pdf()[:-40]],
    ids=["no-structure", "twenty-bytes", "cut-short"],
)
def test_a_pdf_that_cannot_be_read_is_refused_as_damaged(content):
    error = refusal(content)
    assert error.code == "pdf_unreadable"
    assert "PDF" in error.messages[0]


@pytest.mark.django_db
def test_a_pdf_docket_printed_and_signed_is_accepted(tmp_path, django_capture_on_commit_callbacks):
    """No false alarm on Docket's own paper (PDF/A-3b with a PAdES signature and its stamp)."""
    from documents.services import (
        document_draft,
        document_sign,
        document_signatories_set,
        print_form_request,
        signer_certificate_issue,
    )
    from tests.documents_helpers import printform_context
    from tests.factories import UserFactory

    official = UserFactory(first_name="Ольга", last_name="Орлова")
    document = document_draft(kind="order", title="Распоряжение", author=official)
    with django_capture_on_commit_callbacks(execute=True):
        print_form_request(
            document=document, form="order", context=printform_context("order"), actor=official
        )
    signer_certificate_issue(user=official)
    document_signatories_set(document=document, signers=[(official, "Должностное лицо")])
    document_sign(document=document, signer=official)
    with document.current_version.file.open("rb") as handle:
        signed = handle.read()
    assert validate_upload(upload("распоряжение.pdf", signed)) == PDF_MIME


# --- Office files ----------------------------------------------------------------------------

WORD_PARTS = zipfile.ZipFile(io.BytesIO(minimal_docx()))
DOCX_PARTS = {name: WORD_PARTS.read(name).decode() for name in WORD_PARTS.namelist()}


def docx_with(**members) -> bytes:
    return zip_bytes({**DOCX_PARTS, **members})


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(docx_with(**{"word/vbaProject.bin": "\xd0\xcf macro"}), id="docm-vba"),
        pytest.param(
            docx_with(
                **{
                    "[Content_Types].xml": DOCX_PARTS["[Content_Types].xml"].replace(
                        "wordprocessingml.document.main+xml",
                        "ms-word.document.macroEnabled.main+xml",
                    )
                }
            ),
            id="docm-content-type",
        ),
        pytest.param(
            zip_bytes(
                {
                    "[Content_Types].xml": "<Types/>",
                    "xl/workbook.xml": "<workbook/>",
                    "xl/VBAPROJECT.BIN": "macro",
                }
            ),
            id="xlsm",
        ),
        pytest.param(
            zip_bytes(
                {
                    "[Content_Types].xml": "<Types/>",
                    "xl/workbook.xml": "<workbook/>",
                    "xl/macrosheets/sheet1.xml": "<xm:macrosheet/>",
                }
            ),
            id="xlsx-excel4-macrosheet",
        ),
        pytest.param(docx_with(**{"word/activeX/activeX1.xml": "<ax/>"}), id="activex"),
        pytest.param(
            zip_bytes({"content.xml": "<office/>", "Basic/Standard/Module1.xml": "Sub Main"}),
            id="odt-basic",
        ),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 500
            + "_VBA_PROJECT_CUR".encode("utf-16-le")
            + b"\x00" * 100,
            id="doc-ole-vba",
        ),
    ],
)
def test_macro_enabled_office_files_are_refused(content):
    error = refusal(content, name="документ.docx")
    assert error.code == "macros"
    assert "макрос" in error.messages[0]


def test_an_ordinary_docx_passes():
    assert validate_upload(upload("план.docx", minimal_docx())) == DOCX_MIME


def bomb(size: int) -> bytes:
    """A DOCX whose document part is `size` bytes of zeros: about 1/1000 of it on disk."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in DOCX_PARTS.items():
            if name != "word/document.xml":
                archive.writestr(name, text)
        with archive.open("word/document.xml", "w") as member:
            block = b"\x00" * MiB
            for _ in range(size // MiB):
                member.write(block)
    return out.getvalue()


@pytest.mark.django_db
def test_a_200_mib_zip_bomb_as_docx_is_refused_quickly_without_unpacking_it(coordinator):
    content = bomb(200 * MiB)
    assert len(content) < MiB
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        document_create(uploaded=upload("бомба.docx", content), author=coordinator)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert info.value.code == "zip_size"
    assert "бомба.docx" in info.value.messages[0] and "100,0" in info.value.messages[0]
    assert peak < 20 * MiB and elapsed < 5  # decided from the directory, not by inflating
    assert not Document.objects.exists()


def test_a_bomb_under_the_size_cap_is_refused_by_its_ratio():
    assert refusal(bomb(20 * MiB), name="бомба.docx").code == "zip_ratio"


def test_a_directory_that_lies_about_the_size_is_caught_while_inflating():
    """The central directory (and local header) say 1 KiB; the member inflates to 50 MiB."""
    content = bytearray(bomb(50 * MiB))
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("word/document.xml")
    real = (50 * MiB).to_bytes(4, "little")
    fake = (1024).to_bytes(4, "little")
    assert content.count(real) == 2  # local header and central directory
    content = bytes(content).replace(real, fake)
    assert info.file_size == 50 * MiB
    assert refusal(content, name="ложь.docx").code == "zip_damaged"


def test_too_many_parts_are_refused(settings):
    settings.DOCUMENT_ZIP_MAX_ENTRIES = 10
    content = docx_with(**{f"word/media/image{n}.png": "x" for n in range(20)})
    assert refusal(content, name="много.docx").code == "zip_entries"


def test_limits_are_set_per_kind(settings):
    settings.DOCUMENT_UPLOAD_RULES = {"report": {"max_unzipped_bytes": 5 * MiB}}
    content = bomb(8 * MiB)
    settings.DOCUMENT_ZIP_MAX_RATIO = 100_000  # only the size limit is at stake here
    assert refusal(content, name="отчёт.docx", kind="report").code == "zip_size"
    assert validate_upload(upload("отчёт.docx", content), kind="attachment") == DOCX_MIME
