"""The order through the API: drafted with a journal number, signed by the official's own key,
and only then the status; the case lists its documents with verification links."""

import datetime

import pytest

from applications.models import Application
from documents.models import Document
from documents.services import signer_certificate_issue
from statuses.models import Status
from tests.factories import UserFactory
from tests.story import council_decides, submitted

pytestmark = pytest.mark.django_db


def test_the_official_drafts_and_signs_the_order_through_the_api(
    client_for,
    coordinator,
    school,
    program,
    methodist,
    secretary,
    official,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SITE_URL = "https://docket.example.test"
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(coordinator=coordinator, school=school, program=program)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Соответствует",
        meeting_date=datetime.date(2026, 11, 19),
    )
    api = client_for(official)
    url = f"/api/applications/{application.pk}/"

    # Without a certificate the official cannot sign: a 400 that says what to do.
    with django_capture_on_commit_callbacks(execute=True):
        drafted = api.post(url + "order/")
    assert drafted.status_code == 200, drafted.json()
    order = {d["kind"]: d for d in drafted.json()["documents"]}["order"]
    assert order["reg_number"] == "1-р" and order["render_state"] == "preparing"
    order = {d["kind"]: d for d in api.get(url).json()["documents"]}["order"]
    assert order["render_state"] == "ready"  # rendered after the commit
    # The link printed under the QR code, not the address this client happens to call.
    printed = Document.objects.get(pk=order["id"])
    assert order["verify_url"] == f"https://docket.example.test/verify/{printed.verify_code}/"
    refused = api.post(url + "order/sign/")
    assert refused.status_code == 400
    assert "сертификат" in refused.json()["detail"].lower() or "сертификат" in str(refused.json())
    assert Application.objects.get(pk=application.pk).state == Application.State.AT_DEPARTMENT

    # The school may not sign it, nor draft another.
    assert client_for(coordinator).post(url + "order/").status_code in (403, 409)

    signer_certificate_issue(user=official)
    with django_capture_on_commit_callbacks(execute=True):
        signed = api.post(url + "order/sign/")
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert body["state"] == "granted"
    assert body["order"]["number"] == "1-р"
    documents = {d["kind"]: d for d in body["documents"]}
    assert documents["order"]["signed"] is True
    assert documents["application"]["reg_number"] == application.reg_number
    assert Status.objects.get(application=application).order.number == "1-р"
    download = api.get(documents["order"]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        client_for(UserFactory(username="stranger"))
        .get(documents["order"]["download_url"])
        .status_code
        == 404
    )
