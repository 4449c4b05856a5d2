"""The THRIVE assessment chart, built on the server as SVG geometry with real text labels.

For each principle, one bar per assessment (baseline first, then follow-ups in date order); a
dashed line marks the THRIVE-like threshold (3). Bars carry their score as text, and assessments
are told apart by a text label and a fill pattern as well as by colour. The template draws the
SVG; the table beside it is the text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models.assessment import THRIVE_LIKE

MAX_SCORE = 4
LABEL_WIDTH = 230
PLOT_WIDTH = 400
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 14
TOP = 34
# NHS.UK palette colours with at least 3:1 contrast against white (WCAG 1.4.11).
FILLS = ["#005eb8", "#007f3b", "#330072", "#8a1538", "#425563", "#ae2573"]


@dataclass
class Bar:
    series: int
    label: str
    score: int
    x: int
    y: int
    width: int
    height: int
    fill: str
    text_x: int
    text_y: int


@dataclass
class Group:
    name: str
    y: int
    label_y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Series:
    index: int
    label: str
    fill: str
    pattern: bool  # every other series is hatched, so print and colour-blind readers can tell


@dataclass
class AssessmentChart:
    series: list[Series]
    groups: list[Group]
    rows: list[dict[str, Any]]  # the text alternative: principle, then one score per series
    width: int
    height: int
    plot_left: int
    plot_width: int
    threshold_x: int
    ticks: list[tuple[int, int]]  # (score, x)

    @property
    def empty(self) -> bool:
        return not self.series


def _label(assessment: Any, follow_up_number: int) -> str:
    date = assessment.assessed_on.strftime("%b %Y")
    if assessment.kind == "baseline":
        return f"Baseline ({date})"
    return f"Follow-up {follow_up_number} ({date})"


def assessment_chart(*, assessments: list[Any], principles: list[Any]) -> AssessmentChart:
    """`assessments` in date order with `scores` prefetched; `principles` in display order."""
    series = []
    follow_ups = 0
    for index, assessment in enumerate(assessments):
        if assessment.kind != "baseline":
            follow_ups += 1
        series.append(
            Series(
                index=index,
                label=_label(assessment, follow_ups),
                fill=FILLS[index % len(FILLS)],
                pattern=index % 2 == 1,
            )
        )
    scores = [{s.principle_id: s.score for s in a.scores.all()} for a in assessments]
    groups, rows = [], []
    y = TOP
    group_height = max(1, len(series)) * (BAR_HEIGHT + BAR_GAP)
    for principle in principles:
        group = Group(name=principle.name, y=y, label_y=y + group_height // 2 + 4)
        row: dict[str, Any] = {"principle": principle.name, "scores": []}
        for s in series:
            score = scores[s.index].get(principle.pk)
            row["scores"].append(score)
            if score is None:
                continue
            bar_y = y + s.index * (BAR_HEIGHT + BAR_GAP)
            width = round(PLOT_WIDTH * score / MAX_SCORE)
            group.bars.append(
                Bar(
                    series=s.index,
                    label=s.label,
                    score=score,
                    x=LABEL_WIDTH,
                    y=bar_y,
                    width=width,
                    height=BAR_HEIGHT,
                    fill=s.fill,
                    text_x=LABEL_WIDTH + width + 4,
                    text_y=bar_y + BAR_HEIGHT - 3,
                )
            )
        groups.append(group)
        rows.append(row)
        y += group_height + GROUP_GAP
    return AssessmentChart(
        series=series,
        groups=groups,
        rows=rows,
        width=LABEL_WIDTH + PLOT_WIDTH + 40,
        height=y + 10,
        plot_left=LABEL_WIDTH,
        plot_width=PLOT_WIDTH,
        threshold_x=LABEL_WIDTH + round(PLOT_WIDTH * THRIVE_LIKE / MAX_SCORE),
        ticks=[(n, LABEL_WIDTH + round(PLOT_WIDTH * n / MAX_SCORE)) for n in range(MAX_SCORE + 1)],
    )
