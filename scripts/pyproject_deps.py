"""Print the dependency ranges declared in pyproject.toml, one requirement a line.

pyproject.toml is the source of the ranges and constraints.txt pins them; the project itself is
not an installable package (``[tool.setuptools] packages = []``), so instead of an editable
install we feed these lines to ``pip install -c constraints.txt -r -``.

    python scripts/pyproject_deps.py          # runtime dependencies (the Docker image)
    python scripts/pyproject_deps.py dev      # runtime plus the ``dev`` extra (make venv)
"""

import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def requirements(extras: list[str]) -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"pyproject.toml has no optional dependency group {extra!r}")
        lines.extend(optional[extra])
    return lines


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
