"""The yearly report's indicators as data: a programme's reporting calendar holds the form of
its report (a definition in the language of `programmes.formdef`), so a programme counts what
its regulation asks for. The same definition gives the page's form, the service's check, the
submission's page and its print form; a submission keeps the definition it was sent with.

The engine's default is the report every programme had before (four counts and four texts);
its fields keep their own columns, which the network report adds up. A programme's own fields
live in the submission's `answers` only.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programmes import formdef

# The submission's columns a report field may mirror (`column` in the definition).
COLUMNS = (
    "events_held",
    "young_teachers",
    "schools",
    "mentors",
    "outputs",
    "dissemination",
    "problems",
    "proposals",
)

_NUMBER = {"ru": "Укажите число.", "en": "Give the number."}


def _count(name: str, ru: str, en: str) -> dict:
    return {
        "name": name,
        "type": "integer",
        "label": {"ru": ru, "en": en},
        "required": _NUMBER,
        "column": name,
    }


def _text(name: str, ru: str, en: str) -> dict:
    return {"name": name, "type": "text", "label": {"ru": ru, "en": en}, "column": name}


DEFAULT = {
    "sections": [
        {
            "title": {"ru": "Количественные показатели", "en": "Figures"},
            "fields": [
                _count("events_held", "Проведено мероприятий", "Events held"),
                _count(
                    "young_teachers",
                    "Молодых педагогов — участников мероприятий",
                    "Young teachers taking part",
                ),
                _count(
                    "schools", "Образовательных организаций — участников", "Schools taking part"
                ),
                _count("mentors", "Наставников", "Mentors"),
            ],
        },
        {
            "title": {"ru": "Итоги", "en": "Results"},
            "fields": [
                _text("outputs", "Продукты деятельности и публикации", "Outputs and publications"),
                _text("dissemination", "Распространение опыта", "Dissemination of experience"),
                _text("problems", "Проблемы", "Problems"),
                _text("proposals", "Предложения", "Proposals"),
            ],
        },
    ]
}


def definition_errors(definition) -> list[str]:
    """What is wrong with a report form ([] if nothing). Events and files have their own
    places on the report, so a report form holds fields only."""
    if definition in (None, {}):
        return []
    errors = formdef.definition_errors(definition, columns=COLUMNS)
    if isinstance(definition, dict) and (definition.get("events") or definition.get("attachments")):
        errors.append(
            _("A report form holds fields only: the events and the file are asked for anyway.")
        )
    return errors


def require_valid(definition) -> None:
    errors = definition_errors(definition)
    if errors:
        raise ValidationError({"report_form": errors})


def of_schedule(schedule) -> dict:
    """The report form of a reporting calendar: its own, else the engine's."""
    return schedule.report_form or DEFAULT


def form_class(definition: dict):
    return formdef.form_class(definition, name="ReportForm")


def validated(definition: dict, fields: dict) -> dict:
    """The report's answers as JSON, checked by the definition's own form (types, lengths)
    and its completeness rules; ValidationError by field name otherwise. The page, the
    commands and the tests send field values; one check serves them all."""
    names = [f["name"] for f in formdef.fields_of(definition)]
    data = {}
    for name in names:
        value = fields.get(name)
        data[name] = "" if value is None else value
    form = form_class(definition)(data=data)
    if not form.is_valid():
        raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
    answers = formdef.answers_json(definition, form.cleaned_data)
    errors = formdef.completeness_errors(definition, answers)
    if errors:
        raise ValidationError(errors)
    return answers


def columns_of(definition: dict, answers: dict) -> dict:
    """The answers that mirror a submission column, as the column holds them."""
    out = {}
    for field in formdef.fields_of(definition):
        column = field.get("column")
        if column in COLUMNS:
            value = answers.get(field["name"])
            if field["type"] == "integer":
                out[column] = None if value in ("", None) else int(value)
            else:
                out[column] = "" if value is None else str(value)
    return out


def shown(submission) -> dict:
    """A submission's report as it was sent: {"counts": [{label, value}], "texts": [...]},
    labels in the current language. A submission sent before reports were data has no
    snapshot: the engine's form over its columns."""
    definition = submission.form or DEFAULT
    answers = submission.answers or {}
    counts, texts = [], []
    for field in formdef.fields_of(definition):
        name = field["name"]
        value = answers[name] if name in answers else getattr(submission, name, "")
        row = {
            "label": formdef.text(field.get("label")),
            "value": formdef.answer_shown(field, value),
        }
        (counts if field["type"] == "integer" else texts).append(row)
    return {"counts": counts, "texts": texts}
