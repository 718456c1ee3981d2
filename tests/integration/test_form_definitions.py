"""A programme's application form is data: the page, the API and the completeness check all
come from its definition, answers are kept with the version the case was filed with, and a
new version changes nothing of the cases filed before it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from applications import regulations, selectors, services
from applications.models import Application
from programmes import formdef
from programmes import services as programme_services
from tests.factories import CoordinatorFactory, OrganisationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

DEBUT_FORM = {
    "sections": [
        {
            "title": {"ru": "О конкурсанте", "en": "The contestant"},
            "fields": [
                {
                    "name": "topic",
                    "type": "line",
                    "label": {"ru": "Тема урока", "en": "Topic of the lesson"},
                    "required": {"ru": "Укажите тему урока.", "en": "State the topic."},
                    "column": "topic",
                },
                {
                    "name": "subject",
                    "type": "choice",
                    "label": {"ru": "Предмет", "en": "Subject"},
                    "choices": [["math", {"ru": "Математика", "en": "Mathematics"}]],
                    "required": True,
                },
                {
                    "name": "experience_years",
                    "type": "integer",
                    "label": {"ru": "Стаж, лет", "en": "Experience, years"},
                },
                {
                    "name": "started_on",
                    "type": "date",
                    "label": {"ru": "Начало работы в школе", "en": "Started at the school"},
                    "required": {"ru": "Укажите дату.", "en": "Give the date."},
                },
            ],
        }
    ],
    "events": None,
}


@pytest.fixture
def debut():
    return ProgramFactory(
        code="debut",
        title="Педагогический дебют",
        registration_prefix="ПД",
        status_term_years=1,
        form=DEBUT_FORM,
    )


@pytest.fixture
def applicant():
    school = OrganisationFactory(short_name="Школа № 5")
    return CoordinatorFactory(username="debut_coord", organisation=school), school


def test_a_definition_that_cannot_be_a_form_is_refused_and_nothing_is_saved(debut):
    broken = {
        "sections": [
            {
                "fields": [
                    {"name": "Bad name", "type": "line", "label": "x"},
                    {"name": "a", "type": "colour", "label": "y"},
                    {"name": "b", "type": "line", "label": "z", "column": "nowhere"},
                    {"name": "b", "type": "choice", "label": "w"},
                ]
            }
        ],
        "one_of": [{"fields": ["a"]}],
    }
    errors = formdef.definition_errors(broken, columns=programme_services.FORM_COLUMNS)
    assert len(errors) == 6
    with pytest.raises(ValidationError):
        programme_services.form_version_publish(program=debut, definition=broken)
    assert debut.form_versions.count() == 1
    assert formdef.definition_errors([]) and formdef.definition_errors({"sections": []})


def test_the_tomsk_form_is_data_and_validates_as_before():
    assert not formdef.definition_errors(
        regulations.TOMSK_FORM, columns=programme_services.FORM_COLUMNS
    )
    form_class = formdef.form_class(regulations.TOMSK_FORM)
    assert list(form_class.base_fields) == [
        "topic",
        "direction",
        "goals",
        "tasks",
        "expected_results",
        "partners",
        "responsible_name",
        "responsible_position",
        "responsible_phone",
        "responsible_email",
    ]
    form = form_class(data={"topic": "т" * 1001, "responsible_email": "not an e-mail"})
    assert not form.is_valid()
    assert set(form.errors) == {"topic", "responsible_email"}
    with_one_of = formdef.completeness_errors(regulations.TOMSK_FORM, {"topic": "Тема"})
    assert "goals" in with_one_of and "responsible_phone" in with_one_of


def test_a_case_of_another_programme_is_filed_on_its_own_form(client, debut, applicant):
    coordinator, school = applicant
    client.force_login(coordinator)
    page = client.get(reverse("application-create"), {"program": debut.pk}).content.decode()
    assert "Тема урока" in page and "Предмет" in page
    assert "Цели" not in page and 'name="events-TOTAL_FORMS"' not in page

    response = client.post(
        reverse("application-create"),
        {
            "organisation": school.pk,
            "program": debut.pk,
            "topic": "Дроби на кухне",
            "subject": "math",
            "experience_years": "1",
            "started_on": "01.09.2025",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(program=debut)
    assert application.form_version.number == 1
    assert application.topic == "Дроби на кухне"  # kept in its column for lists and search
    assert application.answers == {
        "subject": "math",
        "experience_years": 1,
        "started_on": "2025-09-01",
    }
    shown = selectors.application_answers_shown(application)
    assert ("Предмет", "Математика") in [(r["label"], r["value"]) for r in shown[0]["rows"]]
    assert ("Начало работы в школе", "01.09.2025") in [
        (r["label"], r["value"]) for r in shown[0]["rows"]
    ]
    # Complete under its own form: no planned events, no Tomsk fields asked for.
    assert selectors.application_completeness_errors(application) == {}


def test_completeness_follows_the_cases_own_version(debut, applicant):
    coordinator, school = applicant
    application = services.application_create(
        user=coordinator, organisation=school, program=debut, fields={"topic": "Тема"}, events=[]
    )
    errors = selectors.application_completeness_errors(application)
    assert errors["subject"] == ["Заполните поле «Предмет»."] or errors["subject"]
    assert errors["started_on"] == ["Укажите дату."]

    # A new version adds a required field: the case filed on version 1 is not asked for it.
    second = {
        **DEBUT_FORM,
        "sections": [
            {
                **DEBUT_FORM["sections"][0],
                "fields": [
                    *DEBUT_FORM["sections"][0]["fields"],
                    {"name": "motto", "type": "line", "label": "Девиз", "required": True},
                ],
            }
        ],
    }
    programme_services.form_version_publish(program=debut, definition=second)
    application.refresh_from_db()
    assert "motto" not in selectors.application_completeness_errors(application)
    assert programme_services.current_form(debut).number == 2

    with pytest.raises(ValidationError):
        services.application_update(
            application_id=application.pk, user=coordinator, fields={"motto": "x"}, events=None
        )


def test_the_api_files_answers_on_the_programmes_form_and_describes_it(debut, applicant):
    coordinator, school = applicant
    api = APIClient()
    api.force_authenticate(coordinator)

    described = api.get(f"/api/programmes/{debut.pk}/form/")
    assert described.status_code == 200
    body = described.json()
    assert body["version"] == 1 and body["planned_events"] is False
    assert [f["name"] for f in body["fields"]] == [
        "topic",
        "subject",
        "experience_years",
        "started_on",
    ]

    bad = api.post(
        "/api/applications/",
        {"organisation": school.pk, "program": debut.pk, "subject": "history"},
        format="json",
    )
    assert bad.status_code == 400 and "subject" in bad.json()["errors"]
    assert not Application.objects.filter(program=debut).exists()

    created = api.post(
        "/api/applications/",
        {
            "organisation": school.pk,
            "program": debut.pk,
            "topic": "Дроби",
            "subject": "math",
            "started_on": "2025-09-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    detail = api.get(f"/api/applications/{created.json()['id']}/").json()
    assert detail["form_version"] == 1
    assert detail["answers"]["subject"] == "math"
    assert detail["answers"]["started_on"] == "2025-09-01"


def test_choosing_another_programme_after_filling_the_form_saves_nothing_silently(
    client, debut, applicant
):
    """The select of programmes changed after the page showed Tomsk's form: the answers were
    typed for that form, so nothing is saved; the chosen programme's form comes back with the
    answers their fields share, and the page says why."""
    coordinator, school = applicant
    tomsk = ProgramFactory(code="tomsk-ms", registration_prefix="ЗСП")
    client.force_login(coordinator)
    shown = programme_services.current_form(tomsk)
    page = client.post(
        reverse("application-create"),
        {
            "organisation": school.pk,
            "program": debut.pk,
            "form_version": shown.pk,
            "topic": "Дроби на кухне",
            "goals": "Цели площадки",
        },
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ничего не сохранено" in text
    assert 'value="Дроби на кухне"' in text and "Тема урока" in text
    assert not Application.objects.exists()
