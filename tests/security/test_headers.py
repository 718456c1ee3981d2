"""Issue 11, finding 9: every page is sent with a Content-Security-Policy that allows no inline
script or style, and the pages still do without (their behaviour is in static files)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from applications import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# WeasyPrint's print forms and the e-mails are never served to a browser.
NOT_SERVED = ("printforms", "email")
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def served_templates():
    for path in ROOT.rglob("*.html"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "var", ".git"} or "templates" not in parts:
            continue
        if not set(NOT_SERVED) & set(parts):
            yield path


def inline_code(html: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(html)]


def test_the_guard_sees_each_kind_of_inline_code():
    assert inline_code('<select onchange="go()">') == ["event handler attribute"]
    assert inline_code("<script>alert(1)</script>") == ["inline script"]
    assert inline_code('<p style="color:red">') == ["style attribute"]
    assert inline_code('<script src="/static/a.js"></script>') == []
    assert inline_code('<script id="x" type="application/json">{}</script>') == []


def test_no_served_template_has_inline_script_or_style():
    found = {
        str(path.relative_to(ROOT)): kinds
        for path in served_templates()
        if (kinds := inline_code(path.read_text(encoding="utf-8")))
    }
    assert len(list(served_templates())) > 30
    assert found == {}


def test_pages_carry_a_strict_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "url",
    ["/", "/applications/", "/public/registry/", "/notifications/", "/accounts/password/"],
)
def test_the_pages_people_use_have_no_inline_code(client, url):
    client.force_login(UserFactory(username="methodist", groups=[roles.METHODISTS]))
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert inline_code(response.content.decode()) == []


def test_the_language_switch_works_from_a_static_script(client):
    html = client.get(reverse("login")).content.decode()
    assert 'src="/static/docket/docket.js"' in html
    assert "data-autosubmit" in html
    script = (ROOT / "applications/static/docket/docket.js").read_text(encoding="utf-8")
    assert "select[data-autosubmit]" in script


def test_the_api_docs_load_swagger_from_our_static_files(client):
    client.force_login(UserFactory())
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert inline_code(html) == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_only_the_flow_charts_may_carry_inline_style_and_they_run_no_script(client):
    """viewflow draws its SVG charts with inline style; they get that and nothing more."""
    client.force_login(UserFactory(username="methodist", groups=[roles.METHODISTS]))
    response = client.get(reverse("flow-chart"))
    assert response["Content-Type"] == "image/svg+xml"
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'none'" in policy
    assert "unsafe-inline" not in client.get("/applications/")["Content-Security-Policy"]
