"""A renewed status gets a certificate of its new term: the one printed at the grant still says
the old end date and the old order, so it cannot stand for the renewed status."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from applications import services
from documents import printforms
from documents import selectors as document_selectors
from documents.models import Document
from tests.story import renewed

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")


def certificate_of(application) -> Document | None:
    return (
        document_selectors.documents_of(application)
        .filter(kind=Document.Kind.STATUS_CERTIFICATE)
        .first()
    )


def printed(document) -> dict:
    return printforms.context_load(document.renders.get().context["values"])


def test_a_renewal_issues_a_certificate_of_the_new_term(
    granted_status, coordinator, methodist, secretary, official
):
    status = granted_status
    first = certificate_of(status.application)
    assert printed(first)["valid_until"] == datetime.date(2029, 8, 31)
    day = datetime.date(2029, 6, 1)
    with time_machine.travel(datetime.datetime(2029, 6, 1, 9, tzinfo=TOMSK), tick=False):
        application = renewed(
            status,
            coordinator=coordinator,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=day,
            order="2-р",
        )
    second = certificate_of(application)
    assert second is not None and second.pk != first.pk
    assert second.reg_number and second.reg_number != first.reg_number
    values = printed(second)
    assert (values["valid_from"], values["valid_until"]) == (
        datetime.date(2029, 9, 1),
        datetime.date(2032, 8, 31),
    )
    assert (values["order_number"], values["order_date"]) == ("2-р", day)
    services.status_grant(application=application)  # a retried grant issues nothing more
    assert Document.objects.filter(kind=Document.Kind.STATUS_CERTIFICATE).count() == 2
