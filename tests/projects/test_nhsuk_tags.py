"""Tags for design-system components: the breadcrumb (a trail for wide screens, one back link
for small ones) and names as they read inside a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import Context, Template

from projects.templatetags.nhsuk import in_sentence

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_breadcrumbs_tag_renders_trail_and_one_back_link_to_the_parent():
    html = Template('{% load nhsuk %}{% breadcrumbs "Site" "/s/" "Project" "/s/p/" %}').render(
        Context()
    )
    assert html.count('class="nhsuk-breadcrumb__link"') == 2
    assert html.count('class="nhsuk-back-link"') == 1
    assert 'class="nhsuk-back-link" href="/s/p/"' in html


def test_every_breadcrumb_has_the_back_link_the_design_system_hides_on_wide_screens():
    """Markup of an older design-system version (shown at every width) or a trail with no back
    link (nothing at all on a phone) is a defect."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if "nhsuk-breadcrumb__back" in text:
            offenders.append(f"{path.name}: old back-link markup")
        if '<nav class="nhsuk-breadcrumb"' in text and 'class="nhsuk-back-link"' not in text:
            offenders.append(f"{path.name}: no back link")
    assert offenders == []


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("SWOT analysis", "SWOT analysis"),
        ("PDSA cycle", "PDSA cycle"),
        ("Process map", "process map"),
        ("Five Whys", "Five Whys"),
        ("Primary driver", "primary driver"),
        ("DNAs", "DNAs"),
    ],
)
def test_in_sentence_lowers_words_but_keeps_acronyms_and_names(name, inside):
    assert in_sentence(name) == inside
