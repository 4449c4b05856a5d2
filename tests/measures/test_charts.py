"""Tests for measures.charts.figures: plotly figure dicts, summaries in words, CSV rows.

Pure: no database, no Django.  The statistics come from measures.spc (tested in
test_spc.py); these tests check that the figure and the words show them
faithfully and never by colour alone.
"""

import datetime as dt
import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from measures.charts.figures import (
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_PASS,
    CSV_HEADER,
    ICON_FILES,
    ICON_LABELS,
    VARIATION_COMMON_CAUSE,
    VARIATION_CONCERN_HIGH,
    VARIATION_IMPROVEMENT_LOW,
    VARIATION_TOO_FEW,
    Annotation,
    build_figure,
    chart_csv_rows,
    chart_summary,
    small_multiple_figure,
)
from measures.spc import analyse

STATIC = Path(__file__).resolve().parents[2] / "static"
MONDAY = dt.date(2025, 1, 6)

# 12 weeks around 30, then 7 weeks lower: with improvement "decrease" the
# last 7 points are a Making Data Count shift below the mean (improvement).
SHIFT_DOWN = [30, 32, 29, 31, 33, 30, 28, 31, 32, 30, 29, 31, 25, 24, 26, 25, 24, 26, 25]
# As above with a spike: week 14 (45) is above the upper limit, a concern when
# lower is better, and the 7 low weeks after it are an improvement.
SPIKE_THEN_SHIFT = [30, 32, 29, 31, 33, 30, 28, 31, 32, 30, 29, 31, 30, 45]
SPIKE_THEN_SHIFT += [25, 24, 26, 25, 24, 26, 25]
# A stable process around 10 whose limits are about 6.8 to 13.6.
STABLE = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 11, 10]


def weeks(n, start=MONDAY):
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def traces(fig, name):
    return [t for t in fig["data"] if t["name"] == name]


def trace(fig, name):
    (found,) = traces(fig, name)
    return found


def figure(values, *, chart="xmr", rules="mdc", improvement="decrease", **kwargs):
    analyse_kwargs = {k: kwargs.pop(k) for k in ("parts", "exclude", "denominators") if k in kwargs}
    result = analyse(values, chart=chart, rules=rules, improvement=improvement, **analyse_kwargs)
    dates = kwargs.pop("dates", None) or weeks(len(values))
    fig = build_figure(
        result=result,
        dates=dates,
        title=kwargs.pop("title", "Days to first contact"),
        unit_label=kwargs.pop("unit_label", "days"),
        improvement=improvement,
        **kwargs,
    )
    return result, dates, fig


# ---------------------------------------------------------------------------
# Traces
# ---------------------------------------------------------------------------


def test_xmr_figure_has_values_mean_and_dashed_process_limits():
    _, _, fig = figure(SHIFT_DOWN)
    names = [t["name"] for t in fig["data"]]
    assert names[:2] == ["Value", "Mean"]
    upper, lower = traces(fig, "Process limits")
    assert upper["line"]["dash"] == lower["line"]["dash"] == "dash"
    assert upper["y"][0] > trace(fig, "Mean")["y"][0] > lower["y"][0]
    # One legend entry for the pair.
    assert [upper["showlegend"], lower["showlegend"]] == [True, False]


def test_run_chart_has_median_and_no_limit_traces():
    _, _, fig = figure(SHIFT_DOWN, chart="run", rules="anhoej")
    names = {t["name"] for t in fig["data"]}
    assert "Median" in names
    assert "Mean" not in names
    assert not names & {"Process limits", "Near limits"}
    assert "upper process limit" not in json.dumps(fig).lower()


def test_near_limits_are_drawn_but_hidden_until_chosen_in_the_legend():
    _, _, fig = figure(SHIFT_DOWN)
    near = traces(fig, "Near limits")
    assert len(near) == 2
    assert all(t["visible"] == "legendonly" for t in near)


def test_show_limits_false_hides_process_limits():
    _, _, fig = figure(SHIFT_DOWN, show_limits=False)
    assert not traces(fig, "Process limits")
    assert traces(fig, "Mean")


def test_missing_weeks_are_none_gaps_in_the_value_line():
    values = list(SHIFT_DOWN)
    values[4] = None
    _, dates, fig = figure(values)
    line = trace(fig, "Value")
    assert line["y"][4] is None
    assert line["connectgaps"] is False
    assert line["x"][4] == dates[4].isoformat()
    assert "No data" in line["hovertext"][4]


