"""The engine speaks of programmes, applicants and statuses; Tomsk's words («сетевая площадка»,
«сетевые мероприятия») belong to the Tomsk definition (programmes/definitions/tomsk/), which
also holds its own print-form templates. A hit elsewhere is Tomsk wording leaking into every
programme."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOMSK_WORD = re.compile("сетев", re.IGNORECASE)
# Not the engine: the programmes' own definitions, the demo data seeded from them, the tests
# (Tomsk data), the environment.
OUTSIDE = (
    "programmes/definitions/",
    "demo/",
    "tests/",
    ".venv/",
    ".git/",
    "node_modules/",
    "locale/",
)
SUFFIXES = {".py", ".html", ".txt", ".json", ".js", ".css", ".md"}


def _engine_files():
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if path.is_file() and path.suffix in SUFFIXES and not relative.startswith(OUTSIDE):
            if relative.startswith("docs/") or relative == "README.md":
                continue  # prose about the programmes may name them
            yield relative, path


def test_no_tomsk_wording_in_engine_code_and_templates():
    hits = [
        f"{relative}:{number}: {line.strip()[:120]}"
        for relative, path in _engine_files()
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        if TOMSK_WORD.search(line)
    ]
    assert not hits, "Tomsk wording in the engine:\n" + "\n".join(hits)


def test_no_tomsk_wording_in_the_generic_message_catalogue():
    """The compiled catalogue: what the UI shows (fuzzy and obsolete entries are not in it)."""
    with (ROOT / "locale/ru/LC_MESSAGES/django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    hits = [
        str(msgid) for msgid, msgstr in catalogue.items() if msgid and TOMSK_WORD.search(msgstr)
    ]
    assert not hits, "Tomsk wording in the message catalogue: " + "; ".join(hits)


def test_the_check_sees_a_hit():
    """The scan reads what it claims to: the Tomsk definition itself says «сетевая площадка»."""
    tomsk = ROOT / "programmes/definitions/tomsk/programme.json"
    assert TOMSK_WORD.search(tomsk.read_text(encoding="utf-8"))
    assert any(relative == "applications/services.py" for relative, _ in _engine_files())


def test_tomsk_prints_its_own_words_and_another_programme_the_engines():
    """The Tomsk definition's print forms are found by its code before the engine's."""
    from documents.printforms.render import render_html
    from tests.documents_helpers import printform_context

    context = {
        **printform_context("work_plan"),
        "doc": {"kind_title": "", "verify_url": "", "verify_code": "", "qr_data_uri": ""},
    }
    tomsk = render_html(form="work_plan", context=context, scope="tomsk-ms")
    other = render_html(form="work_plan", context=context, scope="debut")
    assert "Координатор сетевой площадки" in tomsk
    assert "Координатор сетевой площадки" not in other and "Координатор" in other


def test_every_action_the_status_services_record_has_a_history_label():
    """The status's history shows each event by its label: an action written by a service
    without one would show its raw key («termination.raise») to the people reading it."""
    import re

    from statuses.selectors import HISTORY_LABELS

    source = (ROOT / "statuses/services.py").read_text(encoding="utf-8")
    recorded = set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source))
    recorded |= {f"termination.council_{d}" for d in ("support", "reject")}
    missing = sorted(
        a
        for a in recorded
        if a.split(".")[0] in {"status", "duty", "termination", "problem", "agreement"}
        and a not in HISTORY_LABELS
    )
    assert not missing, missing
