"""The SVG helper: escaped real text, wrapped labels, accessible names; no database."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from toolkit.improvement import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(markup: str) -> list[str]:
    root = parse(markup)
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_wrap_splits_long_labels_and_marks_a_cut_with_an_ellipsis():
    lines = svg.wrap("one two three four five six seven eight nine ten", 10, 2)
    assert len(lines) == 2
    assert all(len(line) <= 10 for line in lines)
    assert lines[-1].endswith("…")


def test_text_is_escaped_so_markup_in_labels_cannot_inject_elements():
    markup = svg.driver_diagram(ident="d1", aim='<script>alert("x")</script> & more', primaries=[])
    root = parse(markup)  # well-formed XML
    assert root.find(f".//{NS}script") is None
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup


def test_picture_has_img_role_title_and_description_named_by_aria_labelledby():
    root = parse(svg.driver_diagram(ident="dd-7", aim="Aim", primaries=[]))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "dd-7-title dd-7-desc"
    assert root.find(f"{NS}title").get("id") == "dd-7-title"
    assert "Aim" in root.find(f"{NS}desc").text


def test_driver_diagram_draws_four_columns_and_a_line_per_parent_child_link():
    idea = svg.TreeNode("Triage call within 48 hours", note="PDSA: 1 adapt")
    secondary = svg.TreeNode("Early conversation", [idea])
    primaries = [svg.TreeNode("Right support first time", [secondary]), svg.TreeNode("Lone")]
    markup = svg.driver_diagram(ident="d", aim="Cut waits", primaries=primaries)
    labels = " ".join(texts(markup))
    for column in svg.COLUMN_TITLES:
        assert column in labels
    assert "PDSA: 1 adapt" in labels
    # aim->2 primaries, primary->secondary, secondary->idea
    assert len(parse(markup).findall(f".//{NS}path")) == 4
    assert len(parse(markup).findall(f".//{NS}rect")) == 5


def test_long_node_text_is_wrapped_into_several_tspans():
    long = "A very long driver description that certainly needs more than one line to show"
    markup = svg.driver_diagram(ident="d", aim="Aim", primaries=[svg.TreeNode(long)])
    spans = [t for t in parse(markup).iter(f"{NS}tspan") if t.text and "driver" in t.text]
    assert spans
    node_text = [t for t in parse(markup).iter(f"{NS}text") if "very long" in "".join(t.itertext())]
    assert len(list(node_text[0])) >= 3


def test_ramp_marks_the_current_cycle_in_words_not_only_by_outline():
    steps = [
        svg.RampStep(1, "First", "Act", "Adapt"),
        svg.RampStep(2, "Second", "Do", current=True),
    ]
    labels = texts(svg.pdsa_ramp(ident="r", steps=steps, heading="Ramp"))
    assert "Act: Adapt" in labels
    assert "Do (this cycle)" in labels


def test_line_chart_labels_each_point_with_its_value_and_date():
    markup = svg.line_chart(
        ident="t",
        title="Total",
        points=[("1 Jan", 41.8), ("1 Apr", 62)],
        y_max=100,
        y_label="Score",
    )
    labels = texts(markup)
    assert "41.8" in labels
    assert "62" in labels
    assert "1 Apr" in labels
    assert re.search(r"1 Jan: 41.8; 1 Apr: 62", markup)


def test_paired_bars_write_counts_in_words_with_singular_and_plural():
    markup = svg.paired_bars(
        ident="p",
        title="T",
        rows=[("Accessibility", 1, 2)],
        labels=(("facilitator", "facilitators"), ("barrier", "barriers")),
    )
    labels = texts(markup)
    assert "1 facilitator" in labels
    assert "2 barriers" in labels


def test_a_long_ramp_heading_wraps_inside_the_picture_and_is_not_clipped():
    heading = (
        "Ramp of cycles: Triage call by a clinician on the duty line within two working days "
        "of referral"
    )
    steps = [svg.RampStep(number=1, title="First test", stage="Plan", current=True)]
    markup = svg.pdsa_ramp(ident="r", steps=steps, heading=heading)
    root = parse(markup)
    width = float(root.get("width"))
    heading_text = root.find(f"{NS}text")
    lines = ["".join(span.itertext()) for span in heading_text]
    assert " ".join(lines) == heading
    assert max(len(line) for line in lines) * 8 <= width
