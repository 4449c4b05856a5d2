"""Tests for measures.charts.figures: plotly figure dicts, what is marked on them, CSV rows.

Pure: no database, no Django.  The statistics come from measures.spc (tested in
test_spc.py); these tests check that the figure and the words show them
faithfully and never by colour alone; test_chart_words.py checks the words.
"""

import datetime as dt
import json

import plotly.graph_objects as go
import pytest

from measures.charts import style
from measures.charts.figures import (
    CSV_HEADER,
    LANE_PX,
    MIN_PLOT_PX,
    Annotation,
    annotation_key,
    build_figure,
    chart_csv_rows,
    small_multiple_figure,
)
from measures.spc import analyse

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
    _result, _, fig = figure(SHIFT_DOWN)
    improvement = trace(fig, "Special cause: improvement")
    assert len(improvement["x"]) == 7
    for text in improvement["hovertext"]:
        assert "Lower than usual for 7 weeks, since 31 Mar 2025 (shift)" in text
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
    assert concern["hovertext"][0].count("Above the upper process limit") == 1


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


def markers(fig):
    return [a for a in fig["layout"]["annotations"] if a.get("name", "").startswith("marker-")]


def test_pdsa_cycle_is_a_shaded_band_with_a_lettered_marker_and_its_title_on_hover():
    dates = weeks(len(SHIFT_DOWN))
    pdsa = Annotation(
        dates[8], "Triage huddle", "pdsa", end=dates[11], label="PDSA 2", outcome="adopt"
    )
    _, _, fig = figure(SHIFT_DOWN, annotations=[pdsa])
    (band,) = fig["layout"]["shapes"]
    assert band["type"] == "rect"
    assert (band["x0"], band["x1"]) == ("2025-03-03 00:00", "2025-03-24 00:00")
    assert (band["yref"], band["y0"], band["y1"]) == ("paper", 0, 1)
    assert band["opacity"] < 0.3
    assert band["fillcolor"] == style.PDSA_BAND["color"]
    (marker,) = markers(fig)
    assert marker["text"] == "A"
    assert marker["x"] == "2025-03-03 00:00"
    assert (marker["yref"], marker["y"], marker["yanchor"]) == ("paper", 1, "bottom")
    assert marker["hovertext"] == "A: 3 to 24 Mar 2025: PDSA 2: Triage huddle (adopted)"


def test_rebase_is_a_dashed_vertical_line_with_its_reason_on_hover():
    dates = weeks(len(SHIFT_DOWN))
    rebase = Annotation(dates[12], "new referral form", "rebase")
    _, _, fig = figure(SHIFT_DOWN, parts=[12], annotations=[rebase])
    (line,) = fig["layout"]["shapes"]
    assert line["type"] == "line"
    assert line["x0"] == line["x1"] == "2025-03-31 00:00"
    assert line["line"]["dash"] == "dash"
    (marker,) = markers(fig)
    assert marker["hovertext"] == "A: 31 Mar 2025: Limits recalculated: new referral form"


def test_note_is_a_dotted_line_with_a_marker_not_a_label_over_the_data():
    dates = weeks(len(SHIFT_DOWN))
    note = Annotation(dates[5], "IT outage", "note")
    _, _, fig = figure(SHIFT_DOWN, annotations=[note])
    (line,) = fig["layout"]["shapes"]
    assert line["line"]["dash"] == "dot"
    (marker,) = markers(fig)
    assert marker["yref"] == "paper"
    assert marker["hovertext"] == "A: 10 Feb 2025: Note: IT outage"
    assert all(a.get("yref") != "y" for a in fig["layout"]["annotations"])


def test_target_is_a_red_dashed_line_named_in_the_legend():
    _, dates, fig = figure(SHIFT_DOWN, target=28)
    target = trace(fig, "Target: 28 days")
    assert target["y"] == [28, 28]
    assert target["x"] == [dates[0].isoformat(), dates[-1].isoformat()]
    assert target["line"]["dash"] == "dash"
    assert target["line"]["color"] == style.TARGET["color"]
    # No label over the data: the legend names it.
    assert fig["layout"]["annotations"] == []


