"""How long a typed text may be, and the model field that stores such text.

Columns of human text (names, positions, addresses, topics, titles, places, reasons, subjects)
are `text` in the database: PostgreSQL stores `text` and `varchar(n)` alike, and only a limit
in the column can make a background job fail half-way on a real name or on a value it composes
from others ("<role>: <full name of the school>"). Where people type such a text, a limit
below is checked by the form, the API and the service, with Django's translated message,
before anything is written. Codes, numbers, hashes and states keep their `varchar(n)`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property

# The full name of an organisation (its form, its name with its patron, the municipality and
# the region all belong to it) and its abbreviated name: the sizes the ФНС's ЕГРЮЛ exchange
# formats give them, so any registered name fits.
ORGANISATION_NAME = 1000
ORGANISATION_SHORT_NAME = 510
# One line of anything else people type: a topic, a position, an address, a title of an
# event, a place of a meeting (or its link), a name of a council, a reason.
LINE = 1000


class LineField(models.TextField):
    """A single line of human text: `text` in the database (never refused there), a one-line
    input in forms. With `max_length` the forms built from the model (the pages, the API's
    ModelSerializers, the admin) and `full_clean` refuse a longer value; without it the
    column holds texts composed by the code, which no one types."""

    @cached_property
    def validators(self):
        validators = super().validators
        if self.max_length is not None:
            validators.append(MaxLengthValidator(self.max_length))
        return validators

    def formfield(self, **kwargs):
        # The admin asks every TextField for a textarea; a line keeps its one-line input there
        # too, so no line break gets into a name (it would break an e-mail's subject).
        from django.contrib.admin import widgets as admin_widgets

        widget = kwargs.get("widget")
        if widget is admin_widgets.AdminTextareaWidget:
            kwargs["widget"] = admin_widgets.AdminTextInputWidget
        elif widget is None or widget is forms.Textarea:
            kwargs["widget"] = forms.TextInput
        return super().formfield(**kwargs)


def length_check(**fields: tuple[str, int]) -> None:
    """Refuse, before anything is written, texts longer than their limit:
    `length_check(place=(place, LINE))`. The message is Django's (translated) and keyed by the
    field, as a form's would be; for services that are also reached without a form."""
    errors = {}
    for name, (value, limit) in fields.items():
        try:
            MaxLengthValidator(limit)(value or "")
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
