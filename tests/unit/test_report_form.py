"""The yearly report's form as data (statuses.reportform): what a definition may hold, one
check for every caller, and a submission shown by the form it was sent with."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from statuses import reportform
from statuses.models import DutySchedule, Submission

COUNT = {"name": "lessons", "type": "integer", "label": {"ru": "Уроков", "en": "Lessons"}}


def test_a_report_form_holds_fields_that_mirror_only_report_columns():
    assert reportform.definition_errors({}) == []
    assert reportform.definition_errors(reportform.DEFAULT) == []
    wrong_column = {"sections": [{"fields": [{**COUNT, "column": "topic"}]}]}
    assert "topic" in " ".join(reportform.definition_errors(wrong_column))
    with_events = {"sections": [{"fields": [COUNT]}], "events": {"per_year": 1}}
    assert reportform.definition_errors(with_events)
    schedule = DutySchedule(report_form={"sections": []})
    with pytest.raises(ValidationError) as raised:
        schedule.clean_fields(exclude=["program"])
    assert "report_form" in raised.value.message_dict


def test_the_shipped_contest_report_form_is_valid():
    path = Path(settings.BASE_DIR, "programmes/definitions/debut/programme.json")
    definition = json.loads(path.read_text())["duty_schedule"]["report_form"]
    assert reportform.definition_errors(definition) == []


def test_answers_are_checked_by_type_and_completeness_whoever_sends_them():
    definition = {
        "sections": [
            {
                "fields": [
                    {**COUNT, "required": {"ru": "Сколько уроков?", "en": "How many?"}},
                    {"name": "notes", "type": "text", "label": "Notes", "column": "problems"},
                ]
            }
        ]
    }
    with translation.override("ru"), pytest.raises(ValidationError) as raised:
        reportform.validated(definition, {"lessons": "много"})
    assert list(raised.value.message_dict) == ["lessons"]
    with translation.override("ru"), pytest.raises(ValidationError) as raised:
        reportform.validated(definition, {"notes": "текст"})
    assert raised.value.message_dict == {"lessons": ["Сколько уроков?"]}
    answers = reportform.validated(definition, {"lessons": "4", "notes": "Без проблем"})
    assert answers == {"lessons": 4, "notes": "Без проблем"}
    assert reportform.columns_of(definition, answers) == {"problems": "Без проблем"}


def test_a_submission_sent_before_reports_were_data_shows_its_columns():
    old = Submission(events_held=3, young_teachers=20, schools=4, mentors=6, outputs="Сборник")
    with translation.override("ru"):
        shown = reportform.shown(old)
    assert shown["counts"][0] == {"label": "Проведено мероприятий", "value": "3"}
    assert {"label": "Продукты деятельности и публикации", "value": "Сборник"} in shown["texts"]