def test_weeks_left_out_of_the_dates_break_the_line():
    dates = weeks(len(SHIFT_DOWN))
    dates[10:] = [d + dt.timedelta(weeks=3) for d in dates[10:]]  # 3 weeks never reported
    _, _, fig = figure(SHIFT_DOWN, dates=dates)
    line = trace(fig, "Value")
    assert len(line["y"]) == len(SHIFT_DOWN) + 1
    assert line["y"][10] is None
    assert line["y"][11] == SHIFT_DOWN[10]


def test_centre_line_steps_per_part_without_joining_parts():
    _, dates, fig = figure(SHIFT_DOWN, parts=[12])
    mean = trace(fig, "Mean")
    # A None before the first point of part 2 breaks the line.
    assert mean["y"][12] is None
    assert mean["x"][12] == dates[12].isoformat()
    assert mean["y"][11] == pytest.approx(sum(SHIFT_DOWN[:12]) / 12)
    assert mean["y"][13] == pytest.approx(sum(SHIFT_DOWN[12:]) / 7)


def test_flagged_points_carry_their_rule_in_hover_text():
    result, _, fig = figure(SHIFT_DOWN)
    improvement = trace(fig, "Special cause: improvement")
    assert len(improvement["x"]) == 7
    for text in improvement["hovertext"]:
        assert "7 points below the mean since 31 Mar 2025 (shift)" in text
        assert "special cause, improvement" in text
    # The value line says the same on hover, and unflagged points say common cause.
    hover = trace(fig, "Value")["hovertext"]
    assert hover[-1].startswith("w/c 12 May 2025<br>25 days<br>")
    assert "Common cause variation" in hover[0]


def test_improvement_and_concern_use_different_symbols_not_only_colours():
    _, _, fig = figure(SPIKE_THEN_SHIFT)
    improvement = trace(fig, "Special cause: improvement")
    concern = trace(fig, "Special cause: concern")
    assert set(improvement["marker"]["symbol"]) == {"triangle-down"}  # lower is better
    assert set(concern["marker"]["symbol"]) == {"diamond"}
    assert improvement["marker"]["color"] != concern["marker"]["color"]
    assert concern["hovertext"][0].count("Above the upper limit") == 1


def test_signals_without_an_improvement_direction_are_purple_squares():
    _, _, fig = figure(SHIFT_DOWN, improvement=None)
    (neither,) = [t for t in fig["data"] if t["name"].startswith("Special cause: neither")]
    assert set(neither["marker"]["symbol"]) == {"square"}
    assert not traces(fig, "Special cause: improvement")


def test_excluded_points_are_hollow_grey_crosses():
    _, dates, fig = figure(SHIFT_DOWN, exclude=[3])
    excluded = trace(fig, "Excluded from calculations")
    assert excluded["x"] == [dates[3].isoformat()]
    assert excluded["marker"]["symbol"] == "x-open"
    assert "excluded from the calculations" in excluded["hovertext"][0]


# ---------------------------------------------------------------------------
# Annotations and target
# ---------------------------------------------------------------------------


def test_pdsa_cycle_is_a_shaded_band_with_a_label():
    dates = weeks(len(SHIFT_DOWN))
    pdsa = Annotation(dates[8], "Triage huddle", "pdsa", end=dates[11])
    _, _, fig = figure(SHIFT_DOWN, annotations=[pdsa])
    (band,) = fig["layout"]["shapes"]
    assert band["type"] == "rect"
    assert (band["x0"], band["x1"]) == ("2025-03-03", "2025-03-24")
    assert (band["yref"], band["y0"], band["y1"]) == ("paper", 0, 1)
    assert band["opacity"] < 0.3
    (label,) = fig["layout"]["annotations"]
    assert label["text"] == "PDSA: Triage huddle"
    assert label["x"] == "2025-03-03"


def test_rebase_is_a_dashed_vertical_line_with_its_reason():
    dates = weeks(len(SHIFT_DOWN))
    rebase = Annotation(dates[12], "new referral form", "rebase")
    _, _, fig = figure(SHIFT_DOWN, parts=[12], annotations=[rebase])
    (line,) = fig["layout"]["shapes"]
    assert line["type"] == "line"
    assert line["x0"] == line["x1"] == dates[12].isoformat()
    assert line["line"]["dash"] == "dash"
    assert fig["layout"]["annotations"][0]["text"] == "Rebased: new referral form"


def test_note_points_at_the_value_of_its_week():
    dates = weeks(len(SHIFT_DOWN))
    note = Annotation(dates[5], "IT outage", "note")
    _, _, fig = figure(SHIFT_DOWN, annotations=[note])
    (label,) = fig["layout"]["annotations"]
    assert (label["x"], label["y"], label["yref"]) == (dates[5].isoformat(), 30, "y")
    assert label["showarrow"] is True
    assert label["hovertext"] == "Note: IT outage"


