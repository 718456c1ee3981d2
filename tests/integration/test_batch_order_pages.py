"""The department official in the browser: the cases the council granted wait on one page, the
official ticks them, prepares one распоряжение, sees its draft and signs it once; a renewal's row
prints the renewed term, not a new one from the order's date."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications import paperwork, services
from applications.models import Application, Order
from documents.services import signer_certificate_issue
from statuses import services as status_services
from statuses.models import Status
from tests.documents_helpers import pdf_text
from tests.story import (
    council_decides,
    council_of,
    granted,
    meeting_decides,
    rendered,
    waiting_for_council,
)

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")


def at(day: datetime.date, hour: int = 10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TOMSK)


def test_the_official_prepares_and_signs_one_order_for_three_schools(
    client, program, methodist, secretary, official, coordinator, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        names = ["Школа 1", "Школа 2", "Лицей 3"]
        cases = [waiting_for_council(program, methodist=methodist, school_name=n) for n in names]
        meeting_decides(
            council_of(program, secretary=secretary),
            {c: ("granted", "Соответствует положению") for c in cases},
            secretary=secretary,
            meeting_date=datetime.date(2026, 11, 19),
        )
        signer_certificate_issue(user=official)
        client.force_login(official)
        assert 'id="order-prepare-link"' in client.get(reverse("task-list")).content.decode()
        page = client.get(reverse("order-prepare")).content.decode()
        for case in cases:
            assert f'value="{case.pk}"' in page and case.reg_number in page

        # Nothing selected: a message, nothing registered.
        response = client.post(reverse("order-prepare"), follow=True)
        assert "Выберите хотя бы одно" in response.content.decode()
        assert not Order.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("order-prepare"), {"applications": [c.pk for c in cases]}
            )
        order = Order.objects.get()
        assert response.status_code == 302 and response.url == reverse(
            "order-detail", args=[order.pk]
        )
        rendered(order.document)
        page = client.get(response.url).content.decode()
        assert "Распоряжение № 1-р от 20.11.2026" in page
        assert "Готов" in page and 'id="sign-approve"' in page
        for case in cases:
            assert case.reg_number in page
        text = pdf_text(order.document.current_version.file.read()).replace("\n", " ")
        for case in cases:
            assert case.organisation.name in text

        # Others may neither open nor sign the order.
        for person in (methodist, cases[0].created_by):
            client.force_login(person)
            assert client.get(reverse("order-prepare")).status_code == 403
            assert client.get(reverse("order-detail", args=[order.pk])).status_code == 404
            assert (
                client.post(
                    reverse("order-detail", args=[order.pk]), {"action": "sign_approve"}
                ).status_code
                == 404
            )
        assert not order.document.signatures.exists()

        client.force_login(official)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("order-detail", args=[order.pk]), {"action": "sign_approve"}, follow=True
            )
        assert "Распоряжение подписано" in response.content.decode()
        assert order.document.signatures.count() == 1
        assert Status.objects.filter(order=order).count() == 3
        assert set(Application.objects.values_list("state", flat=True)) == {"granted"}
        assert (
            client.get(reverse("order-prepare")).content.decode().count('name="applications"') == 0
        )


def test_a_case_no_longer_waiting_is_named_and_nothing_is_drafted(
    client, program, methodist, secretary, official
):
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        first = waiting_for_council(program, methodist=methodist, school_name="Школа 1")
        second = waiting_for_council(program, methodist=methodist, school_name="Школа 2")
        meeting_decides(
            council_of(program, secretary=secretary),
            {first: ("granted", "Да"), second: ("postponed", "Отложить до следующего заседания")},
            secretary=secretary,
            meeting_date=datetime.date(2026, 11, 19),
        )
        client.force_login(official)
        response = client.post(
            reverse("order-prepare"), {"applications": [first.pk, second.pk]}, follow=True
        )
        assert second.reg_number in response.content.decode()
        assert not Order.objects.exists()


def test_a_renewal_row_shows_the_renewed_term(
    coordinator, school, program, methodist, secretary, official, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        status = granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=datetime.date(2026, 11, 20),
        )
    assert status.valid_until == datetime.date(2029, 8, 31)
    with time_machine.travel(at(datetime.date(2029, 4, 10)), tick=False):
        renewal = status_services.renewal_application_create(user=coordinator, status_id=status.pk)
        services.application_submit(application_id=renewal.pk, user=coordinator)
        renewal.refresh_from_db()
    with time_machine.travel(at(datetime.date(2029, 5, 20)), tick=False):
        council_decides(
            renewal,
            methodist=methodist,
            secretary=secretary,
            decision="granted",
            reasons="Работа площадки эффективна",
            meeting_date=timezone.localdate(),
        )
        with django_capture_on_commit_callbacks(execute=True):
            order = services.order_draft_for_cases(application_ids=[renewal.pk], user=official)
        [row] = paperwork.order_context(order=order, applications=[renewal], signer=official)[
            "statuses"
        ]
        # The renewed term follows the current one, not three years from the order's date.
        assert (row["valid_from"], row["valid_until"]) == (
            datetime.date(2029, 9, 1),
            datetime.date(2032, 8, 31),
        )
        rendered(order.document)
        text = pdf_text(order.document.current_version.file.read())
        assert "01.09.2029" in text and "31.08.2032" in text
        assert "20.05.2029 по" not in text
        # An order that only extends says so, in its heading and in its operative part.
        words = " ".join(text.split())  # lines wrap anywhere in the PDF's text
        assert "О продлении" in words and "Продлить срок действия статуса" in words
        assert "Присвоить статус" not in words
        assert order.document.title == "Распоряжение о продлении статуса"

        signer_certificate_issue(user=official)
        with django_capture_on_commit_callbacks(execute=True):
            services.order_sign_and_approve_cases(order_id=order.pk, user=official)
    status.refresh_from_db()
    last = status.terms.order_by("-number").first()
    assert (last.valid_from, last.valid_until) == (row["valid_from"], row["valid_until"])


def test_the_order_heading_names_what_it_does():
    from django.utils import translation

    with translation.override("ru"):
        new, renewal = {"renewal": False}, {"renewal": True}
        assert paperwork._order_title([new, new], "С") == "О присвоении статуса «С»"
        assert paperwork._order_title([renewal], "С") == "О продлении срока действия статуса «С»"
        assert paperwork._order_title([new, renewal], "С") == "О присвоении и продлении статуса «С»"
