"""Finding 13: the API docs page works without internet (Swagger UI from our own static files)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

pytestmark = pytest.mark.django_db

# Any address a page loads from: src/href attributes and URLs written in its inline script.
ADDRESS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|["'](https?://[^"']+)["']""")


def _addresses(html: str) -> list[str]:
    return [a or b for a, b in ADDRESS.findall(html)]


def test_swagger_page_loads_nothing_from_another_host(client_for, coordinator):
    response = client_for(coordinator).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    addresses = _addresses(html)
    assert addresses, "the page should reference its script and stylesheet"
    foreign = [a for a in addresses if "//" in a]
    assert foreign == [], f"the docs page loads from other hosts: {foreign}"
    assets = [a for a in addresses if a.startswith("/static/")]
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), addresses
    assert any(a.endswith("swagger-ui.css") for a in assets), addresses


@override_settings(DEBUG=False)
def test_every_asset_of_the_swagger_page_is_a_static_file_we_ship(client_for, coordinator):
    html = client_for(coordinator).get("/api/docs/").content.decode()
    for address in _addresses(html):
        if address.startswith("/static/"):
            path = address.removeprefix("/static/").split("?")[0]
            assert finders.find(path), f"{address} is not among the static files"
