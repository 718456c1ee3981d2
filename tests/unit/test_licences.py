"""Licence guard: viewflow's fsm admin, chart, views and viewset carry a commercial-only header.

We are AGPL-3.0-or-later and may only use viewflow's AGPL parts, so no module of ours may
import those four, directly or by `from viewflow.fsm import <name>` of something they define.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_MODULES = {
    "viewflow.fsm.admin",
    "viewflow.fsm.chart",
    "viewflow.fsm.views",
    "viewflow.fsm.viewset",
}
# Names `viewflow.fsm` re-exports from those modules.
FORBIDDEN_FROM_FSM = {"FlowAdminMixin", "chart", "FlowViewsMixin", "admin", "views", "viewset"}
SKIP_DIRS = {".venv", "var", ".git", "node_modules"}


def _our_python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def _offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in FORBIDDEN_MODULES:
                found.append(node.module)
            elif node.module == "viewflow.fsm":
                found += [
                    f"viewflow.fsm.{a.name}" for a in node.names if a.name in FORBIDDEN_FROM_FSM
                ]
    return found


def test_the_guard_catches_each_form_of_import():
    assert _offences("import viewflow.fsm.chart") == ["viewflow.fsm.chart"]
    assert _offences("from viewflow.fsm.viewset import X") == ["viewflow.fsm.viewset"]
    assert _offences("from viewflow.fsm import State, FlowAdminMixin") == [
        "viewflow.fsm.FlowAdminMixin"
    ]
    assert _offences("from viewflow.fsm.base import State") == []


def test_no_module_of_ours_imports_the_commercial_viewflow_parts():
    offences = {
        str(path.relative_to(ROOT)): found
        for path in _our_python_files()
        if (found := _offences(path.read_text(encoding="utf-8")))
    }
    assert offences == {}
