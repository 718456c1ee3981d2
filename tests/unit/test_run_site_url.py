"""`make run PORT=...`: the supervisor gives web, worker and beat the address it serves as
SITE_URL, so links in letters, QR codes and printed documents open this server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import run

ROOT = Path(__file__).resolve().parent.parent.parent


def env_for(port=8001, host="127.0.0.1", base=None, dotenv_vars=None):
    return run.service_env(base or {}, host=host, port=port, dotenv_vars=dotenv_vars or {})


def test_the_port_served_is_the_site_url():
    assert env_for(port=8001)["SITE_URL"] == "http://127.0.0.1:8001"
    assert env_for(port=8000)["SITE_URL"] == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("localhost", "http://localhost:8001"),
        ("::1", "http://[::1]:8001"),
        ("0.0.0.0", "http://127.0.0.1:8001"),  # every interface: reached on loopback here
        ("::", "http://[::1]:8001"),
    ],
)
def test_the_host_served_is_in_the_site_url(host, url):
    assert env_for(host=host)["SITE_URL"] == url


def test_a_site_url_given_in_the_environment_wins():
    env = env_for(base={"SITE_URL": "https://docket.example.org"})
    assert env["SITE_URL"] == "https://docket.example.org"


def test_a_site_url_in_dotenv_wins(tmp_path):
    """The children read .env themselves (overwrite=False): a SITE_URL put into their
    environment would hide the one in .env, so none is put there."""
    (tmp_path / ".env").write_text("# tunnel\nSITE_URL=https://tunnel.example.org\nOTHER=1\n")
    dotenv_vars = run.dotenv(tmp_path / ".env")
    assert dotenv_vars["SITE_URL"] == "https://tunnel.example.org"
    assert "SITE_URL" not in env_for(dotenv_vars=dotenv_vars)
    assert run.dotenv(tmp_path / "missing.env") == {}


def test_the_rest_of_the_environment_is_passed_on():
    env = env_for(base={"DATABASE_URL": "sqlite:///x", "DJANGO_SETTINGS_MODULE": "mine"})
    assert env["DATABASE_URL"] == "sqlite:///x"
    assert env["DJANGO_SETTINGS_MODULE"] == "mine"
    assert env_for()["DJANGO_SETTINGS_MODULE"] == "config.settings.local"


def test_a_process_started_with_that_environment_writes_links_to_the_port(tmp_path):
    """What the worker does with it: the development settings (the worker's and beat's, as
    `make run` starts them) read SITE_URL, and every builder of absolute links follows it —
    e-mail links, the verification link of a print form, the Message-ID's domain."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SITE_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    base["DOCKET_VAR_DIR"] = str(tmp_path / "var")
    env = run.service_env(base, host="127.0.0.1", port=8001, dotenv_vars={})
    code = """
import json, django
django.setup()
from django.conf import settings
from core.urls import absolute_url
from documents.printforms.render import verify_url
from notifications.delivery import message_id
from notifications.models import Notification
print(json.dumps({
    "site": settings.SITE_URL,
    "link": absolute_url("/applications/7/"),
    "verify": verify_url("ABCD"),
    "message_id": message_id(Notification(pk=5)),
}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["site"] == "http://127.0.0.1:8001"
    assert seen["link"] == "http://127.0.0.1:8001/applications/7/"
    assert seen["verify"].startswith("http://127.0.0.1:8001/verify/")
    assert seen["message_id"] == "<notification.5@127.0.0.1>"
