"""The error summary of a page's forms: every error listed at the top, each with a link to the
field it is about, so a long form never hides its errors far below (templates/_error_summary.html).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SummaryError:
    label: str  # the field's label ("Row 2, Event" for a row of a formset), "" for the whole form
    message: str
    anchor: str  # id of the element the link jumps to; "" when there is none


def _first_visible_id(form: forms.BaseForm) -> str:
    for field in form.visible_fields():
        return field.id_for_label or ""
    return ""


def _form_errors(form: forms.BaseForm, *, row: int | None = None) -> list[SummaryError]:
    out = []
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            label, anchor = "", _first_visible_id(form)
        else:
            bound = form[name]
            label = str(bound.label)
            anchor = "" if bound.is_hidden else (bound.id_for_label or "")
        if row is not None:
            label = (
                _("Row %(row)s, %(field)s") % {"row": row, "field": label}
                if label
                else _("Row %(row)s") % {"row": row}
            )
        out.extend(SummaryError(label=label, message=str(m), anchor=anchor) for m in messages)
    return out


def error_summary(*parts) -> list[SummaryError]:
    """The errors of bound forms and formsets, in page order. A formset's own errors link to the
    element whose id is the formset's prefix (the template wraps the rows in it)."""
    out: list[SummaryError] = []
    for part in parts:
        if part is None or not part.is_bound:
            continue
        if isinstance(part, forms.BaseFormSet):
            out.extend(
                SummaryError(label="", message=str(m), anchor=part.prefix)
                for m in part.non_form_errors()
            )
            for index, form in enumerate(part.forms, start=1):
                out.extend(_form_errors(form, row=index))
        else:
            out.extend(_form_errors(part))
    return out


def errors_summary_from(
    errors: Mapping[str, Iterable[str]],
    *,
    form: forms.BaseForm,
    anchors: Mapping[str, tuple[str, str]],
) -> list[SummaryError]:
    """A service's field → messages (e.g. what a submission still lacks) as summary lines: a
    field of `form` links to its input, a name in `anchors` (name → (label, element id)) to
    that element."""
    out = []
    for name, messages in errors.items():
        if name in form.fields:
            label, anchor = str(form[name].label), form[name].id_for_label or ""
        else:
            label, anchor = (str(part) for part in anchors.get(name, ("", "")))
        out.extend(SummaryError(label=label, message=str(m), anchor=anchor) for m in messages)
    return out


class DateInput(forms.DateInput):
    """Dates typed as дд.мм.гггг whatever the browser's locale (a native picker would follow it)."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": "дд.мм.гггг", "inputmode": "numeric", "size": 10, **(attrs or {})}
        super().__init__(attrs=attrs, format="%d.%m.%Y")


def errors_to_forms(request, exc, *parts) -> None:
    """A service's ValidationError shown where it belongs: each field's messages on the form
    that has that field (the first of `parts`), the others as page messages."""
    from django.contrib import messages

    for name, field_errors in exc.message_dict.items():
        owner = next((f for f in parts if f is not None and name in f.fields), None)
        if owner is not None:
            owner.add_error(name, field_errors)
        else:
            for message in field_errors:
                messages.error(request, message)
