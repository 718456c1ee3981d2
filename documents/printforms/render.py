"""Rendering a print form: HTML (staff-editable template) → PDF/A-3b, and a DOCX copy."""

import base64
import io

import qrcode
from django.conf import settings
from django.template import Context, Template, engines
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation

from core.urls import absolute_url

from . import FORMS, template_name


def verify_url(code: str) -> str:
    return absolute_url(reverse("document-verify", args=[code]))


def qr_png(data: str) -> bytes:
    """Requisite 31: a QR code with the verification link (error correction M, like a phone
    camera reads off a printed page)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def full_context(*, document, form: str, context: dict) -> dict:
    """The caller's context plus what the document itself knows (number, date, QR)."""
    url = verify_url(document.verify_code)
    doc = {
        "kind_title": str(FORMS[form].title),
        "reg_number": document.reg_number,
        "reg_date": document.reg_date,
        "verify_code": document.verify_code,
        "verify_url": url,
        "qr_data_uri": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode(),
    }
    merged = {**context, "doc": doc}
    # Forms numbered by the journal show the registration; the protocol brings its own number.
    merged.setdefault("number", document.reg_number)
    merged.setdefault("date", document.reg_date)
    if not merged.get("number"):
        merged["number"] = document.reg_number
    if not merged.get("date"):
        merged["date"] = document.reg_date
    return merged


def render_html(
    *, form: str, context: dict, template_text: str | None = None, scope: str = ""
) -> str:
    """Staff's template from the admin when given, else the programme's own file (its
    definition's templates, `documents/printforms/<code>/<form>.html`), else the engine's."""
    with translation.override("ru"):
        if template_text:
            engine = engines["django"].engine
            return Template(template_text, engine=engine).render(Context(context))
        names = [template_name(form)]
        if scope:
            names.insert(0, template_name(form, scope=scope))
        return select_template(names).render(context)


def render_pdf(html: str) -> bytes:
    """PDF/A-3b with every font embedded, so a signature can be added incrementally later."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", uncompressed_pdf=False
    )
