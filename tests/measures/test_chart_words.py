"""Tests for measures.charts.words: the headline, details and icons of a chart.

Pure: no database. The headline must agree with the Making Data Count icons, name the latest
signal and the adopted PDSA cycle that may explain it, and say what it means for the target;
the details give the latest three signals in words before the rule's name.
"""

import datetime as dt
import random
import re
from pathlib import Path

import pytest

from measures.charts.figures import Annotation, build_figure
from measures.charts.words import (
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_PASS,
    ICON_FILES,
    ICON_LABELS,
    VARIATION_COMMON_CAUSE,
    VARIATION_CONCERN_HIGH,
    VARIATION_CONCERN_LOW,
    VARIATION_IMPROVEMENT_LOW,
    VARIATION_TOO_FEW,
    chart_summary,
    point_labels,
    subject,
)
from measures.spc import analyse

STATIC = Path(__file__).resolve().parents[2] / "static"
MONDAY = dt.date(2025, 1, 6)
SHIFT_DOWN = [30, 32, 29, 31, 33, 30, 28, 31, 32, 30, 29, 31, 25, 24, 26, 25, 24, 26, 25]
SPIKE = [30, 32, 29, 31, 33, 30, 28, 31, 32, 30, 29, 31, 30, 45]
STABLE = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 11, 10]
BASELINE = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 11, 10, 9, 10, 11]


def weeks(n, start=MONDAY):
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def summary(values, *, improvement="decrease", target=None, chart="xmr", rules="mdc", **kw):
    annotations = kw.pop("annotations", ())
    result = analyse(values, chart=chart, rules=rules, improvement=improvement, **kw)
    return chart_summary(
        result=result,
        dates=weeks(len(values)),
        improvement=improvement,
        target=target,
        measure_name="Days to first contact (days)",
        unit_label="days",
        annotations=annotations,
    )


def agrees_with_icon(s) -> bool:
    """The first sentence of the headline says what the variation icon shows."""
    first = s.headline[0]
    icon = s.variation_icon
    if icon == VARIATION_TOO_FEW:
        return "too few" in first or first.startswith("No figures")
    if icon == VARIATION_COMMON_CAUSE:
        return "common cause" in first and not re.search(r"improvement|concern", first)
    kind = re.match(r"special_cause_(improvement|concern|neither)_(high|low)", icon)
    assert kind is not None, icon
    judged = {
        "improvement": "an improvement",
        "concern": "a concern",
        "neither": "neither improvement nor concern",
    }[kind.group(1)]
    way = r"higher|rising|high\b|upper" if kind.group(2) == "high" else r"lower|falling|low\b"
    return first.endswith(f": {judged}.") and re.search(way, first) is not None


def test_seven_weeks_below_the_mean_is_an_improvement_in_plain_words():
    s = summary(SHIFT_DOWN, target=28)
    assert s.headline == [
        "Days to first contact has been lower than usual for 7 weeks, since March 2025:"
        " an improvement."
    ]
    assert s.variation_icon == VARIATION_IMPROVEMENT_LOW
    assert s.latest == "Latest week: 25 days (w/c 12 May 2025)."
    assert s.details == [
        "Lower than usual for 7 weeks, since 31 Mar 2025: an improvement (shift: 7 or more"
        " points in a row below the mean)."
    ]
    assert s.latest_signal == s.details[0]
    assert s.assurance_icon == ASSURANCE_HIT_AND_MISS
    assert s.target.startswith("The target of 28 days will sometimes be met and sometimes not")
    assert (s.last_value, s.last_date) == (25, dt.date(2025, 5, 12))
    assert s.variation_file == "img/mdc/variation-improvement-low.svg"
    assert agrees_with_icon(s)


def test_same_shift_is_a_concern_when_higher_is_better():
    s = summary(SHIFT_DOWN, improvement="increase")
    assert s.variation_icon == VARIATION_CONCERN_LOW
    assert s.headline[0].endswith("lower than usual for 7 weeks, since March 2025: a concern.")
    assert agrees_with_icon(s)


def test_a_latest_point_above_the_limit_is_told_as_unusually_high():
    s = summary(SPIKE)
    assert s.variation_icon == VARIATION_CONCERN_HIGH
    assert s.headline[0] == (
        "Days to first contact was unusually high in the latest week (45 days), beyond its upper"
        " process limit: a concern."
    )
    assert s.details[0].startswith("Above the upper process limit on 7 Apr 2025: a concern")
    assert agrees_with_icon(s)


