"""A step's decision form sits below the case on its page: its errors are listed at the top."""

import lxml.html
import pytest
from django.urls import reverse

from applications.models import Application
from tests.browser import error_summary
from tests.story import open_task, submitted

pytestmark = pytest.mark.django_db


def test_a_return_without_a_comment_is_summarised_at_the_top(
    client, coordinator, school, program, methodist
):
    application = submitted(coordinator=coordinator, school=school, program=program)
    task = open_task(application)
    client.force_login(methodist)
    url = reverse("task-detail", args=[task.pk])
    response = client.post(url, {"action": "complete", "decision": "return", "comment": ""})
    assert response.status_code == 200
    summary = error_summary(response.content.decode())
    assert summary is not None and summary.get("role") == "alert"
    assert [a.get("href") for a in summary.iter("a")] == ["#id_comment"]
    application.refresh_from_db()
    assert application.state == Application.State.AT_METHODIST


def test_an_error_message_after_a_redirect_is_announced(client, coordinator, school, program):
    """Short forms (attachments, council actions) report by a message on the next page."""
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(program=program, organisation=school, created_by=coordinator)
    client.force_login(coordinator)
    page = client.post(reverse("application-attach", args=[application.pk]), {}, follow=True)
    (message,) = lxml.html.fromstring(page.content.decode()).xpath('//ul[@class="messages"]/li')
    assert message.get("role") == "alert" and message.get("class") == "error"
