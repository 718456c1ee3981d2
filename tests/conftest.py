"""Shared fixtures. Server-bound tests run for real in CI and are skipped, with the reason, elsewhere."""

import os

import pytest
from django.db import connection

from applications import roles
from tests.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    ProgramFactory,
    UserFactory,
    serve,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_server(reason: str) -> None:
    """Fail in CI (the servers must be there), skip on a laptop without them."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that uses the `postgres` fixture is server-bound even when nobody marked it."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)


@pytest.fixture
def postgres(db):
    """Tests of locking and concurrency: only PostgreSQL shows the real behaviour."""
    if connection.vendor != "postgresql":
        require_server("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language (Russian), whatever an earlier test activated:
    code that runs outside a request (handlers, tasks) speaks the active language."""
    from django.utils import translation

    translation.activate("ru")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits count in the cache: every test starts with an untouched budget."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def workshop(db, methodist, secretary, official):
    """The Klin mentoring workshop: membership for a year, settled by its council's decision
    (no order), no cooperation agreement. The staff fixtures serve it too."""
    workshop = ProgramFactory(
        code="klin-mn",
        title="«Мастерская наставничества» городского округа Клин",
        council_name="Методический совет «Мастерской наставничества»",
        authority_name="МУ «Методический кабинет»",
        status_name="Членство в «Мастерской наставничества»",
        status_term_years=1,
        registration_prefix="МН",
        settled_by_council=True,
    )
    serve(workshop, methodist, secretary, official)
    return workshop


@pytest.fixture
def school(db):
    return OrganisationFactory()


@pytest.fixture
def coordinator(school):
    return CoordinatorFactory(username="coordinator", organisation=school)


@pytest.fixture
def other_coordinator(db):
    return CoordinatorFactory(username="other_coordinator")


@pytest.fixture
def methodist(db):
    return UserFactory(username="methodist", groups=[roles.METHODISTS])


@pytest.fixture
def secretary(db):
    return UserFactory(username="secretary", groups=[roles.SECRETARIES])


@pytest.fixture
def official(db):
    return UserFactory(username="official", groups=[roles.DEPARTMENT])


@pytest.fixture
def granted_status(coordinator, school, program, methodist, secretary, official):
    """The school's status granted through the whole review by an order of 20.11.2026, the
    clock at 10:00 in Tomsk: where most status tests start."""
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from tests.story import granted

    moment = datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Tomsk"))
    with time_machine.travel(moment, tick=False):
        return granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=moment.date(),
        )
