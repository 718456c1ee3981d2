"""What changed between two submissions of an application, field by field, in the form's words."""

import pytest
from django.utils import translation

from applications.selectors import Change, application_submission_changes


@pytest.fixture(autouse=True)
def _russian():
    """The labels are the form's, in the page's language: Russian here."""
    with translation.override("ru"):
        yield


def snapshot(**fields):
    events = fields.pop("events", [])
    attachments = fields.pop("attachments", [])
    return {
        "fields": {"topic": "Тема", "direction": "competence", "partners": "ТГПУ", **fields},
        "events": [
            {"year_index": y, "title": t, "timing": w, "audience": ""} for y, t, w in events
        ],
        "attachments": [{"id": i, "title": t} for i, t in enumerate(attachments)],
    }


def test_nothing_changed_gives_nothing():
    same = snapshot(events=[(1, "Семинар", "май")], attachments=["Письмо"])
    assert application_submission_changes(same, same) == []


def test_a_changed_field_names_its_label_and_both_values_with_choice_labels():
    changes = application_submission_changes(
        snapshot(topic="Старая", direction="competence"),
        snapshot(topic="Новая", direction="creative"),
    )
    assert changes == [
        Change(label="Тема площадки", before="Старая", after="Новая"),
        Change(
            label="Направление",
            before="Профессиональная компетентность молодых педагогов",
            after="Творческая среда поддержки молодых педагогов",
        ),
    ]


def test_events_are_compared_year_by_year():
    before = snapshot(events=[(1, "Семинар", "май"), (2, "Форум", "март"), (3, "Квест", "май")])
    after = snapshot(events=[(1, "Семинар", "июнь"), (3, "Квест", "май"), (3, "Слёт", "июль")])
    changes = application_submission_changes(before, after)
    assert [(c.before, c.after) for c in changes] == [
        ("Семинар, май", "Семинар, июнь"),
        ("Форум, март", ""),
        ("", "Слёт, июль"),
    ]
    assert "1" in changes[0].label and "2" in changes[1].label and "3" in changes[2].label


def test_attachments_added_and_removed():
    changes = application_submission_changes(
        snapshot(attachments=["Письмо"]), snapshot(attachments=["Письмо", "Программа"])
    )
    assert [(c.before, c.after) for c in changes] == [("", "Программа")]
