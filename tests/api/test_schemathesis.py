"""The API does what its OpenAPI schema says (schemathesis over the whole schema, per role).

The schema is loaded from the running app (/api/schema/), never from a stored copy, so a change
of a serializer, a status code or a field length is checked as it is made. Every operation gets
a bounded, seeded number of generated requests as each role, once with generated ids (mostly
404s) and once with the ids of real objects of a case that went the whole way (a status, its
application, meeting, protocol, extract, order and documents) and of cases still under way.
Each request runs in a savepoint that is rolled back, so every one meets the same data.

Checks: no server error, responses (bodies, status codes, content types) as documented.
"""

import datetime
from collections import Counter

import hypothesis
import pytest
import schemathesis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from applications import selectors
from applications.models import Order
from councils.models import AgendaItem, Extract, Meeting, Protocol
from documents.models import Document
from programmes.models import OrganisationMembership
from tests import story
from tests.factories import ApplicationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
ROLES = ["coordinator", "methodist", "secretary", "official"]


def auth_headers(user) -> dict[str, str]:
    """How an API client signs in: the one place to change when the token scheme changes."""
    from accounts.services import api_token_issue

    _instance, token = api_token_issue(user=user)
    return {"Authorization": f"Token {token}"}


def _real_ids(status, *, coordinator, school, program, methodist) -> dict[str, dict]:
    """Path → path parameters of a real object the roles can reach."""
    application = status.application
    # The coordinator's second school: a case at the methodist and a draft.
    second = OrganisationFactory()
    OrganisationMembership.objects.create(user=coordinator, organisation=second)
    waiting = story.submitted(coordinator=coordinator, school=second, program=program)
    ApplicationFactory(organisation=second, created_by=coordinator, program=program)
    task = selectors.application_open_task(waiting)
    meeting = Meeting.objects.order_by("pk").first()
    document = Document.objects.filter(versions__isnull=False).order_by("pk").first()
    ids = {
        "/api/applications/{id}/": {"id": application.pk},
        "/api/applications/{id}/attachments/": {"id": application.pk},
        "/api/applications/{id}/submit/": {"id": waiting.pk},
        "/api/applications/{id}/order/": {"id": application.pk},
        "/api/applications/{id}/order/sign/": {"id": application.pk},
        "/api/tasks/{id}/": {"id": task.pk},
        "/api/tasks/{id}/claim/": {"id": task.pk},
        "/api/tasks/{id}/complete/": {"id": task.pk},
        "/api/councils/{id}/meetings/": {"id": meeting.council_id},
        "/api/meetings/{id}/": {"id": meeting.pk},
        "/api/items/{id}/": {"id": AgendaItem.objects.order_by("pk").first().pk},
        "/api/protocols/{id}/": {"id": Protocol.objects.order_by("pk").first().pk},
        "/api/extracts/{id}/": {"id": Extract.objects.order_by("pk").first().pk},
    }
    order = Order.objects.order_by("pk").first()
    if order is not None:
        ids["/api/orders/{id}/"] = {"id": order.pk}
    if document is not None:
        ids["/api/documents/{id}/versions/{number}/download/"] = {"id": document.pk, "number": 1}
    return ids


def _params_for(path: str, ids: dict[str, dict]) -> dict | None:
    if path in ids:
        return ids[path]
    for known, params in ids.items():
        stem = known.split("{id}")[0]
        if path.startswith(stem) and path.count("{") == known.count("{"):
            return params
    return None


@pytest.fixture
def wsgi_app():
    """The production WSGI handler (errors become the 500 problem a client gets, not a test
    exception), on the test's database connection: like Django's test client, it must not
    close that connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(granted_status, coordinator, school, program, methodist, secretary, official):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10), tick=False):
        ids = _real_ids(
            granted_status,
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
        )
    return {
        "ids": ids,
        "users": {
            "coordinator": coordinator,
            "methodist": methodist,
            "secretary": secretary,
            "official": official,
        },
    }


def test_api_answers_as_its_schema_says(world, wsgi_app):
    """One test for the four roles: the case that went the whole way is built once."""
    failures, answered = [], {}
    for role in ROLES:
        answered[role] = Counter()
        failures += _fuzz_as(wsgi_app, world["users"][role], world["ids"], role, answered[role])
    assert not failures, f"{len(failures)} failures\n\n" + "\n\n".join(failures)
    # The sign-in worked and the real ids were reached: every role got answers with a body.
    for role, codes in answered.items():
        assert sum(n for code, n in codes.items() if 200 <= code < 300) >= 10, (role, codes)


def _fuzz_as(app, user, ids, role, answered: Counter) -> list[str]:
    headers = auth_headers(user)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        real = _params_for(operation.path, ids)
        strategy = operation.as_strategy()
        if real is not None:
            strategy = st.one_of(operation.as_strategy(path_parameters=real), strategy)
        _examples(strategy, headers, failures, answered, f"[{role}] {operation.label}")()
    return failures


def _examples(strategy, headers, failures, answered, label):
    """A bounded, seeded run of one operation; failures are collected, not shrunk."""

    @given(case=strategy)
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                answered[response.status_code] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{label}: {exc}")
            finally:
                transaction.set_rollback(True)

    return run
