"""Application forms as data: a programme's form is a definition (JSON) in a `FormVersion`.

One definition gives the Django form that validates every input (the pages, and the API
through core.api.formfields), the completeness rules checked at submission, and the plain
description a client or a print form lays out. A definition:

    {
      "sections": [
        {"title": {"ru": "...", "en": "..."},
         "fields": [
           {"name": "topic", "type": "line", "label": {"ru": "...", "en": "..."},
            "help": {...}, "required": {"ru": "Укажите тему.", "en": "State the topic."},
            "column": "topic", "rows": 3, "choices": [["value", {"ru": ..., "en": ...}]]}
         ]}
      ],
      "one_of": [{"fields": ["phone", "email"], "message": {...}}],
      "events": {"title": {...}, "per_year": 1} | null,
      "attachments": [{"kind": "essay", "label": {...}, "required": true}]
    }

A field of type "group" is a repeating group: rows of its own `fields` (not groups), e.g. the
professional contests a teacher took part in, each with its title, level and year; `min` rows
at least when it is required. Its answer is a list of objects, one per row.

Texts are {"ru": ..., "en": ...} (or one string): an administrator writes the form in the
languages the office uses; Russian is the fallback. `required` holds the message shown when the
field is empty at submission (drafts may be saved half filled). `column` names the model column
that mirrors the answer where lists, search and the registry need a real column.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from core.limits import LINE

# What a field may be, and the longest answer of each text type.
TEXT = 20000
FIELD_TYPES = ("line", "text", "email", "phone", "choice", "date", "integer", "group")
ROW_TYPES = tuple(t for t in FIELD_TYPES if t != "group")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def text(value, language: str | None = None) -> str:
    """A definition's text in the current language (Russian when it has none in it)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    language = (language or translation.get_language() or "ru").split("-")[0]
    return str(value.get(language) or value.get("ru") or next(iter(value.values()), ""))


# The same, resolved when shown: a form class built once speaks the language of each request.
text_lazy = lazy(text, str)


def fields_of(definition: dict) -> list[dict]:
    return [f for section in definition.get("sections", []) for f in section.get("fields", [])]