# ---------------------------------------------------------------------------
# Axes that fit the data
# ---------------------------------------------------------------------------


def test_time_axis_spans_the_data_whatever_is_marked_on_it():
    dates = weeks(len(SHIFT_DOWN))
    far = dates[-1] + dt.timedelta(weeks=80)
    annotations = [
        Annotation(dates[2], "a cycle running on for a year and a half", "pdsa", end=far),
        Annotation(dates[-1], "a note in the last week with a long, long text", "note"),
    ]
    _, _, fig = figure(SHIFT_DOWN, annotations=annotations, target=5)
    xaxis = fig["layout"]["xaxis"]
    assert xaxis["autorange"] is False
    start, end = (dt.datetime.fromisoformat(x) for x in xaxis["range"])
    assert start.date() < dates[0]
    assert end.date() > dates[-1]
    assert end - dt.datetime.combine(dates[-1], dt.time()) <= dt.timedelta(days=4)
    assert dt.datetime.combine(dates[0], dt.time()) - start <= dt.timedelta(days=4)
    # The cycle is drawn to the edge and says it goes on.
    band = fig["layout"]["shapes"][0]
    assert band["x1"] == xaxis["range"][1]
    (cycle, _note) = markers(fig)
    assert cycle["text"] == "A\u2192"
    assert "continues after the last week shown" in cycle["hovertext"]


def test_markers_close_together_go_in_lanes_that_never_overlap():
    dates = weeks(52)
    values = [30 + (i % 5) for i in range(52)]
    annotations = [
        Annotation(dates[10], "cycle one", "pdsa", end=dates[20]),
        Annotation(dates[10], "rebase on the same week", "rebase"),
        Annotation(dates[11], "a note the week after", "note"),
        Annotation(dates[30], "far away", "note"),
    ] + [Annotation(dates[40] + dt.timedelta(days=i), f"note {i}", "note") for i in range(28)]
    result = analyse(values, chart="xmr", rules="mdc")
    key = annotation_key(annotations, dates)
    assert [e.marker for e in key][:4] == ["A", "B", "C", "D"]
    assert key[-1].marker == "AF"
    assert [e.lane for e in key][:4] == [0, 1, 2, 0]
    # Boxes on the narrowest plot planned for: none overlaps another in its lane.
    span = (dates[-1] - dates[0]).days + 7
    boxes = []
    for e in key:
        x0 = (e.annotation.date - dates[0]).days / span * MIN_PLOT_PX
        width = 8 * len(e.marker) + 10
        boxes.append((e.lane, x0, x0 + width))
    for i, (lane, a0, a1) in enumerate(boxes):
        for other_lane, b0, b1 in boxes[i + 1 :]:
            assert lane != other_lane or a1 <= b0 or b1 <= a0
    fig = build_figure(
        result=result,
        dates=dates,
        title="t",
        unit_label="",
        improvement=None,
        annotations=annotations,
    )
    lanes = max(e.lane for e in key) + 1
    assert fig["layout"]["margin"]["t"] >= 40 + lanes * LANE_PX
    assert {m["yshift"] for m in markers(fig)} == {3 + lane * LANE_PX for lane in range(lanes)}


def test_small_multiple_leaves_notes_out_but_keeps_the_letters_of_the_rest():
    dates = weeks(len(SHIFT_DOWN))
    annotations = [
        Annotation(dates[2], "a note", "note"),
        Annotation(dates[8], "cycle", "pdsa", end=dates[11]),
    ]
    result = analyse(SHIFT_DOWN, chart="xmr", rules="mdc", improvement="decrease")
    fig = small_multiple_figure(
        result=result, dates=dates, site_name="North", annotations=annotations
    )
    assert [m["text"] for m in markers(fig)] == ["B"]