def test_target_is_a_dotted_line_labelled_target():
    _, dates, fig = figure(SHIFT_DOWN, target=28)
    target = trace(fig, "Target: 28 days")
    assert target["y"] == [28, 28]
    assert target["x"] == [dates[0].isoformat(), dates[-1].isoformat()]
    assert target["line"]["dash"] == "dot"
    assert any(a["text"] == "Target: 28 days" for a in fig["layout"]["annotations"])


def test_user_text_cannot_inject_markup_into_the_chart():
    dates = weeks(len(SHIFT_DOWN))
    note = Annotation(dates[2], "<b>waits</b> & <script>", "note")
    _, _, fig = figure(SHIFT_DOWN, title="A <i>title</i>", annotations=[note])
    text = json.dumps(fig)
    assert "<script>" not in text
    assert "<i>" not in text
    assert fig["layout"]["title"]["text"] == "A &lt;i&gt;title&lt;/i&gt;"


def test_annotation_kind_must_be_known():
    with pytest.raises(ValueError, match="kind"):
        Annotation(MONDAY, "x", "party")


# ---------------------------------------------------------------------------
# Layout and validity
# ---------------------------------------------------------------------------


def test_figure_is_valid_for_plotly_and_plain_json():
    dates = weeks(len(SPIKE_THEN_SHIFT))
    annotations = [
        Annotation(dates[2], "cycle 1", "pdsa", end=dates[5]),
        Annotation(dates[14], "new pathway", "rebase"),
        Annotation(dates[6], "bank holiday", "note"),
        Annotation(dates[13], "data error", "exclusion"),
    ]
    values = list(SPIKE_THEN_SHIFT)
    values[3] = None
    _, _, fig = figure(values, exclude=[13], parts=[14], target=27, annotations=annotations)
    go.Figure(fig)  # raises on any property plotly does not know
    assert json.loads(json.dumps(fig)) == fig


def test_layout_is_accessible_and_hovers_on_the_nearest_point():
    _, _, fig = figure(SHIFT_DOWN)
    layout = fig["layout"]
    assert layout["hovermode"] == "closest"
    assert layout["font"]["size"] >= 14
    assert layout["xaxis"]["type"] == "date"
    assert layout["yaxis"]["title"]["text"] == "days"
    assert layout["legend"]["orientation"] == "h"
    assert layout["meta"]["filename"] == "days-to-first-contact"


def test_small_multiple_is_compact_with_a_warning_badge():
    result = analyse(SHIFT_DOWN, chart="xmr", rules="mdc", improvement="decrease")
    fig = small_multiple_figure(
        result=result,
        dates=weeks(len(SHIFT_DOWN)),
        site_name="North Gate",
        unit_label="days",
        improvement="decrease",
        warning="Definition differs",
    )
    go.Figure(fig)
    layout = fig["layout"]
    assert layout["showlegend"] is False
    assert layout["title"]["text"] == "North Gate"
    assert layout["margin"]["t"] <= 40
    assert [a["text"] for a in layout["annotations"]] == ["Definition differs"]
    assert not traces(fig, "Near limits")
    assert traces(fig, "Special cause: improvement")


def test_dates_must_match_points():
    result = analyse(SHIFT_DOWN, chart="xmr", rules="mdc")
    with pytest.raises(ValueError, match="one date per point"):
        build_figure(result=result, dates=weeks(3), title="t", unit_label="", improvement=None)


# ---------------------------------------------------------------------------
# Summary in words and icons
# ---------------------------------------------------------------------------


def summary(values, *, improvement="decrease", target=None, chart="xmr", rules="mdc"):
    result = analyse(values, chart=chart, rules=rules, improvement=improvement)
    return chart_summary(
        result=result,
        dates=weeks(len(values)),
        improvement=improvement,
        target=target,
        measure_name="Days to first contact",
        unit_label="days",
    )


def test_summary_of_seven_points_below_the_mean_is_special_cause_improvement():
    s = summary(SHIFT_DOWN, target=28)
    assert s.sentences == [
        "Days to first contact: latest value 25 days (w/c 12 May 2025).",
        "7 points below the mean since 31 Mar 2025 (shift): special cause, improvement.",
        "Variation: special cause improvement (lower values).",
        "Assurance: hit and miss; the target of 28 days will sometimes be met and sometimes not.",
    ]
    assert s.variation_icon == VARIATION_IMPROVEMENT_LOW
    assert s.assurance_icon == ASSURANCE_HIT_AND_MISS
    assert s.latest_signal == s.sentences[1]
    assert (s.last_value, s.last_date) == (25, dt.date(2025, 5, 12))
    assert s.variation_file == "img/mdc/variation-improvement-low.svg"


