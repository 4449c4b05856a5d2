"""The pictures are pure functions of a snapshot: no database needed."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from toolkit.analysis import svg

NS = "{http://www.w3.org/2000/svg}"

FISHBONE = {
    "title": "Late first contact",
    "problem": "Families wait 45 days for first contact",
    "who": "Families",
    "when": "Since March",
    "where": "SPA",
    "categories": [
        {"name": "People", "causes": [{"text": "Admin vacancy", "sub_causes": ["Hiring freeze"]}]},
        {"name": "Methods", "causes": [{"text": "Weekly triage", "sub_causes": []}]},
        {"name": "Equipment", "causes": []},
    ],
}

PROCESS = {
    "title": "Referral",
    "lanes": [{"name": "Admin", "kind": "team"}, {"name": "Clinicians", "kind": "team"}],
    "steps": [
        {"id": 10, "kind": "start", "label": "Referral in", "lane": "Admin"},
        {
            "id": 11,
            "kind": "activity",
            "label": "Triage",
            "lane": "Clinicians",
            "duration": "2 days",
            "bottleneck": True,
        },
        {"id": 12, "kind": "decision", "label": "Urgent?", "lane": "Clinicians"},
        {"id": 13, "kind": "wait", "label": "Waiting list", "lane": "Admin"},
        {"id": 14, "kind": "end", "label": "Seen", "lane": "Clinicians"},
    ],
    "arrows": [
        {"from": 10, "to": 11, "label": ""},
        {"from": 11, "to": 12, "label": ""},
        {"from": 12, "to": 14, "label": "yes"},
        {"from": 12, "to": 13, "label": "no"},
        {"from": 13, "to": 14, "label": ""},
    ],
}


def texts(markup: str) -> list[str]:
    root = ET.fromstring(markup)
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_wrap_breaks_long_labels_and_marks_what_it_cuts():
    lines = svg.wrap("word " * 40, width=20, max_lines=3)
    assert len(lines) == 3
    assert all(len(line) <= 20 for line in lines)
    assert lines[-1].endswith("…")


def test_every_picture_is_well_formed_and_labelled_for_assistive_technology():
    snapshots = {
        "fishbone": FISHBONE,
        "five-whys": {"title": "t", "problem": "p", "links": [], "root_causes": []},
        "process-map": PROCESS,
        "swot": {"title": "t", "items": {}},
        "priority-matrix": {"title": "t", "method": "impact_effort", "options": []},
    }
    for slug, snapshot in snapshots.items():
        root = ET.fromstring(svg.draw(slug, snapshot, ident="pic"))
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == "pic-title pic-desc"
        assert root.find(f"{NS}title").get("id") == "pic-title"
        assert root.find(f"{NS}desc").text


def test_text_is_escaped_so_user_input_cannot_inject_markup():
    snapshot = copy.deepcopy(FISHBONE)
    snapshot["categories"][0]["causes"][0]["text"] = '<script>alert("x")</script> & more'
    markup = svg.fishbone(snapshot)
    assert "<script>" not in markup
    assert '<script>alert("x")</script> & more' in " ".join(texts(markup))


def test_fishbone_draws_categories_causes_subcauses_and_the_problem_as_text():
    labels = " ".join(texts(svg.fishbone(FISHBONE)))
    for expected in (
        "People",
        "Methods",
        "Equipment",
        "Admin vacancy",
        "Hiring freeze",
        "Weekly triage",
        "Families wait 45 days",
        "When: Since March",
    ):
        assert expected in labels


def test_fishbone_picture_changes_with_its_data():
    before = svg.fishbone(FISHBONE)
    changed = copy.deepcopy(FISHBONE)
    changed["categories"][2]["causes"].append({"text": "Old PDF form", "sub_causes": []})
    after = svg.fishbone(changed)
    assert "Old PDF form" not in before
    assert "Old PDF form" in " ".join(texts(after))


def test_process_layout_orders_columns_by_the_arrows_and_rows_by_lane():
    layout = svg.process_layout(PROCESS)
    column = layout["column"]
    assert column[10] < column[11] < column[12] < column[13] < column[14]
    assert layout["rows"] == ["Admin", "Clinicians"]
    assert layout["row"][10] == 0
    assert layout["row"][11] == 1


def test_process_layout_survives_a_loop_back():
    looped = copy.deepcopy(PROCESS)
    looped["arrows"].append({"from": 13, "to": 11, "label": "re-triage"})
    layout = svg.process_layout(looped)
    assert set(layout["column"]) == {10, 11, 12, 13, 14}
    assert "re-triage" in " ".join(texts(svg.process_map(looped)))


def test_process_map_draws_steps_arrow_labels_durations_and_bottlenecks_in_words():
    markup = svg.process_map(PROCESS)
    labels = " ".join(texts(markup))
    for expected in ("Referral in", "Urgent?", "yes", "no", "2 days", "Bottleneck", "Admin"):
        assert expected in labels
    root = ET.fromstring(markup)
    assert len(root.findall(f"{NS}path")) == len(PROCESS["arrows"])
    assert len(root.findall(f"{NS}polygon")) == 1  # the decision diamond


def test_process_steps_sharing_a_lane_and_column_do_not_overlap():
    branching = {
        "steps": [
            {"id": 1, "kind": "decision", "label": "Urgent?"},
            {"id": 2, "kind": "activity", "label": "Yes path"},
            {"id": 3, "kind": "activity", "label": "No path"},
        ],
        "arrows": [{"from": 1, "to": 2, "label": "yes"}, {"from": 1, "to": 3, "label": "no"}],
    }
    layout = svg.process_layout(branching)
    assert layout["column"][2] == layout["column"][3]
    assert layout["stack"][2] != layout["stack"][3]


def test_quick_wins_are_high_impact_for_low_effort():
    assert svg.quadrant_name(5, 1) == "Quick wins"
    assert svg.quadrant_name(4, 3) == "Quick wins"
    assert svg.quadrant_name(4, 4) == "Major projects"
    assert svg.quadrant_name(3, 1) == "Fill-ins"
    assert svg.quadrant_name(2, 5) == "Thankless tasks"
    assert svg.quadrant_name(None, 2) == "Not scored"


def test_impact_effort_picture_names_the_quick_wins():
    snapshot = {
        "title": "m",
        "method": "impact_effort",
        "options": [
            {"name": "Daily triage", "impact": 5, "effort": 2, "scores": {}},
            {"name": "New IT system", "impact": 4, "effort": 5, "scores": {}},
        ],
    }
    markup = svg.priority_matrix(snapshot)
    assert "Quick wins: Daily triage." in markup  # in <desc>
    assert "Quick wins" in texts(markup)


def test_weighted_ranking_multiplies_scores_by_weights_and_ranks_best_first():
    snapshot = {
        "criteria": [{"name": "Benefit", "weight": 5}, {"name": "Cost", "weight": 1}],
        "options": [
            {"name": "A", "scores": {"Benefit": 2, "Cost": 5}},  # 15
            {"name": "B", "scores": {"Benefit": 4, "Cost": 1}},  # 21
            {"name": "C", "scores": {"Benefit": 3}},  # 15, Cost missing
        ],
    }
    ranking = svg.weighted_ranking(snapshot)
    assert next((r["name"], r["total"], r["rank"]) for r in ranking) == ("B", 21, 1)
    assert next(r for r in ranking if r["name"] == "C")["missing"] == ["Cost"]


def test_five_whys_picture_shows_each_why_and_the_root_cause():
    snapshot = {
        "title": "t",
        "problem": "Letters late",
        "links": [{"why": f"Why {n}?", "answer": f"Answer {n}"} for n in range(1, 4)],
        "root_causes": ["No owner for procedures"],
    }
    labels = " ".join(texts(svg.five_whys(snapshot)))
    assert "Why 3? Why 3?" in labels
    assert "Because Answer 2" in labels
    assert "No owner for procedures" in labels


def test_swot_picture_puts_items_in_their_quadrant_with_priority_in_words():
    snapshot = {
        "title": "t",
        "items": {
            "S": [{"id": 1, "text": "Keen team", "priority": 1}],
            "T": [{"id": 2, "text": "Funding cut", "priority": 3}],
        },
    }
    labels = texts(svg.swot(snapshot))
    assert "Strengths (1)" in labels
    assert "Opportunities (0)" in labels
    assert "[High] Keen team" in labels
    assert "[Low] Funding cut" in labels


def test_shorten_cuts_between_words_with_an_ellipsis():
    text = "Use the strong referral relationships with schools to reach families"
    short = svg.shorten(text, 40)
    assert len(short) <= 40
    assert short.endswith("…")
    assert short.removesuffix("…") == text[: len(short) - 1].rstrip()
    assert text.startswith(short.removesuffix("…"))
    assert text[len(short) - 1] == " "  # the cut fell between two words


def test_wrap_ends_a_long_text_after_a_whole_word():
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    lines = svg.wrap(text, 12, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(f" {word} " in f" {text} " for word in lines[-1].removesuffix("…").split())
