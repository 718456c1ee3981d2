"""Print forms: which forms exist, what context each needs, and how a context survives JSON.

The HTML of each form (for the PDF) is a Django template shipped under
`documents/templates/documents/printforms/`; a programme's definition may ship its own
(`programmes/definitions/<name>/templates/documents/printforms/<code>/`), and staff may replace
either in the admin (`PrintTemplate`); the DOCX copy is built from the same context by `docx.py`.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PROTOCOL_KEYS = (
    "authority",
    "title",
    "number",
    "date",
    "place",
    "format",
    "chair",
    "secretary",
    "present",
    "present_count",
    "invited",
    "agenda",
    "items",
)


@dataclass(frozen=True)
class Form:
    code: str
    title: object
    kind: str  # Document.Kind value
    required: tuple[str, ...]
    approval_stamp: bool = False


FORMS = {
    f.code: f
    for f in (
        Form(
            "application",
            _("Application (Appendix 1)"),
            "application",
            ("authority", "program_title", "organisation", "topic"),
        ),
        Form("protocol", _("Minutes of the council"), "protocol", PROTOCOL_KEYS),
        Form("protocol_extract", _("Extract from the minutes"), "protocol_extract", PROTOCOL_KEYS),
        Form(
            "order",
            _("Order of the department"),
            "order",
            ("authority", "title", "place", "statuses", "signer_position", "signer_name"),
        ),
        Form(
            "status_certificate",
            _("Status certificate"),
            "status_certificate",
            (
                "authority",
                "organisation",
                "status_name",
                "valid_from",
                "valid_until",
                "signer_position",
                "signer_name",
            ),
            approval_stamp=True,
        ),
        Form(
            "refusal_letter",
            _("Notification of refusal"),
            "refusal_letter",
            ("authority", "addressee", "organisation", "reasons", "signer_position", "signer_name"),
        ),
        Form(
            "work_plan",
            _("Yearly work plan"),
            "plan",
            ("authority", "organisation", "academic_year", "events", "summary"),
        ),
        Form(
            "platform_report",
            _("Yearly analytical report"),
            "report",
            (
                "authority",
                "organisation",
                "academic_year",
                "events",
                "counts",
                "outputs",
                "dissemination",
                "problems",
                "proposals",
            ),
        ),
        Form(
            "network_report",
            _("Network yearly analytical report"),
            "network_report",
            ("authority", "program_title", "academic_year", "platforms", "totals", "charts"),
        ),
        Form(
            "cooperation_agreement",
            _("Cooperation agreement"),
            "agreement",
            ("authority", "title", "parties", "subject", "valid_from", "valid_until"),
        ),
        Form(
            "publication_consent",
            _("Consent to publication"),
            "consent",
            ("authority", "author", "title", "program_title", "catalogue"),
        ),
        Form(
            "audit_checkpoint",
            _("Audit log checkpoint"),
            "audit_checkpoint",
            ("authority", "checkpoint", "at", "event_count", "head_id", "head_mac", "prev_mac"),
        ),
    )
}


def template_name(form: str, *, scope: str = "") -> str:
    """The shipped template of a form; with `scope` (a programme code), that programme's."""
    return (
        f"documents/printforms/{scope}/{form}.html"
        if scope
        else f"documents/printforms/{form}.html"
    )


def context_missing(form: str, context: dict) -> list[str]:
    return [key for key in FORMS[form].required if key not in context]


# --- JSON round trip: dates stay dates inside the render task ---------------------------------

_DATE = "__date__"
_DATETIME = "__datetime__"


def context_dump(value):
    """JSON-safe copy of a context; dates and datetimes are tagged so they come back typed."""
    if isinstance(value, datetime.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, datetime.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, dict):
        return {str(k): context_dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [context_dump(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # lazy translations, Decimals, model instances: their text is what prints


def context_load(value):
    if isinstance(value, dict):
        if set(value) == {_DATE}:
            return datetime.date.fromisoformat(value[_DATE])
        if set(value) == {_DATETIME}:
            return datetime.datetime.fromisoformat(value[_DATETIME])
        return {k: context_load(v) for k, v in value.items()}
    if isinstance(value, list):
        return [context_load(v) for v in value]
    return value
