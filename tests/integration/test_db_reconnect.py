"""A PostgreSQL restart drops the connections the web processes keep (CONN_MAX_AGE): the next
request on each must reconnect, not answer 500.

Proven on the real thing: gunicorn with one sync worker (as in docker-compose.yml) on this
test's PostgreSQL database, so consecutive requests share the worker's kept connection; the
test kills that connection's server process from another connection (`pg_terminate_backend`,
what a restart or failover does to every client) and asks again.
"""

import os
import subprocess
import sys
import uuid
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from django.db import connection
from django.urls import reverse

from tests.integration.celery_harness import BASE_DIR, database_url, free_port, wait_until

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def _status(url: str) -> int:
    # As the HTTPS proxy in front of gunicorn sends it (production redirects plain HTTP).
    request = Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status
    except HTTPError as exc:
        return exc.code


def _backends(application_name: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
        )
        return [pid for (pid,) in cursor.fetchall()]


@pytest.fixture
def gunicorn(postgres, tmp_path):
    """One gunicorn sync worker on this test's database; its connections carry a name of
    their own so the test can find them in pg_stat_activity."""
    name = f"docket-test-web-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="reconnect-test-secret-key-0123456789abcdef",
        DOCUMENTS_KEY_ENCRYPTION_KEY="reconnect-test-documents-key-0123456789",
        AUDIT_HMAC_KEY="reconnect-test-audit-key-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(connection.settings_dict, application_name=name),
        DOCKET_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--timeout=30",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: proc.poll() is not None or _quiet_status(base + "/healthz-none/") > 0,
            timeout=30,
            what="gunicorn to answer",
            details=lambda: log_path.read_text(errors="replace")[-3000:],
        )
        assert proc.poll() is None, log_path.read_text(errors="replace")[-3000:]
        yield base, name, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _quiet_status(url: str) -> int:
    try:
        return _status(url)
    except OSError:
        return 0


def test_the_first_request_after_the_database_dropped_a_kept_connection_succeeds(gunicorn):
    base, name, log_path = gunicorn
    page = base + reverse("public-registry")
    assert _status(page) == 200
    [pid] = wait_until(lambda: _backends(name), timeout=10, what="the web's kept connection")
    assert _status(page) == 200
    assert _backends(name) == [pid]  # the same connection served both requests: it is kept

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: pid not in _backends(name), timeout=10, what="the backend to end")

    statuses = [_status(page) for _ in range(3)]
    assert statuses == [200, 200, 200], log_path.read_text(errors="replace")[-3000:]
    assert pid not in _backends(name)