def test_headline_names_the_adopted_cycle_that_may_explain_the_signal():
    dates = weeks(len(SHIFT_DOWN))
    adopted = Annotation(
        dates[11], "Same-day triage", "pdsa", end=dates[15], label="PDSA 4", outcome="adopt"
    )
    adapted = Annotation(dates[12], "Text reminders", "pdsa", label="PDSA 5", outcome="adapt")
    s = summary(SHIFT_DOWN, annotations=[adopted, adapted])
    assert s.headline[1] == (
        "PDSA 4 \u2018Same-day triage\u2019 began on 24 Mar 2025 and was adopted; it may explain"
        " this."
    )
    assert s.cycle == "PDSA 4: Same-day triage"
    # Only adopted cycles, and only those near the signal, are named.
    assert len(summary(SHIFT_DOWN, annotations=[adapted]).headline) == 1
    after = Annotation(dates[-1] + dt.timedelta(weeks=1), "Later", "pdsa", outcome="adopt")
    assert len(summary(SHIFT_DOWN, annotations=[after]).headline) == 1
    long_before = Annotation(MONDAY - dt.timedelta(weeks=30), "Old", "pdsa", outcome="adopt")
    assert len(summary(SHIFT_DOWN, annotations=[long_before]).headline) == 1


def test_close_to_a_limit_counts_weeks_not_of_three():
    # Four weeks close to the upper limit, each pair within three weeks: once "4 of 3 points".
    values = [*BASELINE, 12.8, 11, 12.9, 9, 12.8, 11, 12.9, 9]
    s = summary(values, improvement="increase", freeze=18)
    assert s.details == [
        "Close to the upper limit in 4 weeks, from 12 May to 23 Jun 2025: an improvement (2 of 3"
        " points in a row close to a process limit)."
    ]
    assert not re.search(r"\b([3-9]|\d\d+) of 3\b", " ".join(s.sentences))
    assert s.headline[1] == (
        "The last unusual pattern ended in June 2025: close to the upper limit in 4 weeks, from"
        " 12 May to 23 Jun 2025 (an improvement)."
    )
    assert agrees_with_icon(s)


def test_details_give_the_latest_three_signals_then_how_many_earlier():
    values = []
    for k in range(6):
        values += [10, 9, 11, 10, 9, 11, 10, 30 if k else 10]
    s = summary(values)
    assert len(s.details) == 4
    assert s.details[-1] == "And 7 earlier signals."
    assert s.earlier == 7
    assert s.details[0].startswith("Above the upper process limit on 1 Dec 2025: a concern")
    assert s.details[1].startswith("Lower than usual for 7 weeks, from 13 Oct to 24 Nov 2025")


def test_points_outside_the_limits_on_one_side_are_one_signal():
    values = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 11, 10, 2, 3, 2, 4, 2, 3, 2, 2]
    s = summary(values, freeze=15)
    outside = [d for d in s.details if d.startswith("Below the lower process limit")]
    assert len(outside) == 1
    assert outside[0].startswith("Below the lower process limit in 8 weeks, since 21 Apr 2025")


def test_common_cause_after_a_run_chart_crossing_signal_says_a_change_is_likely():
    values = [1, 2, 3, 4, 5, 20, 21, 22, 23, 6, 7, 8, 9, 10]
    s = summary(values, chart="run", rules="anhoej", improvement=None)
    assert s.variation_icon == VARIATION_COMMON_CAUSE
    assert agrees_with_icon(s)
    assert s.headline[1] == (
        "Over the whole period since 6 Jan 2025, though: crossing the median only 3 times in 14"
        " weeks, fewer than the 4 expected by chance, so a sustained change is likely."
    )
    assert s.details[0].endswith("(Anhøj crossings rule).")


@pytest.mark.parametrize(
    ("improvement", "target", "icon", "words"),
    [
        ("increase", 5, ASSURANCE_PASS, "The target of 5 days is being met consistently"),
        ("decrease", 5, ASSURANCE_FAIL, "The target of 5 days is consistently not met"),
        ("increase", 10, ASSURANCE_HIT_AND_MISS, "hit and miss"),
    ],
)
def test_assurance_words_and_icons(improvement, target, icon, words):
    s = summary(STABLE, improvement=improvement, target=target)
    assert s.assurance_icon == icon
    assert words in s.target
    assert s.variation_icon == VARIATION_COMMON_CAUSE
    assert s.latest_signal is None
    assert s.details == []


def test_run_chart_target_is_not_judged_for_assurance():
    s = summary(SHIFT_DOWN, improvement="increase", target=10, chart="run", rules="anhoej")
    assert s.assurance_icon is None
    assert s.target == "The target of 10 days is not judged (a run chart has no process limits)."