def test_same_shift_is_a_concern_when_higher_is_better():
    s = summary(SHIFT_DOWN, improvement="increase")
    assert "special cause, concern" in s.latest_signal
    assert s.variation_icon == "special_cause_concern_low"


def test_spike_above_the_limit_is_concern_high_when_it_is_the_latest_point():
    s = summary(SPIKE_THEN_SHIFT[:14])
    assert s.variation_icon == VARIATION_CONCERN_HIGH
    assert s.latest_signal.startswith("Point above the upper limit on 7 Apr 2025")


@pytest.mark.parametrize(
    ("improvement", "target", "icon", "words"),
    [
        ("increase", 5, ASSURANCE_PASS, "the target of 5 days is consistently met."),
        ("decrease", 5, ASSURANCE_FAIL, "the target of 5 days is consistently not met."),
        ("increase", 10, ASSURANCE_HIT_AND_MISS, "hit and miss"),
    ],
)
def test_assurance_words_and_icons(improvement, target, icon, words):
    s = summary(STABLE, improvement=improvement, target=target)
    assert s.assurance_icon == icon
    assert words in s.sentences[-1]
    assert s.sentences[-1].startswith("Assurance: ")
    assert s.variation_icon == VARIATION_COMMON_CAUSE
    assert s.latest_signal is None


def test_run_chart_target_is_not_judged_for_assurance():
    s = summary(SHIFT_DOWN, improvement="increase", target=10, chart="run", rules="anhoej")
    assert s.assurance_icon is None
    assert s.sentences[-1] == (
        "Assurance: not judged against the target of 10 days (a run chart has no process limits)."
    )


def test_too_few_points_claims_neither_variation_nor_assurance():
    s = summary(SHIFT_DOWN[:8], target=28)
    assert s.variation_icon == VARIATION_TOO_FEW
    assert s.assurance_icon is None
    assert s.latest_signal is None
    assert "Variation: too few points to judge." in s.sentences


def test_every_icon_has_an_accessible_svg_with_a_title_and_words():
    assert set(ICON_FILES) == set(ICON_LABELS)
    for key, path in ICON_FILES.items():
        svg = (STATIC / path).read_text()
        title = re.search(r"<title[^>]*>([^<]+)</title>", svg)
        assert title, path
        assert title.group(1) == ICON_LABELS[key]
        assert 'role="img"' in svg
    # Direction is told by letter, not only by colour.
    assert ">H</text>" in (STATIC / ICON_FILES["special_cause_improvement_high"]).read_text()
    assert ">L</text>" in (STATIC / ICON_FILES["special_cause_concern_low"]).read_text()


# ---------------------------------------------------------------------------
# CSV rows
# ---------------------------------------------------------------------------


def test_csv_rows_line_up_with_points():
    values = list(SHIFT_DOWN)
    values[2] = None
    result = analyse(values, chart="xmr", rules="mdc", improvement="decrease", exclude=[4])
    dates = weeks(len(values))
    note = Annotation(dates[5] + dt.timedelta(days=2), "IT outage", "note")
    rows = chart_csv_rows(result=result, dates=dates, annotations=[note])
    assert rows[0] == CSV_HEADER
    assert len(rows) == len(values) + 1
    by_col = [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]
    for row, point, date in zip(by_col, result.points, dates, strict=True):
        assert row["week"] == date.isoformat()
        assert row["value"] == ("" if point.value is None else pytest.approx(point.value))
        assert row["centre"] == pytest.approx(point.centre)
        assert row["part"] == 1
    assert by_col[2]["value"] == ""
    assert by_col[2]["note"] == "no data"
    assert by_col[4]["excluded"] == "yes"
    assert by_col[5]["note"] == "Note: IT outage"
    assert by_col[-1]["signals"] == "shift"
    assert by_col[-1]["variation"] == "special_cause_improvement"
    json.dumps(rows)


def test_csv_run_chart_has_blank_limits_and_joins_signals_with_semicolons():
    result = analyse(SPIKE_THEN_SHIFT, chart="xmr", rules="mdc", improvement="decrease")
    rows = chart_csv_rows(result=result, dates=weeks(len(SPIKE_THEN_SHIFT)))
    assert rows[16][CSV_HEADER.index("signals")] == "outside_limits;shift"
    run = analyse(SHIFT_DOWN, chart="run")
    run_rows = chart_csv_rows(result=run, dates=weeks(len(SHIFT_DOWN)))
    assert {r[CSV_HEADER.index("upper")] for r in run_rows[1:]} == {""}
