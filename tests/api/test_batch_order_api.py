"""One order for several cases through the API: the council grants three schools at one meeting,
the department issues one распоряжение listing all three, signs it once, and all three statuses
follow; a case that left meanwhile stops the signature, and nothing is half done."""

import datetime

import pytest
import time_machine

from applications.models import Application, Order
from documents.models import Document, Journal
from documents.services import signer_certificate_issue
from statuses.models import Status
from tests.documents_helpers import pdf_text
from tests.factories import ProgramFactory, serve
from tests.story import act, council_of, meeting_decides, rendered, waiting_for_council

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
MEETING = datetime.date(2026, 11, 19)


def granted_at_one_meeting(program, *, methodist, secretary, names):
    cases = [waiting_for_council(program, methodist=methodist, school_name=n) for n in names]
    council = council_of(program, secretary=secretary)
    meeting_decides(
        council,
        {case: ("granted", "Соответствует положению") for case in cases},
        secretary=secretary,
        meeting_date=MEETING,
    )
    assert {c.state for c in cases} == {Application.State.AT_DEPARTMENT}
    return cases


@pytest.fixture
def three(program, methodist, secretary):
    with time_machine.travel(NOW, tick=False):
        return granted_at_one_meeting(
            program,
            methodist=methodist,
            secretary=secretary,
            names=["Школа 1", "Школа 2", "Лицей 3"],
        )


@time_machine.travel(NOW, tick=False)
def test_three_schools_one_order_signed_once(
    client_for, three, official, django_capture_on_commit_callbacks
):
    api = client_for(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/orders/", {"applications": [c.pk for c in three]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "1-р" and body["date"] == "2026-11-20"
    assert [a["reg_number"] for a in body["applications"]] == [c.reg_number for c in three]
    assert all(a["in_order"] for a in body["applications"])
    order = Order.objects.get()
    assert Journal.objects.get(code="order").documents.count() == 1
    assert {c.pk for c in Application.objects.filter(order=order)} == {c.pk for c in three}
    rendered(order.document)
    text = pdf_text(order.document.current_version.file.read()).replace("\n", " ")
    assert "№ 1-р" in text
    for name in ("Школа 1", "Школа 2", "Лицей 3"):
        assert three[0].organisation.__class__.objects.get(short_name=name).name in text

    # Drafting the same cases again returns the same order, not a second number.
    again = api.post("/api/orders/", {"applications": [c.pk for c in three]}, format="json")
    assert again.status_code == 201 and again.json()["id"] == order.pk
    assert Order.objects.count() == 1

    signer_certificate_issue(user=official)
    with django_capture_on_commit_callbacks(execute=True):
        signed = api.post(f"/api/orders/{order.pk}/sign/")
    assert signed.status_code == 200, signed.json()
    assert signed.json()["document"]["signed"] is True
    assert order.document.signatures.count() == 1
    for case in three:
        case.refresh_from_db()
        assert case.state == Application.State.GRANTED
        assert Status.objects.get(application=case).order == order
    # Every school finds the one order among its case's documents.
    for case in three:
        coordinator = case.created_by
        documents = client_for(coordinator).get(f"/api/applications/{case.pk}/").json()
        kinds = {d["kind"]: d for d in documents["documents"]}
        assert kinds["order"]["reg_number"] == "1-р" and kinds["order"]["signed"] is True
        download = client_for(coordinator).get(kinds["order"]["download_url"])
        assert download.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_a_case_returned_meanwhile_stops_the_signature_of_all(
    client_for, three, official, django_capture_on_commit_callbacks
):
    api = client_for(official)
    with django_capture_on_commit_callbacks(execute=True):
        order_id = api.post(
            "/api/orders/", {"applications": [c.pk for c in three]}, format="json"
        ).json()["id"]
    signer_certificate_issue(user=official)
    act(official, three[1], decision="return", comment="Уточнить тему площадки")
    assert three[1].state == Application.State.AT_COUNCIL

    response = api.post(f"/api/orders/{order_id}/sign/")
    assert response.status_code == 409
    assert three[1].reg_number in response.json()["detail"]
    assert not Document.objects.get(kind="order").signatures.exists()
    for case in three:
        case.refresh_from_db()
    assert [c.state for c in three] == [
        Application.State.AT_DEPARTMENT,
        Application.State.AT_COUNCIL,
        Application.State.AT_DEPARTMENT,
    ]
    assert not Status.objects.exists()
    listed = {
        a["reg_number"]: a["in_order"]
        for a in api.get(f"/api/orders/{order_id}/").json()["applications"]
    }
    assert listed[three[1].reg_number] is False

    # A new order for the two that still wait replaces the draft; the old number stays used.
    with django_capture_on_commit_callbacks(execute=True):
        second = api.post(
            "/api/orders/", {"applications": [three[0].pk, three[2].pk]}, format="json"
        )
    assert second.status_code == 201 and second.json()["number"] == "2-р"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/orders/{second.json()['id']}/sign/").status_code == 200
    assert Status.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_bad_selections_are_refused_and_change_nothing(
    client_for, three, official, methodist, secretary
):
    klin = ProgramFactory(code="klin", title="Мастерская наставничества", registration_prefix="МН")
    serve(klin, methodist, secretary, official)  # the same staff serve both programmes
    [other] = granted_at_one_meeting(
        klin, methodist=methodist, secretary=secretary, names=["Гимназия Клин"]
    )
    api = client_for(official)

    mixed = api.post("/api/orders/", {"applications": [three[0].pk, other.pk]}, format="json")
    assert mixed.status_code == 400
    assert "программ" in mixed.json()["errors"]["applications"][0]

    empty = api.post("/api/orders/", {"applications": []}, format="json")
    assert empty.status_code == 400 and "errors" in empty.json()

    assert api.post("/api/orders/", {"applications": [999999]}, format="json").status_code == 404
    assert not Order.objects.exists() and not Document.objects.filter(kind="order").exists()


@time_machine.travel(NOW, tick=False)
def test_only_a_department_official_drafts_or_signs(
    client_for, three, official, methodist, django_capture_on_commit_callbacks
):
    ids = [c.pk for c in three]
    refused = client_for(methodist).post("/api/orders/", {"applications": ids}, format="json")
    assert refused.status_code == 403
    # A school sees only its own case; the others' answer as missing.
    school = three[0].created_by
    assert (
        client_for(school).post("/api/orders/", {"applications": ids}, format="json").status_code
        == 404
    )
    assert (
        client_for(school)
        .post("/api/orders/", {"applications": ids[:1]}, format="json")
        .status_code
        == 403
    )
    assert not Order.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        order_id = (
            client_for(official)
            .post("/api/orders/", {"applications": ids}, format="json")
            .json()["id"]
        )
    assert client_for(methodist).get(f"/api/orders/{order_id}/").status_code == 404
    assert client_for(methodist).post(f"/api/orders/{order_id}/sign/").status_code == 404
    assert client_for(school).post(f"/api/orders/{order_id}/sign/").status_code == 404
    assert not Document.objects.get(kind="order").signatures.exists()
