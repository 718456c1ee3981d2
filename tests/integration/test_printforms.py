"""Print forms: each renders to PDF/A and DOCX in the Celery task, with its requisites and a QR
code that opens the verification page; staff's template wins over the shipped one."""

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from documents import printforms
from documents.models import Document, PrintTemplate, RenderRequest, Version
from documents.services import (
    document_draft,
    journal_register,
    print_form_render,
    print_form_request,
    print_form_retry,
    print_forms_requeue_stale,
)
from tests.documents_helpers import (
    docx_text,
    pdf_fonts_embedded,
    pdf_qr_texts,
    pdf_text,
    pdf_xmp,
    printform_context,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return UserFactory(username="clerk", first_name="Ольга", last_name="Орлова")


def render(document, form, context, actor, capture):
    with capture(execute=True):
        print_form_request(document=document, form=form, context=context, actor=actor)
    document.refresh_from_db()
    return document


def version_bytes(version: Version) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("form", sorted(printforms.FORMS))
def test_every_form_renders_to_pdf_a_and_docx_with_its_requisites_and_qr(
    form, clerk, django_capture_on_commit_callbacks
):
    document = document_draft(kind=printforms.FORMS[form].kind, title=form, author=clerk)
    if form != "protocol":  # the protocol brings its own number from the meeting
        journal_register(
            document=document, journal_code=form, scope="tomsk-ms", defaults={"prefix": "ЗСП"}
        )
    context = printform_context(form)
    document = render(document, form, context, clerk, django_capture_on_commit_callbacks)

    assert document.render_state == Document.RenderState.READY
    pdf_version = document.current_version
    assert pdf_version.content_type == "application/pdf"
    pdf = version_bytes(pdf_version)
    text = pdf_text(pdf)
    number = context.get("number") or document.reg_number
    assert f"№ {number}" in text
    date = context.get("date") or document.reg_date
    assert date.strftime("%d.%m.%Y") in text
    assert printform_context(form)["authority"].upper() in text.replace("\n", " ")
    for name_key in ("chair", "secretary", "signer_name", "organisation"):
        if name_key in context:
            assert context[name_key] in text.replace("\n", " ")
    if form == "status_certificate":
        assert "УТВЕРЖДАЮ" in text
        assert "31.08.2029" in text
    # PDF/A-3b declared in the XMP metadata, fonts embedded.
    xmp = pdf_xmp(pdf)
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert pdf_fonts_embedded(pdf)
    verify_url = settings.SITE_URL.rstrip("/") + reverse(
        "document-verify", args=[document.verify_code]
    )
    assert pdf_qr_texts(pdf) == [verify_url]

    docx = document.editable_version
    assert docx.content_type.endswith("wordprocessingml.document")
    words = docx_text(version_bytes(docx))
    assert f"№ {number}" in words
    assert verify_url in words
    request = RenderRequest.objects.get(document=document)
    assert request.state == RenderRequest.State.DONE


def test_the_protocol_and_extract_accept_the_council_context_exactly(
    clerk, django_capture_on_commit_callbacks
):
    extract = document_draft(kind="protocol_extract", title="Выписка", author=clerk)
    journal_register(document=extract, journal_code="protocol_extract", scope="tomsk-ms")
    context = printform_context("protocol_extract")
    extract = render(
        extract, "protocol_extract", context, clerk, django_capture_on_commit_callbacks
    )
    text = pdf_text(version_bytes(extract.current_version)).replace("\n", " ")
    assert "ВЫПИСКА ИЗ ПРОТОКОЛА" in text
    assert "РЕШИЛИ: Присвоить статус сетевой площадки" in text
    assert "«за» — 3, «против» — 0, «воздержались» — 0" in text
    assert "Выписка верна" in text


def test_a_staff_template_replaces_the_shipped_one_for_its_scope(
    clerk, django_capture_on_commit_callbacks
):
    PrintTemplate.objects.create(
        form="order",
        scope="klin",
        html='{% extends "documents/printforms/order.html" %}{% block kind %}РАСПОРЯЖЕНИЕ ГЛАВЫ{% endblock %}',
    )
    for scope, expected in (("klin", "РАСПОРЯЖЕНИЕ ГЛАВЫ"), ("tomsk-ms", "РАСПОРЯЖЕНИЕ\n")):
        document = document_draft(kind="order", title="Распоряжение", author=clerk)
        with django_capture_on_commit_callbacks(execute=True):
            print_form_request(
                document=document,
                form="order",
                context=printform_context("order"),
                actor=clerk,
                scope=scope,
            )
        document.refresh_from_db()
        text = pdf_text(version_bytes(document.current_version))
        assert expected in text
        if scope == "tomsk-ms":
            assert "ГЛАВЫ" not in text


def test_a_broken_template_fails_the_document_and_staff_can_retry(
    clerk, django_capture_on_commit_callbacks
):
    template = PrintTemplate.objects.create(form="order", html="{% if %}")
    document = document_draft(kind="order", title="Распоряжение", author=clerk)
    document = render(
        document, "order", printform_context("order"), clerk, django_capture_on_commit_callbacks
    )
    assert document.render_state == Document.RenderState.FAILED
    assert "TemplateSyntaxError" in document.render_error
    assert not document.versions.exists()

    template.delete()
    with django_capture_on_commit_callbacks(execute=True):
        print_form_retry(document=document, actor=clerk)
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.READY
    assert document.versions.count() == 2


def test_the_document_is_preparing_until_the_task_ran_and_a_second_run_adds_nothing(
    clerk, django_capture_on_commit_callbacks
):
    from documents.tasks import render_print_form

    document = document_draft(kind="order", title="Распоряжение", author=clerk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = print_form_request(
            document=document, form="order", context=printform_context("order"), actor=clerk
        )
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.PREPARING
    assert len(callbacks) == 1
    assert render_print_form(request_id=request.pk) == "done"
    assert render_print_form(request_id=request.pk) == "skipped"
    assert document.versions.count() == 2


def test_a_context_without_a_required_key_is_refused_at_request_time(clerk):
    document = document_draft(kind="protocol", title="Протокол", author=clerk)
    context = printform_context("protocol")
    del context["items"]
    with pytest.raises(ValueError, match="items"):
        print_form_request(document=document, form="protocol", context=context, actor=clerk)
    document.refresh_from_db()
    assert document.render_state == ""


def test_a_request_the_broker_lost_is_rendered_by_the_sweep(
    clerk, django_capture_on_commit_callbacks
):
    document = document_draft(kind="order", title="Распоряжение", author=clerk)
    with django_capture_on_commit_callbacks(execute=False):  # the message never reaches a worker
        print_form_request(
            document=document, form="order", context=printform_context("order"), actor=clerk
        )
    call_command("tick", stdout=io.StringIO())  # too early: left alone
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.PREPARING
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10)
    with time_machine.travel(later):
        call_command("tick", now=later.isoformat(), stdout=io.StringIO())
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.READY


class WorkerKilled(BaseException):
    """What a worker killed mid-rendering looks like from inside: the rendering never returns
    and its transaction is rolled back (a hard time limit, the out-of-memory killer)."""


def test_a_rendering_whose_worker_dies_every_time_ends_failed_after_its_attempts(
    clerk, settings, django_capture_on_commit_callbacks
):
    """Each attempt is counted before it starts, so the sweep sending the request again (once
    per period) spends attempts instead of resetting them; with none left the document shows
    the failure to staff, who prepare it again with a fresh count."""
    from audit.models import AuditEvent

    settings.DOCUMENTS_RENDER_MAX_ATTEMPTS = 2
    document = document_draft(kind="order", title="Распоряжение", author=clerk)
    with django_capture_on_commit_callbacks(execute=False):
        request = print_form_request(
            document=document, form="order", context=printform_context("order"), actor=clerk
        )
    with mock.patch("documents.printforms.render.render_pdf", side_effect=WorkerKilled):
        for _ in range(2):
            with pytest.raises(WorkerKilled):
                print_form_render(request_id=request.pk)
    request.refresh_from_db()
    assert (request.state, request.attempts) == (RenderRequest.State.PENDING, 2)

    with mock.patch("documents.services._enqueue_render") as send:
        later = request.sent_at + datetime.timedelta(minutes=10)
        assert print_forms_requeue_stale(now=later) == 1
        assert print_forms_requeue_stale(now=later) == 0  # sent once per period
        assert send.call_count == 1
    assert print_form_render(request_id=request.pk) == "failed"
    request.refresh_from_db()
    assert request.state == RenderRequest.State.FAILED and request.attempts == 2
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.FAILED
    assert "не завершилась" in document.render_error
    assert AuditEvent.objects.filter(action="document.render_failed").count() == 1
    assert print_form_render(request_id=request.pk) == "skipped"

    with django_capture_on_commit_callbacks(execute=True):
        print_form_retry(document=document, actor=clerk)
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.READY
