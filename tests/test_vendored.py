"""Vendored front-end files are what their notes say: not empty, the listed checksums, and the
NHS.UK stylesheet sets the design system's font stack (an empty JS file and a CSS without a
font once shipped unnoticed)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static"
NOTES = sorted((STATIC / "vendor").glob("*/README.md"))


def listed(note: Path) -> list[tuple[Path, str]]:
    rows = re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", note.read_text(), re.MULTILINE)
    return [(note.parent / name, digest) for name, digest in rows]


def test_every_vendored_package_has_a_note_listing_its_files():
    assert {n.parent.name for n in NOTES} == {"nhsuk-frontend", "plotly"}
    for note in NOTES:
        assert listed(note), f"{note} lists no files with their sha256"


@pytest.mark.parametrize("note", NOTES, ids=lambda n: n.parent.name)
def test_vendored_files_are_not_empty_and_match_their_checksums(note):
    for path, digest in listed(note):
        data = path.read_bytes()
        assert len(data) > 1000, f"{path} is empty or truncated"
        assert hashlib.sha256(data).hexdigest() == digest, f"{path} is not what {note} says"


def test_nhsuk_stylesheet_sets_the_font_stack():
    css = (STATIC / "vendor/nhsuk-frontend/css/nhsuk.min.css").read_text()
    assert re.search(r"html\{font-family:[^}]*arial,sans-serif", css)


def test_nhsuk_script_exports_what_app_js_imports():
    js = (STATIC / "vendor/nhsuk-frontend/js/nhsuk-frontend.min.js").read_text()
    app = (STATIC / "js/app.js").read_text()
    imported = re.search(r"import \{ (\w+) \} from \"\.\./vendor/nhsuk-frontend/js/(.+?)\"", app)
    assert imported
    assert imported.group(2) == "nhsuk-frontend.min.js"
    exports = re.search(r"export\{([^}]*)\}", js)
    assert exports
    assert imported.group(1) in exports.group(1).split(",")


def test_chart_pages_load_the_basic_plotly_bundle():
    templates = Path(__file__).resolve().parents[1] / "templates"
    for name in ("measures/chart_page.html", "measures/chart_compare.html"):
        text = (templates / name).read_text()
        assert "vendor/plotly/plotly-basic.min.js" in text
        assert (STATIC / "vendor/plotly/plotly-basic.min.js").stat().st_size < 1_500_000
