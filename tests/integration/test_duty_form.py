"""A plan or report sent through its page: untouched event rows are ignored, and every error
is listed at the top with a link to its field (the form sits at the bottom of a long page)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from statuses.models import Duty
from tests.browser import browser_post_data, error_summary
from tests.story import granted

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")


@pytest.fixture
def plan(coordinator, school, program, methodist, secretary, official):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        status = granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=datetime.date(2026, 11, 20),
            order="125-р",
        )
    return status.duties.filter(kind=Duty.Kind.PLAN).order_by("due_date").first()


def test_a_plan_with_untouched_event_rows_is_sent(client, coordinator, plan):
    client.force_login(coordinator)
    url = reverse("duty-detail", args=[plan.pk])
    html = client.get(url).content.decode()
    data = browser_post_data(
        html,
        having="events-TOTAL_FORMS",
        summary="План на год",
        **{"events-0-title": "Семинар", "events-0-planned": "ноябрь"},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    submission = plan.submissions.get()
    assert [e.title for e in submission.events.all()] == ["Семинар"]


def test_errors_of_a_plan_are_summarised_at_the_top_with_links(client, coordinator, plan):
    client.force_login(coordinator)
    url = reverse("duty-detail", args=[plan.pk])
    html = client.get(url).content.decode()
    data = browser_post_data(
        html,
        having="events-TOTAL_FORMS",
        summary="План на год",
        **{"events-1-title": "Семинар", "events-1-held_on": "32.13.2026"},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    summary = error_summary(page)
    assert summary is not None and summary.get("role") == "alert"
    links = [a.get("href") for a in summary.iter("a")]
    assert links == ["#id_events-1-planned", "#id_events-1-held_on"]
    assert page.index('id="error-summary"') < page.index('name="summary"')
    assert not plan.submissions.exists()
