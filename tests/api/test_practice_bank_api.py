"""The bank of best practice through the API, as a member and the secretary use it: the same
rules as the pages (materials required, no publication without the signed consent, versions
kept), the open catalogue without a token; the registry names a person only to those who see
the status."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services as documents
from tests.factories import OrganisationFactory, UserFactory, status_held
from tests.pdf_builder import build_pdf
from tests.story import rendered

pytestmark = pytest.mark.django_db(transaction=True)
FIELDS = {
    "title": "Читательская грамотность на уроках физики",
    "summary": "Приёмы смыслового чтения задач по физике в 7–9 классах.",
    "subject": "Физика",
    "level": "basic",
    "age_group": "13–15 лет",
}


@pytest.fixture
def member(workshop):
    workshop.keeps_practice_bank = True
    workshop.save()
    teacher = UserFactory(username="nikitin", last_name="Никитин", first_name="Андрей")
    holder = OrganisationFactory(name="Никитин Андрей Сергеевич", short_name="Никитин А. С.")
    holder.person = teacher
    holder.save()
    status_held(workshop, holder=holder, member=teacher)
    return teacher


def _pdf():
    return SimpleUploadedFile("materials.pdf", build_pdf(), content_type="application/pdf")


def test_a_practice_through_the_api(client_for, workshop, member, secretary, coordinator):
    api = client_for(member)
    refused = api.post("/api/practices/", {"program": workshop.pk, **FIELDS}, format="multipart")
    assert refused.status_code == 400 and "files" in refused.json()["errors"]
    stranger = client_for(coordinator).post(
        "/api/practices/", {"program": workshop.pk, **FIELDS, "files": [_pdf()]}, format="multipart"
    )
    assert stranger.status_code == 403
    created = api.post(
        "/api/practices/", {"program": workshop.pk, **FIELDS, "files": [_pdf()]}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "submitted" and body["consent_given"] is False
    assert body["versions"][0]["title"] == FIELDS["title"]
    pk = body["id"]

    reviewer = client_for(secretary)
    assert [p["id"] for p in reviewer.get("/api/practices/").json()["results"]] == [pk]
    conflict = reviewer.post(f"/api/practices/{pk}/review/", {"decision": "approve"}, format="json")
    assert conflict.status_code == 409  # no signed consent yet
    bad = reviewer.post(f"/api/practices/{pk}/review/", {"decision": "return"}, format="json")
    assert bad.status_code == 400 and "comment" in bad.json()["errors"]
    returned = reviewer.post(
        f"/api/practices/{pk}/review/",
        {"decision": "return", "comment": "Добавьте примеры задач"},
        format="json",
    )
    assert returned.json()["state"] == "returned"

    revised = api.post(
        f"/api/practices/{pk}/revise/",
        {**FIELDS, "summary": FIELDS["summary"] + " Примеры задач в приложении."},
        format="multipart",
    )
    assert revised.status_code == 200, revised.json()
    assert [v["number"] for v in revised.json()["versions"]] == [1, 2]

    from library.models import Practice

    consent = Practice.objects.get(pk=pk).consent
    rendered(consent)
    documents.signer_certificate_issue(user=member)
    documents.document_sign(document=consent, signer=member)
    approved = reviewer.post(f"/api/practices/{pk}/review/", {"decision": "approve"}, format="json")
    assert approved.json()["state"] == "approved" and approved.json()["published_version"] == 2

    public = client_for()
    found = public.get("/api/public/practices/", {"q": "смыслового", "level": "basic"}).json()
    assert [p["id"] for p in found["results"]] == [pk]
    assert found["results"][0]["version"]["number"] == 2
    assert public.get("/api/public/practices/", {"level": "primary"}).json()["results"] == []
    assert public.get(f"/api/public/practices/{pk}/").status_code == 200

    gone = api.post(f"/api/practices/{pk}/withdraw/", {"reason": "Новая редакция"}, format="json")
    assert gone.json()["state"] == "withdrawn"
    assert public.get(f"/api/public/practices/{pk}/").status_code == 404


def test_the_registry_names_a_person_only_to_who_sees_the_status(
    client_for, workshop, member, methodist, coordinator
):
    def names(user):
        rows = client_for(user).get("/api/statuses/").json()["results"]
        return [r["organisation_name"] for r in rows if r["program"] == workshop.pk]

    assert names(member) == ["Никитин А. С."]
    assert names(methodist) == ["Никитин А. С."]
    assert names(coordinator) == ["Физическое лицо (имя не публикуется)"]
