"""Apps depend on `projects`, never the reverse: `projects` imports no other app of ours (what
the others contribute to its pages comes through projects.panels, registered at start-up)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OTHER_APPS = {"phases", "toolkit", "measures"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OTHER_APPS


def test_imported_apps_sees_every_form_of_import(tmp_path):
    """The check itself: plain, dotted, from- and function-level imports are all found."""
    module = tmp_path / "example.py"
    module.write_text(
        "import phases\n"
        "import toolkit.models as tm\n"
        "from measures.charts import services\n"
        "from projects import models\n"
        "def later():\n"
        "    from phases.models import Step\n"
    )
    assert imported_apps(module) == {"phases", "toolkit", "measures"}


def test_projects_imports_no_other_app():
    offending = {
        str(path.relative_to(ROOT)): sorted(apps)
        for path in (ROOT / "projects").rglob("*.py")
        if "migrations" not in path.parts and (apps := imported_apps(path))
    }
    assert offending == {}
