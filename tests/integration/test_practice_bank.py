"""Klin 4.4 (1), 4.5, 6.2: the bank of members' best practice. A member submits a practice with
its materials; her consent to publication is a signed document of its own, and without it the
practice is not published; the secretary, on the council's behalf, returns it with comments or
approves it (recommended for dissemination); each version stays as it was; approved practices
form an open catalogue searchable without login; the author's withdrawal takes it out and keeps
its history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import ConflictError, NotAllowed
from documents import services as documents
from library import services
from library.models import Practice
from tests.factories import OrganisationFactory, UserFactory, status_held
from tests.pdf_builder import build_pdf
from tests.story import rendered

pytestmark = pytest.mark.django_db(transaction=True)
FIELDS = {
    "title": "Проектные задачи во 2 классе",
    "summary": "Система проектных задач для младших школьников: цели, этапы, оценивание.",
    "subject": "Начальная школа, окружающий мир",
    "level": "primary",
    "age_group": "8–9 лет",
    "authors": "Лаврова О. П., Никитин А. С.",
}


def _pdf(name="materials.pdf"):
    return SimpleUploadedFile(name, build_pdf(), content_type="application/pdf")


@pytest.fixture
def bank(workshop):
    workshop.keeps_practice_bank = True
    workshop.save()
    return workshop


@pytest.fixture
def member(bank):
    """A teacher holding a live membership of the workshop."""
    teacher = UserFactory(username="lavrova", last_name="Лаврова", first_name="Ольга")
    holder = OrganisationFactory(name="Лаврова Ольга Петровна", short_name="Лаврова О. П.")
    status_held(bank, holder=holder, member=teacher)
    return teacher


def test_a_practice_goes_from_submission_to_the_open_catalogue(client, bank, member, secretary):
    # Only members submit.
    stranger = UserFactory(username="stranger")
    with pytest.raises(NotAllowed):
        services.practice_submit(user=stranger, program_id=bank.pk, fields=FIELDS, files=[_pdf()])

    # The member submits through the page; without materials it is refused.
    client.force_login(member)
    page = client.post(reverse("practice-create"), {"program": bank.pk, **FIELDS})
    assert page.status_code == 200 and "Приложите материалы практики." in page.content.decode()
    response = client.post(
        reverse("practice-create"), {"program": bank.pk, **FIELDS, "files": [_pdf()]}
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.state == Practice.State.SUBMITTED
    rendered(practice.consent)
    assert practice.consent.kind == "consent" and practice.consent.reg_number.startswith("СП-")

    # Without the author's signed consent it cannot be published; it may be returned.
    with pytest.raises(ConflictError):
        services.practice_review(user=secretary, practice_id=practice.pk, decision="approve")
    with pytest.raises(NotAllowed):
        services.practice_review(
            user=member, practice_id=practice.pk, decision="return", comment="x"
        )
    services.practice_review(
        user=secretary,
        practice_id=practice.pk,
        decision="return",
        comment="Добавьте критерии оценивания",
    )
    practice.refresh_from_db()
    assert practice.state == Practice.State.RETURNED

    # The author resubmits: a new version; the first stays as it was; the files are kept.
    revised = {**FIELDS, "summary": FIELDS["summary"] + " Критерии оценивания приложены."}
    response = client.post(
        reverse("practice-detail", args=[practice.pk]), {"action": "revise", **revised}
    )
    assert response.status_code == 302
    first, second = practice.versions.order_by("number")
    assert first.summary == FIELDS["summary"] and second.summary.endswith("приложены.")
    assert list(second.files.all()) == list(first.files.all())

    # She signs her consent; the secretary approves it and recommends it for dissemination.
    documents.signer_certificate_issue(user=member)
    documents.document_sign(document=practice.consent, signer=member)
    services.practice_review(user=secretary, practice_id=practice.pk, decision="recommend")
    practice.refresh_from_db()
    assert practice.state == Practice.State.APPROVED and practice.recommended
    assert practice.published == second

    # The open catalogue: no login, search by text, subject and level.
    client.logout()
    catalogue = reverse("practice-catalogue")
    assert FIELDS["title"] in client.get(catalogue).content.decode()
    assert FIELDS["title"] in client.get(catalogue, {"q": "проектных критерии"}).content.decode()
    assert (
        FIELDS["title"]
        in client.get(catalogue, {"subject": "окружающий", "level": "primary"}).content.decode()
    )
    assert FIELDS["title"] not in client.get(catalogue, {"level": "secondary"}).content.decode()
    assert FIELDS["title"] not in client.get(catalogue, {"q": "химия"}).content.decode()
    detail = client.get(reverse("practice-public", args=[practice.pk])).content.decode()
    assert "Лаврова О. П., Никитин А. С." in detail
    material = second.files.get()
    download = client.get(reverse("practice-public-file", args=[practice.pk, material.pk]))
    assert download.status_code == 200
    assert (
        client.get(
            reverse("practice-public-file", args=[practice.pk, practice.consent_id])
        ).status_code
        == 404
    )

    # Withdrawn by the author: out of the catalogue, its history kept.
    services.practice_withdraw(
        user=member, practice_id=practice.pk, reason="Готовлю новую редакцию"
    )
    assert FIELDS["title"] not in client.get(catalogue).content.decode()
    assert client.get(reverse("practice-public", args=[practice.pk])).status_code == 404
    assert practice.versions.count() == 2
    # Methodical recommendations (3.4, 5.4) are the same library, found by their kind.
    assert practice.kind == Practice.Kind.PRACTICE
    actions = list(
        AuditEvent.objects.filter(object_type="library.practice", object_id=str(practice.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "practice.submit",
        "practice.return",
        "practice.revise",
        "practice.consent_signed",
        "practice.recommend",
        "practice.withdraw",
    ]


def test_another_programmes_staff_and_members_do_not_see_a_practice(client, bank, member):
    practice = services.practice_submit(
        user=member, program_id=bank.pk, fields=FIELDS, files=[_pdf()]
    )
    url = reverse("practice-detail", args=[practice.pk])
    client.force_login(UserFactory(username="other_teacher"))
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_methodical_recommendations_are_a_kind_of_the_same_catalogue(
    client, bank, member, secretary
):
    recommendation = services.practice_submit(
        user=member,
        program_id=bank.pk,
        fields={
            **FIELDS,
            "kind": "recommendation",
            "title": "Методические рекомендации по наставничеству",
        },
        files=[_pdf()],
    )
    rendered(recommendation.consent)
    documents.signer_certificate_issue(user=member)
    documents.document_sign(document=recommendation.consent, signer=member)
    services.practice_review(user=secretary, practice_id=recommendation.pk, decision="approve")
    catalogue = reverse("practice-catalogue")
    assert (
        "Методические рекомендации по наставничеству"
        in client.get(catalogue, {"kind": "recommendation"}).content.decode()
    )
    assert (
        "Методические рекомендации по наставничеству"
        not in client.get(catalogue, {"kind": "practice"}).content.decode()
    )