def definition_errors(definition, *, columns: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a definition ([] if nothing): checked before a version is saved, so
    a form that cannot be built never reaches an applicant. `columns`: the model columns a
    field may mirror."""
    if not isinstance(definition, dict):
        return [_("The form definition must be an object.")]
    errors = []
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        return [_("The form needs at least one section of fields.")]
    seen = set()
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("fields"), list):
            errors.append(_("Every section needs a list of fields."))
            continue
        for field in section["fields"]:
            if not isinstance(field, dict):
                errors.append(_("Every field must be an object."))
                continue
            name = field.get("name", "")
            if not isinstance(name, str) or not NAME.match(name):
                errors.append(
                    _("Field name %(name)r: use lower-case Latin letters, digits and “_”.")
                    % {"name": name}
                )
                continue
            if name in seen:
                errors.append(_("Field %(name)s is defined twice.") % {"name": name})
            seen.add(name)
            if field.get("type") not in FIELD_TYPES:
                errors.append(
                    _("Field %(name)s: the type must be one of %(types)s.")
                    % {"name": name, "types": ", ".join(FIELD_TYPES)}
                )
            if not text(field.get("label")):
                errors.append(_("Field %(name)s needs a label.") % {"name": name})
            if field.get("type") == "choice" and not field.get("choices"):
                errors.append(_("Field %(name)s: a choice needs choices.") % {"name": name})
            if field.get("type") == "group":
                errors += _group_errors(field)
            column = field.get("column")
            if column and field.get("type") == "group":
                errors.append(
                    _("Field %(name)s: a group is kept with the answers, not in a column.")
                    % {"name": name}
                )
            elif column and column not in columns:
                errors.append(
                    _("Field %(name)s: there is no column %(column)s to keep it in.")
                    % {"name": name, "column": column}
                )
    for rule in definition.get("one_of", []):
        missing = [n for n in rule.get("fields", []) if n not in seen]
        if missing or len(rule.get("fields", [])) < 2:
            errors.append(_("A rule “one of” must name two or more fields of the form."))
    errors += _attachment_errors(definition.get("attachments", []))
    return errors


def _group_errors(group: dict) -> list[str]:
    """A group's own fields: a list of fields of the plain types, named once each."""
    subfields = group.get("fields")
    name = group.get("name")
    if not isinstance(subfields, list) or not subfields:
        return [_("Group %(name)s needs a list of fields.") % {"name": name}]
    errors = definition_errors({"sections": [{"fields": subfields}]})
    if any(isinstance(f, dict) and f.get("type") == "group" for f in subfields):
        errors.append(_("Group %(name)s: a group cannot hold a group.") % {"name": name})
    if any(isinstance(f, dict) and f.get("column") for f in subfields):
        errors.append(_("Group %(name)s: its fields are kept with the answers.") % {"name": name})
    minimum = group.get("min", 0)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        errors.append(_("Group %(name)s: “min” must be a whole number.") % {"name": name})
    return [_("Group %(name)s: %(error)s") % {"name": name, "error": e} for e in errors]


def _attachment_errors(kinds) -> list[str]:
    if not isinstance(kinds, list) or not all(isinstance(k, dict) for k in kinds):
        return [_("“attachments” must be a list of the kinds of files.")]
    errors, seen = [], set()
    for item in kinds:
        kind = item.get("kind", "")
        if not isinstance(kind, str) or not NAME.match(kind):
            errors.append(
                _("Attachment kind %(kind)r: use lower-case Latin letters, digits and “_”.")
                % {"kind": kind}
            )
            continue
        if kind in seen:
            errors.append(_("Attachment kind %(kind)s is defined twice.") % {"kind": kind})
        seen.add(kind)
        if not text(item.get("label")):
            errors.append(_("Attachment kind %(kind)s needs a label.") % {"kind": kind})
    return errors


def attachment_kinds(definition: dict) -> list[dict]:
    """The kinds of files the form asks for: [{"kind", "label", "required"}], labels in the
    current language."""
    return [
        {
            "kind": item["kind"],
            "label": text(item.get("label")),
            "required": bool(item.get("required")),
        }
        for item in definition.get("attachments", [])
    ]


def attachment_errors(definition: dict, attached_kinds) -> dict[str, list[str]]:
    """The required kinds of file missing from an application ({"attachments": [...]})."""
    have = set(attached_kinds)
    missing = [
        _("Attach “%(label)s”.") % {"label": item["label"]}
        for item in attachment_kinds(definition)
        if item["required"] and item["kind"] not in have
    ]
    return {"attachments": missing} if missing else {}


def _form_field(field: dict) -> forms.Field:
    kind = field["type"]
    common = {
        "label": text_lazy(field.get("label")),
        "help_text": text_lazy(field.get("help")) if field.get("help") else "",
        # A draft may be saved half filled: what a submission needs is `completeness_errors`.
        "required": False,
    }
    if kind == "line":
        return forms.CharField(max_length=LINE, **common)
    if kind == "text":
        rows = field.get("rows") or 3
        return forms.CharField(
            max_length=TEXT, widget=forms.Textarea(attrs={"rows": rows}), **common
        )
    if kind == "email":
        return forms.EmailField(max_length=254, **common)
    if kind == "phone":
        # As people write them, extensions included («8 (3822) 12-34-56, доб. 12»).
        return forms.CharField(max_length=64, **common)
    if kind == "choice":
        choices = [("", "---------")] + [
            (value, text_lazy(label)) for value, label in field["choices"]
        ]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "date":
        from core.forms import DateInput

        return forms.DateField(widget=DateInput(), **common)
    if kind == "integer":
        return forms.IntegerField(min_value=0, **common)
    if kind == "group":
        return GroupField(field, **common)
    raise ValueError(kind)


class GroupWidget(forms.Widget):
    """A table of rows, one input per field of the group, with blank rows to add more (a row
    left blank is no row). Inputs are named `<group>-<row>-<field>`; the API sends the list."""

    template_name = "programmes/widgets/group.html"

    def __init__(self, group: dict, row_form: type[forms.Form], attrs=None):
        super().__init__(attrs)
        self.group, self.row_form = group, row_form

    def value_from_datadict(self, data, files, name):
        if name in data and not hasattr(data, "getlist"):
            return data[name]  # the API's JSON: the list of rows (or what was sent instead)
        pattern = re.compile(rf"^{re.escape(name)}-(\d+)-")
        indices = sorted({int(m.group(1)) for key in data if (m := pattern.match(key))})
        names = [f["name"] for f in self.group["fields"]]
        return [{sub: data.get(f"{name}-{i}-{sub}", "") for sub in names} for i in indices]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Rows typed in come back; blank ones do not pile up after each refused save.
        rows = [
            row
            for row in (value if isinstance(value, list) else [])
            if isinstance(row, dict) and not all(_empty(v) for v in row.values())
        ]
        blank = max(int(self.group.get("min") or 0) - len(rows), 0) + 2
        fields = self.row_form.base_fields
        context["widget"]["headers"] = [fields[f["name"]].label for f in self.group["fields"]]
        context["widget"]["rows"] = [
            [
                fields[f["name"]].widget.render(
                    f"{name}-{index}-{f['name']}",
                    _row_value(f, row.get(f["name"])),
                    {"id": f"id_{name}-{index}-{f['name']}", "aria-label": fields[f["name"]].label},
                )
                for f in self.group["fields"]
            ]
            for index, row in enumerate([*rows, *([{}] * blank)])
        ]
        return context


def _row_value(field: dict, value):
    value = answer_value(field, value)
    if field["type"] == "date" and hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else value


class GroupField(forms.Field):
    """A repeating group's answer: the rows typed in, each checked by the group's own fields
    (a row's `required` fields must be filled once any of it is); blank rows dropped."""

    def __init__(self, group: dict, **kwargs):
        self.group = group
        self.row_definition = {"sections": [{"fields": group["fields"]}]}
        self.row_form = form_class(self.row_definition, name="GroupRowForm")
        kwargs.setdefault("widget", GroupWidget(group, self.row_form))
        super().__init__(**kwargs)

    def clean(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise ValidationError(_("Send the rows of “%(label)s” as a list.") % self._words())
        rows, errors = [], []
        for number, row in enumerate(value, start=1):
            if not isinstance(row, dict):
                errors.append(
                    _("Row %(number)s: send an object with named fields.") % {"number": number}
                )
                continue
            if all(_empty(v) for v in row.values()):
                continue
            unknown = set(row) - set(self.row_form.base_fields)
            form = self.row_form(data=row)
            if unknown or not form.is_valid():
                errors += [
                    _("Row %(number)s, %(label)s: %(error)s")
                    % {"number": number, "label": label, "error": error}
                    for label, error in self._row_errors(form, unknown)
                ]
                continue
            answers = answers_json(self.row_definition, form.cleaned_data)
            missing = completeness_errors(self.row_definition, answers)
            if missing:
                errors += [
                    _("Row %(number)s: %(error)s") % {"number": number, "error": message}
                    for messages in missing.values()
                    for message in messages
                ]
                continue
            rows.append(answers)
        if errors:
            raise ValidationError(errors)
        return rows

    def _words(self) -> dict:
        return {"label": text(self.group.get("label"))}

    def _row_errors(self, form, unknown):
        for name in sorted(unknown):
            yield name, _("The form has no such field.")
        if not unknown:
            for name, messages in form.errors.items():
                label = form.fields[name].label if name in form.fields else name
                for message in messages:
                    yield label, message


def form_class(definition: dict, *, name: str = "DefinedForm") -> type[forms.Form]:
    """The Django form of a definition: field by field in the definition's order; its texts
    are resolved in the language of whoever is shown the form."""
    attrs = {f["name"]: _form_field(f) for f in fields_of(definition)}
    attrs["definition"] = definition
    attrs["sections"] = _sections
    return type(name, (forms.Form,), attrs)


def _sections(self) -> list[dict]:
    """The bound fields of a form, section by section, for a template to lay out."""
    return [
        {
            "title": text(section.get("title")),
            "fields": [self[f["name"]] for f in section.get("fields", [])],
        }
        for section in self.definition.get("sections", [])
    ]


def _empty(value) -> bool:
    if isinstance(value, list):
        return not value
    return value is None or not str(value).strip()


def completeness_errors(definition: dict, answers: dict) -> dict[str, list[str]]:
    """Field → messages for what a submitted application must have under this definition."""
    errors: dict[str, list[str]] = {}
    for field in fields_of(definition):
        if field.get("required") and _empty(answers.get(field["name"])):
            message = text(field["required"]) if not isinstance(field["required"], bool) else ""
            errors[field["name"]] = [
                message or _("Fill in “%(label)s”.") % {"label": text(field.get("label"))}
            ]
    for field in fields_of(definition):
        rows = answers.get(field["name"])
        minimum = field.get("min") or 0
        if field["type"] == "group" and isinstance(rows, list) and 0 < len(rows) < minimum:
            errors.setdefault(field["name"], []).append(
                _("Give at least %(count)s rows in “%(label)s”.")
                % {"count": minimum, "label": text(field.get("label"))}
            )
    for rule in definition.get("one_of", []):
        names = rule["fields"]
        if all(_empty(answers.get(n)) for n in names):
            errors.setdefault(names[0], []).append(text(rule.get("message")))
    return errors


def describe(definition: dict) -> list[dict]:
    """The fields as plain data in the current language (the API's form description, the
    print form's layout)."""
    described = []
    for field in fields_of(definition):
        item = {
            "name": field["name"],
            "type": field["type"],
            "label": text(field.get("label")),
            "help_text": text(field.get("help")),
            "required": bool(field.get("required")),
        }
        if field["type"] == "choice":
            item["choices"] = [
                {"value": value, "label": text(label)} for value, label in field["choices"]
            ]
        if field["type"] == "group":
            item["fields"] = describe({"sections": [{"fields": field["fields"]}]})
            item["min"] = field.get("min") or 0
        described.append(item)
    return described


def answer_value(field: dict, stored):
    """A stored (JSON) answer as the form field holds it: a date from its ISO text."""
    if field["type"] == "group":
        return stored if isinstance(stored, list) else []
    if field["type"] == "date" and isinstance(stored, str) and stored:
        try:
            return datetime.date.fromisoformat(stored)
        except ValueError:
            return stored
    return stored


def answer_shown(field: dict, value) -> str:
    """An answer as a person reads it: a choice by its label, a date as дд.мм.гггг."""
    if _empty(value):
        return ""
    if field["type"] == "group":
        # One line per row: "1. Конкурс «Учитель года»; муниципальный; 2025".
        lines = []
        for number, row in enumerate(value if isinstance(value, list) else [], start=1):
            cells = [answer_shown(sub, row.get(sub["name"])) for sub in field["fields"]]
            lines.append(f"{number}. " + "; ".join(c for c in cells if c))
        return "\n".join(lines)
    if field["type"] == "choice":
        labels = {v: text(label) for v, label in field.get("choices", [])}
        return labels.get(value, str(value))
    value = answer_value(field, value)
    if field["type"] == "date" and hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def answers_json(definition: dict, cleaned: dict) -> dict:
    """Cleaned form data as JSON for the application's `answers` (dates as ISO text)."""
    out = {}
    for field in fields_of(definition):
        value = cleaned.get(field["name"])
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        out[field["name"]] = "" if value is None else value
    return out


def require_valid(definition, *, columns: tuple[str, ...] = ()) -> None:
    errors = definition_errors(definition, columns=columns)
    if errors:
        raise ValidationError({"definition": errors})
