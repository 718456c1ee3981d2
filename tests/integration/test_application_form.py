"""Приложение 1 on the page, as a coordinator fills it in a browser: untouched rows of the plan
are blank and ignored, a draft keeps whatever is filled, the years follow the programme's term,
and every error is listed at the top with a link to its field."""

import lxml.html
import pytest
from django.urls import reverse

from applications.models import Application, PlannedEvent
from tests.browser import browser_post_data as post_data
from tests.browser import page_form
from tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def _form(html: str) -> lxml.html.FormElement:
    """The application form of the page (the one with the plan of events)."""
    return page_form(html, having="events-TOTAL_FORMS")


def browser_post_data(html: str, **typed) -> dict:
    return post_data(html, having="events-TOTAL_FORMS", **typed)


def event_rows(html: str) -> list[dict]:
    """The rows of the plan as shown: {field: value} by row."""
    form = _form(html)
    total = int(form.inputs["events-TOTAL_FORMS"].value)
    rows = []
    for i in range(total):
        rows.append(
            {
                name: form.inputs[f"events-{i}-{name}"].value or ""
                for name in ("year_index", "title", "timing", "audience")
            }
        )
    return rows


def blank_rows(html: str) -> int:
    return sum(1 for r in event_rows(html) if not (r["title"] or r["timing"] or r["audience"]))


def year_options(html: str, row: int = 0) -> list[str]:
    return list(_form(html).inputs[f"events-{row}-year_index"].value_options)


@pytest.fixture
def page(client, coordinator):
    client.force_login(coordinator)
    return client


def test_a_draft_with_untouched_rows_of_the_plan_is_saved(page, school, program):
    create = page.get(reverse("application-create")).content.decode()
    data = browser_post_data(create, topic="Наставничество", program=str(program.pk))
    response = page.post(reverse("application-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert application.topic == "Наставничество"
    assert not application.planned_events.exists()  # blank rows are not events


def test_a_draft_keeps_a_half_filled_event_and_completeness_waits_for_submission(
    page, coordinator, program
):
    application = ApplicationFactory(
        program=program, created_by=coordinator, organisation=coordinator.organisations.get()
    )
    edit = page.get(reverse("application-edit", args=[application.pk])).content.decode()
    rows = event_rows(edit)
    new = len([r for r in rows if r["title"]])  # the first blank row
    data = browser_post_data(
        edit, **{f"events-{new}-year_index": "2", f"events-{new}-title": "Круглый стол"}
    )
    response = page.post(reverse("application-edit", args=[application.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert application.planned_events.filter(title="Круглый стол", timing="").exists()
    # Submitting names what is missing and links to it.
    submit = page.post(reverse("application-submit", args=[application.pk]), follow=True)
    html = submit.content.decode()
    summary = lxml.html.fromstring(html).get_element_by_id("error-summary")
    assert summary.get("role") == "alert"
    assert "Круглый стол" in summary.text_content()
    assert [a.get("href") for a in summary.iter("a")] == ["#events"]
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT


def test_saving_again_and_again_does_not_pile_up_blank_rows(page, coordinator, program):
    application = ApplicationFactory(
        program=program, created_by=coordinator, organisation=coordinator.organisations.get()
    )
    url = reverse("application-edit", args=[application.pk])
    first = page.get(url).content.decode()
    blank = blank_rows(first)
    assert blank == program.status_term_years  # an empty row for each year of the status
    for _ in range(3):
        html = page.get(url).content.decode()
        response = page.post(url, browser_post_data(html))
        assert response.status_code == 302, response.content.decode()[:3000]
    again = page.get(url).content.decode()
    assert blank_rows(again) == blank
    assert len(event_rows(again)) == len(event_rows(first))
    assert PlannedEvent.objects.filter(application=application).count() == 3


def test_every_error_is_summarised_at_the_top_with_a_link_to_its_field(page, program):
    create = page.get(reverse("application-create")).content.decode()
    data = browser_post_data(
        create,
        program=str(program.pk),
        responsible_email="не адрес",
        **{"events-1-title": "Семинар", "events-1-year_index": "9"},
    )
    response = page.post(reverse("application-create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    tree = lxml.html.fromstring(html)
    summary = tree.get_element_by_id("error-summary")
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    links = {a.get("href"): a.text_content() for a in summary.iter("a")}
    assert set(links) == {"#id_responsible_email", "#id_events-1-year_index"}
    for href in links:
        assert tree.get_element_by_id(href[1:]) is not None  # the link lands on its field
    # Above the form, before the first field.
    assert html.index('id="error-summary"') < html.index('name="topic"')
    assert not Application.objects.exists()


def test_the_years_follow_the_programmes_term(page, coordinator):
    four = ProgramFactory(code="four", status_term_years=4, registration_prefix="ЧГ")
    create = page.get(reverse("application-create")).content.decode()
    assert year_options(create) == ["1", "2", "3", "4"]
    fields = {
        "topic": "Тема",
        "direction": "competence",
        "goals": "Цели",
        "tasks": "Задачи",
        "expected_results": "Результаты",
        "responsible_name": "Иванова М. П.",
        "responsible_position": "Заместитель директора",
        "responsible_phone": "+7 3822 00-00-00",
    }
    rows = {}
    for i in range(4):
        rows |= {
            f"events-{i}-year_index": str(i + 1),
            f"events-{i}-title": f"Семинар {i + 1}",
            f"events-{i}-timing": "октябрь",
        }
    data = browser_post_data(create, program=str(four.pk), **fields, **rows)
    response = page.post(reverse("application-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert sorted(application.planned_events.values_list("year_index", flat=True)) == [1, 2, 3, 4]
    edit = page.get(reverse("application-edit", args=[application.pk])).content.decode()
    assert year_options(edit) == ["1", "2", "3", "4"]
    page.post(reverse("application-submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == Application.State.AT_METHODIST


def test_a_four_year_programme_demands_the_fourth_year(page, coordinator):
    four = ProgramFactory(code="four", status_term_years=4, registration_prefix="ЧГ")
    application = ApplicationFactory(
        program=four, created_by=coordinator, organisation=coordinator.organisations.get()
    )
    response = page.post(reverse("application-submit", args=[application.pk]), follow=True)
    summary = lxml.html.fromstring(response.content.decode()).get_element_by_id("error-summary")
    assert "4" in summary.text_content()
    application.refresh_from_db()
    assert application.state == Application.State.DRAFT
