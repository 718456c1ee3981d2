"""Drafts through the API follow the page's rules: a draft keeps whatever is sent, an event
with no text is no event, the years follow the programme's term, completeness waits for the
submission."""

import pytest

from applications.models import Application
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "topic": "Наставничество",
    "direction": "competence",
    "goals": "Цели",
    "tasks": "Задачи",
    "expected_results": "Результаты",
    "responsible_name": "Иванова М. П.",
    "responsible_position": "Заместитель директора",
    "responsible_phone": "+7 3822 00-00-00",
}


def events(*years):
    return [{"year_index": y, "title": f"Семинар {y}", "timing": "октябрь"} for y in years]


def test_a_partial_draft_is_saved_and_blank_events_are_ignored(client_for, coordinator, program):
    response = client_for(coordinator).post(
        "/api/applications/",
        {
            "topic": "Только тема",
            "planned_events": [
                {"year_index": 1, "title": "Круглый стол", "timing": ""},
                {"year_index": 2, "title": "", "timing": "", "audience": ""},
                {"year_index": 3, "title": "  ", "timing": ""},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    case = response.json()
    assert [(e["year_index"], e["title"], e["timing"]) for e in case["planned_events"]] == [
        (1, "Круглый стол", "")
    ]
    # Completeness is checked at submission: the half-filled event and the empty years.
    submit = client_for(coordinator).post(f"/api/applications/{case['id']}/submit/")
    assert submit.status_code == 400
    messages = " ".join(submit.json()["errors"]["planned_events"])
    assert "Круглый стол" in messages and "2, 3" in messages
    assert Application.objects.get().state == Application.State.DRAFT


def test_the_years_of_the_events_follow_the_programmes_term(client_for, coordinator):
    four = ProgramFactory(code="four", status_term_years=4, registration_prefix="ЧГ")
    applicant = client_for(coordinator)
    response = applicant.post(
        "/api/applications/",
        {**FIELDS, "program": four.pk, "planned_events": events(1, 2, 3)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    refused = applicant.post(f"/api/applications/{pk}/submit/")
    assert refused.status_code == 400
    assert "4" in refused.json()["errors"]["planned_events"][0]
    patched = applicant.patch(
        f"/api/applications/{pk}/", {"planned_events": events(1, 2, 3, 4)}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert applicant.post(f"/api/applications/{pk}/submit/").status_code == 200
    assert Application.objects.get().state == Application.State.AT_METHODIST


def test_a_year_beyond_the_term_is_refused_with_the_range(client_for, coordinator, program):
    response = client_for(coordinator).post(
        "/api/applications/", {**FIELDS, "planned_events": events(1, 4)}, format="json"
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["planned_events.1.year_index"]
    assert "1" in message and "3" in message
    assert not Application.objects.exists()
