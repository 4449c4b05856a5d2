"""The demo shows charts as soon as it is loaded, with the PDSA cycles of the toolkit demo; every
demo chart's headline agrees with its icons, and the chart page, the small multiples and the
meeting pack draw the same signals in the same colours and shapes."""

from __future__ import annotations

import datetime as dt

import pytest

from measures.charts import style
from measures.models import ChartState, MeasureShare
from measures.panels import _pack_chart
from projects.demo import demo_load

from .test_chart_words import agrees_with_icon

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_load(today=dt.date(2026, 11, 26), apps=("phases", "measures", "toolkit"))
    return ChartState.objects.select_related("site", "measure").order_by("site__code", "pk")


class Told:
    """A stored summary read like measures.charts.words.ChartSummary."""

    def __init__(self, summary):
        self.headline = summary["headline"]
        self.variation_icon = summary["variation_icon"]


def test_the_demo_builds_every_sites_charts_with_northgates_target_cycles_and_headline(demo):
    wait = demo.get(site__code="NGT", measure__code="median_wait_days")
    assert wait.summary["target"] == 28
    assert wait.summary["assurance_icon"]
    assert "target of 28 days" in wait.summary["target_words"]
    assert not wait.is_stale
    pdsa = [a for a in wait.summary["annotations"] if a["kind"] == "pdsa"]
    assert [a["marker"] for a in pdsa] == ["A", "B", "C"]
    assert [a["outcome"] for a in pdsa] == ["adapt", "adapt", "adopt"]
    for code in ("NGT", "RVS", "EBK", "WFD"):
        assert demo.filter(site__code=code).count() >= 5, code
    assert MeasureShare.objects.filter(site__code="NGT").exists()
    # Its headline names the adopted cycle that may explain the fall in waits.
    headline = " ".join(wait.summary["headline"])
    assert headline.startswith("Median wait to first contact has been lower than usual for")
    assert "an improvement" in headline
    assert "PDSA 3 \u2018Triage call: whole duty team" in headline
    assert wait.summary["cycle"].startswith("PDSA 3: Triage call: whole duty team")


def _figure_styles(figure):
    """(x, colour, symbol) of every special cause point of a figure."""
    out = set()
    for trace in figure["data"]:
        if not trace["name"].startswith("Special cause"):
            continue
        symbols = trace["marker"]["symbol"]
        for x, symbol in zip(trace["x"], symbols, strict=True):
            out.add((x, trace["marker"]["color"], symbol))
    return out


def test_every_demo_headline_agrees_with_its_icons_and_every_view_draws_signals_alike(demo):
    """Walks every demo chart (the demo is loaded once for both checks: it takes a while)."""
    assert demo.count() >= 20
    for state in demo:
        told = Told(state.summary)
        where = (state.site.code, state.measure.code, told.variation_icon, told.headline)
        assert agrees_with_icon(told), where
        assert 1 <= len(told.headline) <= 2, where
        if state.summary["assurance_icon"]:
            assert state.summary["target_words"], where
        details = " ".join(state.summary["details"])
        assert " of 3 points close" not in details, where
    checked = 0
    for state in demo:
        page = _figure_styles(state.figure)
        small = _figure_styles(state.small_figure)
        assert page == small, (state.site.code, state.measure.code)
        pack = _pack_chart(state, state.measure)
        if pack is None:
            continue
        special = {
            (d.isoformat(), m.color, m.symbol)
            for d, m, v in zip(pack.dates, pack.markers, pack.values, strict=True)
            if v is not None and m.name.startswith("Special cause")
        }
        assert special == page, (state.site.code, state.measure.code)
        checked += len(page)
    assert checked > 50
    # Improvement is never drawn in the colour of concern, anywhere.
    improvement = {s.color for k, s in style.POINT_STYLES.items() if "improvement" in k}
    concern = {s.color for k, s in style.POINT_STYLES.items() if "concern" in k}
    assert improvement.isdisjoint(concern)