def test_limits_are_drawn_within_natural_bounds_and_the_axis_stops_there():
    counts = [0, 1, 0, 2, 0, 1, 3, 0, 1, 0, 2, 1, 0, 1]
    result = analyse(counts, chart="xmr", rules="mdc")
    assert result.points[0].lower < 0  # computed below zero
    fig = build_figure(
        result=result,
        dates=weeks(len(counts)),
        title="Rejected",
        unit_label="",
        improvement=None,
        bounds=(0.0, None),
    )
    upper, lower = traces(fig, "Process limits")
    assert set(lower["y"]) == {0.0}
    assert "calculated" in lower["customdata"][0]
    assert "customdata" not in upper
    assert fig["layout"]["yaxis"]["range"][0] == 0.0
    rows = chart_csv_rows(result=result, dates=weeks(len(counts)), bounds=(0.0, None))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["lower"] == pytest.approx(result.points[0].lower)
    assert row["lower_drawn"] == 0.0
    assert row["upper_drawn"] == row["upper"]


def test_percentages_are_drawn_within_0_to_100():
    values = [97, 99, 100, 98, 99, 100, 96, 100, 99, 98, 100, 99]
    result = analyse(values, chart="xmr", rules="mdc")
    assert result.points[0].upper > 100
    fig = build_figure(
        result=result,
        dates=weeks(len(values)),
        title="Seen in time",
        unit_label="%",
        improvement=None,
        bounds=(0.0, 100.0),
    )
    upper, _ = traces(fig, "Process limits")
    assert max(v for v in upper["y"] if v is not None) == 100.0
    assert fig["layout"]["yaxis"]["range"][1] <= 100.0


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
    assert layout["title"]["text"] == ""  # the card's heading names the site
    assert layout["margin"]["t"] <= 40
    assert [a["text"] for a in layout["annotations"]] == ["Definition differs"]
    assert not traces(fig, "Near limits")
    assert traces(fig, "Special cause: improvement")


def test_dates_must_match_points():
    result = analyse(SHIFT_DOWN, chart="xmr", rules="mdc")
    with pytest.raises(ValueError, match="one date per point"):
        build_figure(result=result, dates=weeks(3), title="t", unit_label="", improvement=None)


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
    assert by_col[-1]["signal_direction"] == "lower"
    assert by_col[0]["signal_direction"] == ""
    json.dumps(rows)


def test_csv_run_chart_has_blank_limits_and_joins_signals_with_semicolons():
    result = analyse(SPIKE_THEN_SHIFT, chart="xmr", rules="mdc", improvement="decrease")
    rows = chart_csv_rows(result=result, dates=weeks(len(SPIKE_THEN_SHIFT)))
    assert rows[16][CSV_HEADER.index("signals")] == "outside_limits;shift"
    run = analyse(SHIFT_DOWN, chart="run")
    run_rows = chart_csv_rows(result=run, dates=weeks(len(SHIFT_DOWN)))
    assert {r[CSV_HEADER.index("upper")] for r in run_rows[1:]} == {""}


def test_a_provisional_week_is_a_hollow_point_outside_the_analysis():
    values = [*SHIFT_DOWN[:-1], None]  # the last week is analysed as missing
    result = analyse(values, chart="xmr", rules="mdc", improvement="decrease")
    dates = weeks(len(values))
    fig = build_figure(
        result=result,
        dates=dates,
        title="t",
        unit_label="days",
        improvement="decrease",
        provisional={len(values) - 1: 12.0},
    )
    (hollow,) = traces(fig, "Provisional (not a whole week yet)")
    assert hollow["x"] == [dates[-1].isoformat()]
    assert hollow["y"] == [12.0]
    assert hollow["marker"]["symbol"] == "circle-open"
    assert "left out of the rules" in hollow["hovertext"][0]
    rows = chart_csv_rows(result=result, dates=dates, provisional={len(values) - 1: 12.0})
    last = dict(zip(rows[0], rows[-1], strict=True))
    assert (last["value"], last["provisional"], last["signals"]) == (12.0, "yes", "")
    assert dict(zip(rows[0], rows[-2], strict=True))["provisional"] == "no"