def test_too_few_points_claims_neither_variation_nor_assurance():
    s = summary(SHIFT_DOWN[:8], target=28)
    assert s.variation_icon == VARIATION_TOO_FEW
    assert s.assurance_icon is None
    assert s.latest_signal is None
    assert s.headline == [
        "There are too few figures yet to judge Days to first contact: 8 weeks of figures off"
        " the centre line, and at least 10 are needed."
    ]
    assert agrees_with_icon(s)


def test_a_rebased_part_too_short_to_judge_says_so_in_the_details():
    values = [*SHIFT_DOWN, 20, 21, 19]
    s = summary(values, parts=[19])
    assert s.variation_icon == VARIATION_TOO_FEW
    assert s.details[-1].startswith("From 19 May 2025 there are too few figures to judge")


def test_hover_text_and_details_tell_the_same_finding():
    result = analyse(SHIFT_DOWN, chart="xmr", rules="mdc", improvement="decrease")
    fig = build_figure(
        result=result,
        dates=weeks(len(SHIFT_DOWN)),
        title="t",
        unit_label="days",
        improvement="decrease",
    )
    s = summary(SHIFT_DOWN)
    (improvement,) = [t for t in fig["data"] if t["name"] == "Special cause: improvement"]
    told = s.details[0].split(":")[0]
    assert all(told in text for text in improvement["hovertext"])


@pytest.mark.parametrize("rules", ["mdc", "anhoej", "ihi"])
def test_headline_agrees_with_the_icon_on_many_series(rules):
    rng = random.Random(13)
    chart = "run" if rules == "ihi" else "xmr"
    for _ in range(200):
        n = rng.randint(5, 60)
        level = rng.choice([0, 5, 40])
        values = [
            max(0, round(rng.gauss(level + 10, 3) + (6 if i > n * 0.7 else 0))) for i in range(n)
        ]
        improvement = rng.choice(["increase", "decrease", None])
        s = summary(values, chart=chart, rules=rules, improvement=improvement)
        assert agrees_with_icon(s), (values, improvement, s.variation_icon, s.headline)


def test_the_details_name_the_rule_and_the_date():
    y = [10.0, 11, 10, 11, 10, 11, 10, 11, 10, 11, 9, 9.5, 9, 9.5, 9, 9.5, 9]
    r = analyse(y, chart="xmr", rules="mdc", improvement="decrease")
    dates = [dt.date(2024, 11, 18) + dt.timedelta(weeks=i) for i in range(len(y))]
    s = chart_summary(result=r, dates=dates, improvement="decrease", measure_name="Waits")
    # mean = (105 + 64.5) / 17 = 9.97: the last 7 points are below it and
    # start at index 10, 27 Jan 2025 (18 Nov 2024 + 10 weeks).
    assert s.details[0].startswith(
        "Lower than usual for 7 weeks, since 27 Jan 2025: an improvement"
    )


def test_point_labels_give_hover_text():
    y = [4.0, 6.0] * 5 + [1, 2, 3, 4, 5, 6, 7]
    r = analyse(y, chart="xmr", rules="mdc", improvement="increase")
    labels = point_labels(r)
    assert labels[0] == "Common cause variation"
    assert labels[12].startswith("Part of a trend")
    assert "improvement" in labels[12]
    r = analyse([1, None, 2], chart="run", exclude=[2])
    assert point_labels(r)[1] == "No data"
    assert "excluded" in point_labels(r)[2]


def test_subject_drops_a_trailing_unit():
    assert subject("Median wait to first contact (days)") == "Median wait to first contact"
    assert subject("DNA rate (%)") == "DNA rate"
    assert subject("Referrals (under 18s) received") == "Referrals (under 18s) received"


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


def test_a_sustained_shift_after_an_adopted_cycle_offers_new_limits_from_its_start():
    values = [30, 32, 29, 31, 33, 30, 28, 31, 32, 30, 29, 31] + [24, 25, 23, 24, 26] * 3
    dates = weeks(len(values))
    cycle = Annotation(
        dates[10], "Same-day triage", "pdsa", label="PDSA 4", outcome="adopt", ref=42
    )
    s = summary(values, annotations=[cycle])
    assert s.rebase_offer == (dates[12], cycle)
    # Not for a short shift, nor without an adopted cycle.
    assert summary(SHIFT_DOWN, annotations=[cycle]).rebase_offer is None
    assert summary(values).rebase_offer is None
    # Nor once the limits start there.
    assert summary(values, annotations=[cycle], parts=[12]).rebase_offer is None
