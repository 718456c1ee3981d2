"""Found by the access matrix: any person who could see a document without named signatories (a
school's attached file, say) and had a certificate could sign it from the document's page, which
adds a signed version on top of the school's file. Only the named signatories sign (decision 14);
a document that names none is signed by nobody."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from councils.models import CouncilMember
from documents.printforms.render import render_pdf
from documents.services import document_may_sign
from tests.story import council_of, signing_certificates, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(coordinator, school, program):
    application = submitted(coordinator=coordinator, school=school, program=program)
    application.state = "returned"  # editable again, as after a return for revision
    application.save(update_fields=["state"])
    upload = SimpleUploadedFile("plan.pdf", render_pdf("<p>План</p>"), "application/pdf")
    services.application_attach(application_id=application.pk, user=coordinator, uploaded=upload)
    return application.attachments.get()


def test_a_council_chair_cannot_sign_a_schools_attached_file(
    client, attachment, program, secretary
):
    council = council_of(program, secretary=secretary)
    chair = council.members.get(role=CouncilMember.Role.CHAIR).user
    signing_certificates([chair])
    assert not document_may_sign(document=attachment, user=chair)
    client.force_login(chair)
    response = client.post(reverse("document-sign", args=[attachment.pk]))
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert not attachment.signatures.exists()
    assert attachment.versions.count() == 1


def test_nor_can_the_school_itself_sign_its_upload(client, attachment, coordinator):
    signing_certificates([coordinator])
    client.force_login(coordinator)
    client.post(reverse("document-sign", args=[attachment.pk]))
    assert not attachment.signatures.exists()
