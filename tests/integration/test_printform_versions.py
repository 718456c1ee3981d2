"""Each request of a print form is a version of its document (an application's every submission
is one): requests render in the order they were made, none is lost to a newer one still in
the queue, and a late old one never buries a newer version."""

import pytest

from documents.models import Document, RenderRequest
from documents.services import document_draft, print_form_request, print_form_retry
from documents.tasks import render_print_form
from tests.documents_helpers import pdf_text, printform_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return UserFactory(username="clerk")


def request_for(document, clerk, topic, capture):
    context = {**printform_context("application"), "topic": topic}
    with capture(execute=False):  # the worker is busy: both wait in the queue
        return print_form_request(
            document=document, form="application", context=context, actor=clerk
        )


def pdf_texts(document) -> list[str]:
    texts = []
    for version in document.versions.filter(content_type="application/pdf").order_by("number"):
        with version.file.open("rb") as handle:
            texts.append(pdf_text(handle.read()))
    return texts


def test_two_requests_in_the_queue_render_two_versions_in_order(
    clerk, django_capture_on_commit_callbacks
):
    document = document_draft(kind="application", title="Заявка", author=clerk)
    first = request_for(document, clerk, "Первая редакция", django_capture_on_commit_callbacks)
    second = request_for(document, clerk, "Вторая редакция", django_capture_on_commit_callbacks)
    assert render_print_form(request_id=first.pk) == "done"
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.PREPARING  # the newest is still due
    assert render_print_form(request_id=second.pk) == "done"
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.READY
    first_text, second_text = pdf_texts(document)
    assert "Первая редакция" in first_text and "Вторая редакция" in second_text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.version.number < second.version.number == document.current_version.number


def test_an_old_request_arriving_after_a_newer_version_adds_nothing(
    clerk, django_capture_on_commit_callbacks
):
    document = document_draft(kind="application", title="Заявка", author=clerk)
    first = request_for(document, clerk, "Первая редакция", django_capture_on_commit_callbacks)
    second = request_for(document, clerk, "Вторая редакция", django_capture_on_commit_callbacks)
    assert render_print_form(request_id=second.pk) == "done"
    assert render_print_form(request_id=first.pk) == "superseded"
    (text,) = pdf_texts(document)
    assert "Вторая редакция" in text


def test_retrying_a_stuck_request_renders_it_once(clerk, django_capture_on_commit_callbacks):
    document = document_draft(kind="application", title="Заявка", author=clerk)
    stuck = request_for(document, clerk, "Первая редакция", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = print_form_retry(document=document, actor=clerk)
    assert again == stuck
    render_print_form(request_id=stuck.pk)  # the lost message turns up after all
    assert RenderRequest.objects.filter(document=document).count() == 1
    assert len(pdf_texts(document)) == 1
