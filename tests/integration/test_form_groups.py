"""Repeating groups in a programme's form: rows of fields (a teacher's professional contests,
each with its title, level and year), from one definition for the page, the API and the print;
a row is checked by the group's own fields and a required group needs its rows."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from applications import selectors
from applications.models import Application
from programmes import formdef
from tests.factories import CoordinatorFactory, OrganisationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

CONTESTS = {
    "name": "contests",
    "type": "group",
    "label": {"ru": "Участие в профессиональных конкурсах", "en": "Professional contests"},
    "required": {"ru": "Назовите хотя бы один конкурс.", "en": "Name a contest."},
    "min": 1,
    "fields": [
        {
            "name": "title",
            "type": "line",
            "label": {"ru": "Конкурс", "en": "Contest"},
            "required": {"ru": "Назовите конкурс.", "en": "Name the contest."},
        },
        {
            "name": "level",
            "type": "choice",
            "label": {"ru": "Уровень", "en": "Level"},
            "choices": [
                ["municipal", {"ru": "Муниципальный", "en": "Municipal"}],
                ["regional", {"ru": "Региональный", "en": "Regional"}],
            ],
        },
        {"name": "year", "type": "integer", "label": {"ru": "Год", "en": "Year"}},
    ],
}
FORM = {
    "sections": [
        {
            "title": "О педагоге",
            "fields": [
                {"name": "topic", "type": "line", "label": "Тема", "column": "topic"},
                CONTESTS,
            ],
        }
    ]
}


@pytest.fixture
def program():
    return ProgramFactory(code="klin-test", registration_prefix="КТ", form=FORM)


@pytest.fixture
def applicant():
    school = OrganisationFactory(short_name="Гимназия № 2")
    return CoordinatorFactory(username="group_coord", organisation=school), school


def test_a_group_definition_is_checked_like_the_form():
    assert formdef.definition_errors(FORM, columns=("topic",)) == []
    no_fields = {"sections": [{"fields": [{**CONTESTS, "fields": []}]}]}
    nested = {"sections": [{"fields": [{**CONTESTS, "fields": [{**CONTESTS, "name": "inner"}]}]}]}
    in_column = {"sections": [{"fields": [{**CONTESTS, "column": "topic"}]}]}
    for wrong in (no_fields, nested, in_column):
        assert formdef.definition_errors(wrong, columns=("topic",)), wrong


def test_the_page_takes_rows_checks_each_and_shows_them(client, program, applicant):
    coordinator, school = applicant
    client.force_login(coordinator)
    page = client.get(reverse("application-create"), {"program": program.pk}).content.decode()
    assert 'name="contests-0-title"' in page and 'name="contests-1-level"' in page
    assert "Участие в профессиональных конкурсах" in page

    base = {"organisation": school.pk, "program": program.pk, "topic": "Наставничество"}
    bad = client.post(
        reverse("application-create"),
        {**base, "contests-0-title": "", "contests-0-level": "regional", "contests-0-year": "x"},
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Строка 1" in text and "Введите целое число." in text
    assert not Application.objects.exists()
    # The row typed in comes back, with two blank rows, however often the save is refused.
    again = client.post(
        reverse("application-create"),
        {
            **base,
            "contests-0-title": "",
            "contests-0-level": "regional",
            "contests-0-year": "x",
            "contests-1-title": "",
            "contests-2-title": "",
        },
    ).content.decode()
    assert 'name="contests-2-title"' in again and 'name="contests-3-title"' not in again

    response = client.post(
        reverse("application-create"),
        {
            **base,
            "contests-0-title": "Учитель года — 2025",
            "contests-0-level": "municipal",
            "contests-0-year": "2025",
            "contests-1-title": "",  # a blank row is no row
            "contests-1-level": "",
            "contests-1-year": "",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.answers["contests"] == [
        {"title": "Учитель года — 2025", "level": "municipal", "year": 2025}
    ]
    shown = {
        r["label"]: r["value"] for r in selectors.application_answers_shown(application)[0]["rows"]
    }
    assert (
        shown["Участие в профессиональных конкурсах"]
        == "1. Учитель года — 2025; Муниципальный; 2025"
    )
    edit = client.get(reverse("application-edit", args=[application.pk])).content.decode()
    assert 'value="Учитель года — 2025"' in edit  # the saved row comes back, then blank ones
    assert 'name="contests-2-title"' in edit


def test_a_required_group_is_asked_for_at_submission(program, applicant):
    from applications import services

    coordinator, school = applicant
    application = services.application_create(
        user=coordinator, organisation=school, program=program, fields={"topic": "Т"}, events=[]
    )
    errors = selectors.application_completeness_errors(application)
    assert errors["contests"] == ["Назовите хотя бы один конкурс."]


def test_the_api_describes_the_group_and_takes_its_rows(program, applicant):
    coordinator, school = applicant
    api = APIClient()
    api.force_authenticate(coordinator)
    described = api.get(f"/api/programmes/{program.pk}/form/").json()
    group = next(f for f in described["fields"] if f["name"] == "contests")
    assert group["type"] == "group" and group["min"] == 1
    assert [f["name"] for f in group["fields"]] == ["title", "level", "year"]

    body = {"organisation": school.pk, "program": program.pk, "topic": "Т"}
    bad = api.post(
        "/api/applications/", {**body, "contests": [{"level": "federal"}]}, format="json"
    )
    assert bad.status_code == 400 and "contests" in bad.json()["errors"]
    bad = api.post("/api/applications/", {**body, "contests": "Учитель года"}, format="json")
    assert bad.status_code == 400 and "contests" in bad.json()["errors"]
    assert not Application.objects.exists()

    created = api.post(
        "/api/applications/",
        {**body, "contests": [{"title": "Педагогический дебют", "level": "regional"}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    detail = api.get(f"/api/applications/{created.json()['id']}/").json()
    assert detail["answers"]["contests"] == [
        {"title": "Педагогический дебют", "level": "regional", "year": ""}
    ]
