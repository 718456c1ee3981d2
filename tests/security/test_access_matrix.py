"""Who may open what: every URL pattern of the project × the nine roles of issue 11, compared
with the table in `access_matrix.csv`.

The table has one row per URL pattern name (namespaced: `api:application-detail`), saying which
object fills the URL (`target`, built in access_world.py), which method is sent, and the answer
each role must get. A URL added to the project without a row fails
`test_every_url_pattern_has_a_row`, which prints the line to add. The Django admin's ~230
patterns are one row, `admin:*`, checked on a few representative URLs (no role of the matrix is
staff, so each must be sent to the admin's login).

Requests are sent as the browser or an API client would (a session; GET, or an empty POST for
endpoints that take only POST), each inside a transaction rolled back afterwards, so one
request's effects (a read logged, a notification marked read, a meeting opened) never change
what the next one sees.

Answers: 200, 201, 204, 400, 401, 403, 404, 405, 409; `login` is a redirect to a login page,
`302` any other redirect.
"""

import csv
import datetime
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.security.access_world import MOMENT, ROLES, build_world

MATRIX_FILE = Path(__file__).with_name("access_matrix.csv")
ANSWERS = {"200", "201", "204", "302", "login", "400", "401", "403", "404", "405", "409"}
METHODS = {"GET", "POST"}
# The admin's row is checked on these (name, target) pairs.
ADMIN_SAMPLES = (
    ("admin:index", "-"),
    ("admin:accounts_user_changelist", "-"),
    ("admin:workflows_application_changelist", "-"),
    ("admin:workflows_application_change", "case1_admin"),
    ("admin:axes_accessattempt_changelist", "-"),
)


@dataclass(frozen=True)
class Row:
    name: str
    target: str
    method: str
    expected: dict
    line: int


def read_matrix() -> dict[str, Row]:
    rows = {}
    with MATRIX_FILE.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1)]
    data = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.reader(line for _n, line in data)
    header = [h.strip() for h in next(reader)]
    assert header == ["name", "target", "method", *ROLES], f"{MATRIX_FILE.name}: header {header}"
    for (number, _line), cells in zip(data[1:], reader, strict=True):
        cells = [c.strip() for c in cells]
        assert len(cells) == len(header), f"{MATRIX_FILE.name}:{number}: {len(cells)} cells"
        name, target, method, *answers = cells
        assert name not in rows, f"{MATRIX_FILE.name}:{number}: a second row for {name}"
        assert method in METHODS, f"{MATRIX_FILE.name}:{number}: method {method!r}"
        bad = [a for a in answers if a not in ANSWERS]
        assert not bad, f"{MATRIX_FILE.name}:{number}: unknown answers {bad}"
        rows[name] = Row(name, target, method, dict(zip(ROLES, answers, strict=True)), number)
    return rows


def url_patterns(patterns=None, prefix="", namespace="") -> list[tuple[str, str]]:
    """(namespaced name, route) of every pattern the project's URLconf resolves."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            found.append((f"{namespace}{entry.name}" if entry.name else f"/{route}", route))
    return found


def row_for(name: str, route: str, rows: dict[str, Row]) -> Row | None:
    """The row of a pattern: by its name, or by a `prefix:*` row; the admin's unnamed patterns
    (its redirects and catch-all) belong to the `admin:*` row."""
    if name in rows:
        return rows[name]
    if route.startswith("admin/"):
        return rows.get("admin:*")
    globs = [r for key, r in rows.items() if "*" in key and fnmatch.fnmatchcase(name, key)]
    return globs[0] if globs else None


def test_every_url_pattern_has_a_row():
    rows = read_matrix()
    missing = [(n, route) for n, route in url_patterns() if row_for(n, route, rows) is None]
    blank = ",".join(["?"] * len(ROLES))
    assert not missing, (
        f"{MATRIX_FILE.name} has no row for these URL patterns; add one line each (target from "
        "access_world.py, GET or POST, the answer of each role):\n"
        + "\n".join(f"{name},<target>,GET,{blank}    # route /{route}" for name, route in missing)
    )


def test_every_row_is_a_url_pattern_of_the_project():
    names = {name for name, _route in url_patterns()}
    stale = [r.name for r in read_matrix().values() if "*" not in r.name and r.name not in names]
    assert not stale, f"{MATRIX_FILE.name} has rows for URL patterns that do not exist: {stale}"


def _answer(response) -> str:
    if response.status_code in (301, 302, 303):
        path = urlsplit(response["Location"]).path
        if path in (reverse("login"), reverse("admin:login")):
            return "login"
        return "302"
    return str(response.status_code)


def _clients(world) -> dict:
    clients = {}
    for role in ROLES:
        client = APIClient()
        client.raise_request_exception = False  # a 500 is an answer to report, not a crash
        if world.people[role] is not None:
            client.force_login(world.people[role])
        clients[role] = client
    return clients


def _send(client, method: str, url: str) -> str:
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {})  # an empty form: what a bare browser POST sends
        transaction.set_rollback(True)
    return _answer(response)


def _urls(row: Row, world) -> list[str]:
    if row.name == "admin:*":
        return [reverse(name, kwargs=world.targets[target]) for name, target in ADMIN_SAMPLES]
    assert row.target in world.targets, f"{MATRIX_FILE.name}:{row.line}: target {row.target!r}"
    return [reverse(row.name, kwargs=world.targets[row.target])]


@pytest.mark.django_db
def test_every_role_gets_the_answer_the_matrix_says():
    rows = read_matrix()
    world = build_world()
    world.targets["case1_admin"] = {"object_id": world.targets["case1"]["pk"]}
    clients = _clients(world)
    wrong = []
    with time_machine.travel(MOMENT + datetime.timedelta(hours=2)):
        for row in rows.values():
            for url in _urls(row, world):
                observed = {role: _send(clients[role], row.method, url) for role in ROLES}
                if observed != row.expected:
                    differ = [
                        f"{r}: {row.expected[r]}→{observed[r]}"
                        for r in ROLES
                        if observed[r] != row.expected[r]
                    ]
                    wrong.append(
                        f"{MATRIX_FILE.name}:{row.line} {row.method} {url} ({', '.join(differ)})\n"
                        f"    observed: {row.name},{row.target},{row.method},"
                        + ",".join(observed[r] for r in ROLES)
                    )
        wrong += _leaks_in_lists(clients, world)
    assert not wrong, "answers differ from the matrix:\n" + "\n".join(wrong)


# A list answers 200 to everyone signed in; it must not show a case its reader may not open.
LISTS = (
    "home",
    "application-list",
    "task-list",
    "notification-list",
    "agreements-to-sign",
    "council-list",
    "status-dashboard",
    "api:application-list",
    "api:task-list",
    "api:status-list",
    "api:council-list",
    "api:meeting-list",
)
NOT_SHOWN = {"coord1": ("case2",), "coord2": ("case1",), "other_programme": ("case1", "case2")}


def _leaks_in_lists(clients, world) -> list[str]:
    # The check means something only if a list does show a case to its own school.
    own = clients["coord1"].get(reverse("application-list")).content.decode()
    assert world.marks["case1"] and world.marks["case1"] in own
    leaks = []
    for name in LISTS:
        for role, cases in NOT_SHOWN.items():
            with transaction.atomic():
                response = clients[role].get(reverse(name), follow=True)
                transaction.set_rollback(True)
            text = response.content.decode()
            for case in cases:
                if response.status_code == 200 and world.marks[case] in text:
                    leaks.append(f"{name} shows {case} ({world.marks[case]}) to {role}")
    return leaks
