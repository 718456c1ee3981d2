"""The bridge from the Django forms of applications.forms to the API.

The forms are the single place where input is validated, for the HTML pages and the API alike.
Here they are (1) run on the API's input, with their errors turned into field errors, (2) mirrored
as DRF serializer fields only so that the OpenAPI schema describes them, and (3) described as
plain data (name, label, type, required, choices) so a client can build the step's form.
"""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.settings import api_settings


def form_errors(form: forms.BaseForm, prefix: str = "") -> dict[str, list[str]]:
    """A bound form's errors as {"field": [messages]}; "__all__" becomes non_field_errors."""
    out = {}
    for field, errors in form.errors.items():
        name = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
        out[f"{prefix}{name}"] = [str(m) for m in errors]
    return out


def require_mapping(data, *, name: str = "") -> None:
    if not isinstance(data, Mapping):
        key = name or api_settings.NON_FIELD_ERRORS_KEY
        raise serializers.ValidationError({key: [_("Send an object with named fields.")]})


def _choices(field: forms.ChoiceField) -> list[tuple]:
    return [(value, label) for value, label in field.choices if value not in ("", None)]


def _is_group(field: forms.Field) -> bool:
    """A repeating group of a form definition (programmes.formdef.GroupField): rows of fields."""
    return hasattr(field, "row_form")


def _field_type(field: forms.Field) -> str:
    if _is_group(field):
        return "group"
    if isinstance(field, forms.ChoiceField):
        return "choice"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.EmailField):
        return "email"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field, forms.FileField):
        return "file"
    if isinstance(field.widget, forms.Textarea):
        return "text"
    return "string"


def describe_form(form_class: type[forms.BaseForm]) -> list[dict]:
    """The fields a client must show for this form, in the current language."""
    described = []
    for name, field in form_class.base_fields.items():
        described.append(
            {
                "name": name,
                "label": str(field.label or name),
                "type": _field_type(field),
                "required": field.required,
                "help_text": str(field.help_text or ""),
                "max_length": getattr(field, "max_length", None),
                "choices": [
                    {"value": value, "label": str(label)} for value, label in _choices(field)
                ]
                if isinstance(field, forms.ChoiceField)
                else [],
            }
        )
    return described


def _schema_field(field: forms.Field) -> serializers.Field:
    """A DRF field that documents a form field; it never validates (the form does)."""
    common = {"required": field.required, "label": field.label}
    if field.help_text:
        common["help_text"] = field.help_text
    if _is_group(field):
        row = type(
            f"{field.row_form.__name__}Row",
            (serializers.Serializer,),
            {name: _schema_field(f) for name, f in field.row_form.base_fields.items()},
        )
        return serializers.ListField(child=row(), **common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(
            choices=_choices(field), allow_blank=not field.required, **common
        )
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(
            allow_blank=not field.required, max_length=field.max_length, **common
        )
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            allow_null=not field.required,
            min_value=getattr(field, "min_value", None),
            max_value=getattr(field, "max_value", None),
            **common,
        )
    if isinstance(field, forms.FileField):
        return serializers.FileField(**common)
    return serializers.CharField(
        allow_blank=not field.required, max_length=getattr(field, "max_length", None), **common
    )


class FormSerializer(serializers.Serializer):
    """Input checked by `form_class`; declared fields only document it in the schema."""

    form_class: type[forms.BaseForm]

    def run_form(self, data, *, prefix: str = "") -> tuple[dict, dict[str, list[str]]]:
        form = self.form_class(data=data)
        if form.is_valid():
            return form.cleaned_data, {}
        return {}, form_errors(form, prefix)

    def to_internal_value(self, data):
        require_mapping(data)
        cleaned, errors = self.run_form(data)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


def form_serializer(
    form_class: type[forms.BaseForm], name: str, *, base=FormSerializer, doc: str = ""
) -> type[FormSerializer]:
    """A FormSerializer subclass named `name` (the schema component) mirroring the form."""
    attrs = {
        "__module__": __name__,
        "__doc__": doc or form_class.__doc__,
        "form_class": form_class,
    }
    attrs.update({fname: _schema_field(f) for fname, f in form_class.base_fields.items()})
    return type(name, (base,), attrs)
