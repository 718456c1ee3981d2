"""DOCX print forms from Word templates (docxtpl): the engine's, a programme's own (Tomsk's
wording), and staff's upload in the admin; values escaped, line breaks kept, tags sandboxed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx import Document as WordDocument

from documents import printforms
from documents.models import Document, PrintTemplate
from documents.services import document_draft, print_form_request
from tests.documents_helpers import docx_text, pdf_text, printform_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return UserFactory(username="clerk", first_name="Ольга", last_name="Орлова")


def _render(form, context, clerk, capture, *, scope=""):
    document = document_draft(kind=printforms.FORMS[form].kind, title=form, author=clerk)
    with capture(execute=True):
        print_form_request(document=document, form=form, context=context, actor=clerk, scope=scope)
    document.refresh_from_db()
    return document


def _bytes(version) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


def _template(*paragraphs: str) -> bytes:
    word = WordDocument()
    for text in paragraphs:
        word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_the_shipped_templates_are_what_their_layouts_build():
    call_command("docx_templates", stdout=io.StringIO())  # raises when a file is stale


@pytest.mark.parametrize("form", sorted(printforms.FORMS))
def test_every_docx_says_what_its_pdf_says_and_no_tag_is_left(
    form, clerk, django_capture_on_commit_callbacks
):
    context = printform_context(form)
    document = _render(form, context, clerk, django_capture_on_commit_callbacks)
    assert document.render_state == Document.RenderState.READY, document.render_error
    words = docx_text(_bytes(document.editable_version))
    pdf = " ".join(pdf_text(_bytes(document.current_version)).split())
    assert "{{" not in words and "{%" not in words and "}}" not in words
    flat = " ".join(words.split())
    for key in ("authority", "chair", "secretary", "signer_name", "organisation", "title"):
        value = context.get(key)
        if isinstance(value, str) and value and value in pdf:
            assert value in flat or value.upper() in flat, (key, value)


def test_a_programme_words_its_docx_as_its_pdf(clerk, django_capture_on_commit_callbacks):
    context = printform_context("platform_report")
    engine = _render("platform_report", context, clerk, django_capture_on_commit_callbacks)
    tomsk = _render(
        "platform_report", context, clerk, django_capture_on_commit_callbacks, scope="tomsk-ms"
    )
    engine_words = docx_text(_bytes(engine.editable_version))
    tomsk_words = docx_text(_bytes(tomsk.editable_version))
    assert "Координатор сетевой площадки" in tomsk_words
    assert "Координатор сетевой площадки" in pdf_text(_bytes(tomsk.current_version))
    assert "сетев" not in engine_words.replace("сетевых мероприятий", "")  # the context's own


def test_values_are_escaped_and_keep_their_line_breaks(clerk, django_capture_on_commit_callbacks):
    context = printform_context("refusal_letter")
    context["organisation"] = "ООО «Знание & Сила» <филиал>"
    context["reasons"] = "Нет плана мероприятий\nНет подписи руководителя"
    document = _render("refusal_letter", context, clerk, django_capture_on_commit_callbacks)
    assert document.render_state == Document.RenderState.READY, document.render_error
    word = WordDocument(io.BytesIO(_bytes(document.editable_version)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "ООО «Знание & Сила» <филиал>" in text
    assert "Нет плана мероприятий\nНет подписи руководителя" in text  # a w:br, read as \n


def test_staff_upload_a_docx_template_for_one_programme(
    admin_client, clerk, django_capture_on_commit_callbacks
):
    url = reverse("admin:documents_printtemplate_add")
    shipped = admin_client.get(
        reverse("admin:documents_printtemplate_docx") + "?form=order&scope=tomsk-ms"
    )
    assert shipped.status_code == 200 and shipped.content[:2] == b"PK"

    broken = _template("{{ organisation ")
    response = admin_client.post(
        url,
        {
            "form": "order",
            "scope": "klin-mn",
            "is_active": "on",
            "html": "",
            "docx_upload": SimpleUploadedFile("order.docx", broken),
        },
    )
    assert response.status_code == 200 and "В шаблоне DOCX ошибка" in response.content.decode()
    not_word = SimpleUploadedFile("order.docx", b"plain text")
    response = admin_client.post(
        url, {"form": "order", "scope": "klin-mn", "is_active": "on", "docx_upload": not_word}
    )
    assert response.status_code == 200 and not PrintTemplate.objects.exists()
    assert "Файл не является документом Word (.docx)." in response.content.decode()

    own = _template("РАСПОРЯЖЕНИЕ ГЛАВЫ ОКРУГА № {{ number }}", "{{ title }}", "{{ qr }}")
    response = admin_client.post(
        url,
        {
            "form": "order",
            "scope": "klin-mn",
            "is_active": "on",
            "html": "",
            "docx_upload": SimpleUploadedFile("order.docx", own),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = PrintTemplate.objects.get()
    assert bytes(row.docx) == own and row.html == ""

    context = printform_context("order")
    klin = _render("order", context, clerk, django_capture_on_commit_callbacks, scope="klin-mn")
    tomsk = _render("order", context, clerk, django_capture_on_commit_callbacks, scope="tomsk-ms")
    assert "РАСПОРЯЖЕНИЕ ГЛАВЫ ОКРУГА" in docx_text(_bytes(klin.editable_version))
    assert "ГЛАВЫ" not in docx_text(_bytes(tomsk.editable_version))
    # The PDF of that programme still comes from the shipped HTML (the row has none).
    assert "РАСПОРЯЖЕНИЕ" in pdf_text(_bytes(klin.current_version))


def test_an_uploaded_template_reads_the_context_and_nothing_else(
    clerk, django_capture_on_commit_callbacks
):
    PrintTemplate.objects.create(
        form="order", html="", docx=_template("{{ title.__class__.__mro__[1].__subclasses__() }}")
    )
    document = _render(
        "order", printform_context("order"), clerk, django_capture_on_commit_callbacks
    )
    assert document.render_state == Document.RenderState.FAILED
    assert "SecurityError" in document.render_error or "unsafe" in document.render_error
