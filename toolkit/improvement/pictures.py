"""Stored data -> the SVG pictures of the improvement tools (see `svg` for the drawing)."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from toolkit.models import DriverDiagram, PdsaCycle, Reflection

from . import svg
from .selectors import AssessmentScore, TreeEntry, principle_counts


def _safe(markup: str) -> SafeString:
    # Every text in the markup went through svg.esc.
    return mark_safe(markup)


def _cycles_note(entry: TreeEntry) -> str:
    if not entry.cycles:
        return ""
    parts = [
        f"{c.number} {c.get_outcome_display().lower() if c.outcome else c.get_stage_display().lower()}"
        for c in entry.cycles
    ]
    return "PDSA: " + ", ".join(parts)


def driver_diagram(*, diagram: DriverDiagram, tree: list[TreeEntry]) -> SafeString:
    def convert(entry: TreeEntry) -> svg.TreeNode:
        return svg.TreeNode(
            text=entry.node.text,
            children=[convert(child) for child in entry.children],
            note=_cycles_note(entry),
        )

    aim = f"{diagram.aim_what} {diagram.aim_how_much} by {diagram.aim_by_when:%d %b %Y}"
    return _safe(
        svg.driver_diagram(
            ident=f"driver-diagram-{diagram.pk}", aim=aim, primaries=[convert(e) for e in tree]
        )
    )


def pdsa_ramp(*, cycle: PdsaCycle, ramp: list[PdsaCycle]) -> SafeString:
    steps = [
        svg.RampStep(
            number=c.number,
            title=c.title,
            stage=c.get_stage_display(),
            outcome=c.get_outcome_display() if c.outcome else "",
            current=c.pk == cycle.pk,
        )
        for c in ramp
    ]
    heading = "Ramp of cycles" + (f": {cycle.change_idea.text}" if cycle.change_idea else "")
    return _safe(svg.pdsa_ramp(ident=f"pdsa-ramp-{cycle.pk}", steps=steps, heading=heading))


def reflection(*, reflection: Reflection) -> SafeString:
    rows = principle_counts(reflection=reflection)
    if not rows:
        return _safe("")
    return _safe(
        svg.paired_bars(
            ident=f"reflection-{reflection.pk}",
            title="Facilitators and barriers by THRIVE principle",
            rows=rows,
            labels=(("facilitator", "facilitators"), ("barrier", "barriers")),
        )
    )


def sustainability_trend(*, scores: list[AssessmentScore]) -> SafeString:
    if not scores:
        return _safe("")
    points = [(f"{s.assessment.assessed_on:%d %b %Y}", float(s.total)) for s in scores]
    return _safe(
        svg.line_chart(
            ident="sustainability-trend",
            title="Total sustainability score over time",
            points=points,
            y_max=100,
            y_label="Score out of 100",
        )
    )


def sustainability_factors(*, score: AssessmentScore) -> SafeString:
    rows = [(r.factor.name, float(r.weight), float(r.maximum), r.level) for r in score.rows]
    return _safe(
        svg.score_bars(
            ident="sustainability-factors",
            title=f"Factor scores on {score.assessment.assessed_on:%d %B %Y}",
            rows=rows,
        )
    )
