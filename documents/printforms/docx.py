"""The editable DOCX copy of a print form, rendered from a Word template (docxtpl) with the
same context as the PDF.

The PDF is the document of record (it is what gets signed); the DOCX is for staff who need to
paste the text into a letter or correct a draft before re-issuing it. The template is found as
the HTML one is: staff's upload in the admin (for the programme, else for all), else the
programme's own file (`<definition>/templates/documents/printforms/<code>/<form>.docx`), else
the engine's (`documents/templates/documents/printforms/<form>.docx`). Templates run in Jinja's
sandbox with autoescaping: an uploaded template reads the context and nothing else.
"""

import base64
import datetime
import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.template.utils import get_app_template_dirs
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from core.text import quoted

_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


def _d(value) -> str:
    """A date as дд.мм.гггг; anything else as it is."""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else str(value)


def _lines(value) -> Markup:
    """A text of several lines keeps its line breaks in Word."""
    return Markup(_BREAK.join(escape(line) for line in str(value or "").split("\n")))


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True)
    env.filters["d"] = _d
    env.filters["lines"] = _lines
    env.filters["quoted"] = quoted
    return env


def _template_dirs() -> list[Path]:
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    return dirs + [Path(d) for d in get_app_template_dirs("templates")]


def shipped_template(form: str, *, scope: str = "") -> Path:
    """The shipped file of a form: the programme's (`scope`, its code) before the engine's."""
    names = [f"documents/printforms/{form}.docx"]
    if scope:
        names.insert(0, f"documents/printforms/{scope}/{form}.docx")
    for name in names:
        for directory in _template_dirs():
            if (directory / name).is_file():
                return directory / name
    raise FileNotFoundError(f"no DOCX template for the print form {form!r}")


def _prepared(form: str, context: dict) -> dict:
    """What a template lays out that the context holds nested or under older keys."""
    ctx = dict(context)
    if form == "application":
        if ctx.get("sections"):
            # Each section's title as a row of its own, then its answered fields.
            ctx["answered"] = [
                row
                for section in ctx["sections"]
                for row in (
                    [{"label": section["title"], "value": ""}] if section.get("title") else []
                )
                + [r for r in section["rows"] if r.get("value")]
            ]
        else:  # a context frozen before the forms were data: its named answers
            named = (
                ("Адрес", "address"),
                ("Тема", "topic"),
                ("Направление деятельности", "direction"),
                ("Цель", "goals"),
                ("Задачи", "tasks"),
                ("Ожидаемые результаты", "expected_results"),
            )
            ctx["answered"] = [
                {"label": label, "value": ctx[key]} for label, key in named if ctx.get(key)
            ]
    if form == "network_report":
        ctx["deviations"] = [
            {"organisation": p["organisation"], **d}
            for p in ctx.get("platforms", [])
            for d in p.get("deviations", [])
        ]
    if form == "platform_report" and ctx.get("texts") is None:
        # A context stored before reports were data: the four texts of the engine's report.
        ctx["texts"] = [
            {"label": label, "value": ctx.get(key)}
            for label, key in (
                ("Продукты деятельности и публикации", "outputs"),
                ("Распространение опыта", "dissemination"),
                ("Проблемы", "problems"),
                ("Предложения", "proposals"),
            )
        ]
    return ctx


def render_docx(
    *, form: str, context: dict, scope: str = "", template: bytes | None = None
) -> bytes:
    """The DOCX of a form: from `template` (staff's upload) when given, else the shipped file."""
    source = io.BytesIO(template) if template else shipped_template(form, scope=scope)
    document = DocxTemplate(source)
    ctx = _prepared(form, context)
    png = base64.b64decode(context["doc"]["qr_data_uri"].split(",", 1)[1])
    ctx["qr"] = InlineImage(document, io.BytesIO(png), width=Mm(28))
    document.render(ctx, jinja_env=environment(), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def template_errors(data: bytes) -> list[str]:
    """Why an uploaded file cannot serve as a DOCX template ([] if it can), in words the
    administrator can act on: not a Word document, or a tag that does not compile."""
    from django.utils.translation import gettext as _
    from jinja2 import TemplateSyntaxError

    try:
        document = DocxTemplate(io.BytesIO(data))
        document.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError):
        return [_("The file is not a Word document (.docx).")]
    try:
        document.get_undeclared_template_variables(jinja_env=environment())
    except TemplateSyntaxError as exc:
        return [_("A tag does not compile: %(error)s") % {"error": exc.message}]
    except Exception as exc:  # broken XML inside the document
        return [_("The document cannot be read: %(error)s") % {"error": exc}]
    return []
