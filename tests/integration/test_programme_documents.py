"""Klin 4.1, 5.1: the programme keeps the order creating it and its Положение as registered
documents; the administrator uploads them on the programme's admin page; its staff find them
on its register."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from statuses import services
from statuses.models import ProgrammeDocument
from tests.pdf_builder import build_pdf

pytestmark = pytest.mark.django_db


def test_the_programme_keeps_its_founding_order_and_regulation(
    admin_client, admin_user, client, workshop, methodist, coordinator
):
    page = admin_client.get(reverse("admin:programmes_program_change", args=[workshop.pk]))
    assert page.status_code == 200 and "Документы программы" in page.content.decode()
    for role in ("founding_order", "regulation"):
        services.programme_document_add(
            user=admin_user,
            program_id=workshop.pk,
            role=role,
            uploaded=SimpleUploadedFile(f"{role}.pdf", build_pdf(), content_type="application/pdf"),
        )
    rows = list(ProgrammeDocument.objects.filter(program=workshop).select_related("document"))
    assert [r.role for r in rows] == ["founding_order", "regulation"]
    assert all(r.document.reg_number.startswith("ДП-") for r in rows)

    client.force_login(methodist)
    register = client.get(reverse("registry"), {"program": workshop.code}).content.decode()
    assert "Приказ о создании программы" in register and rows[0].document.reg_number in register
    document = reverse("document-detail", args=[rows[1].document_id])
    assert client.get(document).status_code == 200
    client.force_login(coordinator)
    assert client.get(document).status_code == 404


def test_the_administrator_uploads_the_regulation_on_the_programmes_admin_page(admin_client):
    """A new programme set up in the admin with its Положение attached in the same form."""
    import re

    from programmes.models import Program
    from tests.integration.test_third_programme import _management, _prefix

    url = reverse("admin:programmes_program_add")
    page = admin_client.get(url).content.decode()
    prefix = _prefix(page, "documents")
    posted = {
        **_management(page),
        "code": "klin-x",
        "title": "«Мастерская наставничества» городского округа Клин",
        "council_name": "Методический совет",
        "authority_name": "МУ «Методический кабинет»",
        "status_name": "Членство",
        "status_term_years": "1",
        "academic_year_start_month": "9",
        "registration_prefix": "МХ",
        "applicants": "persons",
        "review_shape": "check_council",
        "is_active": "on",
        "termination_grounds": "[]",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-role": "regulation",
        f"{prefix}-0-upload": SimpleUploadedFile(
            "polozhenie.pdf", build_pdf(), content_type="application/pdf"
        ),
    }
    response = admin_client.post(url, posted)
    assert response.status_code == 302, re.findall(
        r'class="errorlist[^"]*"[^<]*<li>([^<]+)', response.content.decode()
    )
    program = Program.objects.get(code="klin-x")
    (row,) = ProgrammeDocument.objects.filter(program=program)
    assert row.role == "regulation" and row.document.reg_number.startswith("ДП-")
