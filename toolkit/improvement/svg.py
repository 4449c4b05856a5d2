"""Pictures of improvement tools as inline SVG, drawn from plain data (no Django here).

Every text is escaped; labels are real `<text>` so they can be read, searched and zoomed;
each picture has `role="img"`, a `<title>` and a `<desc>` named by `aria-labelledby`. Pages put a
visible text alternative (a list or table) beside each picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from toolkit.analysis.svg import wrap

FONT = 'font-family="Frutiger W01, Arial, sans-serif"'
INK = "#212b32"  # NHS text colour
BLUE = "#005eb8"
DARK_BLUE = "#003087"
GREY = "#4c6272"  # secondary text, 7:1 on white
PALE = "#d8dde0"
GREEN = "#007f3b"
LINE = "#768692"


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def text_lines(
    x: float,
    y: float,
    lines: Sequence[str],
    *,
    size: int = 13,
    fill: str = INK,
    bold: bool = False,
    anchor: str = "start",
    line_height: int = 16,
) -> str:
    """One `<text>` with a `<tspan>` per line, the first baseline at `y`."""
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else line_height}">{esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}"{weight} '
        f'text-anchor="{anchor}" {FONT}>{spans}</text>'
    )


def document(*, ident: str, title: str, desc: str, width: float, height: float, body: str) -> str:
    ident = esc(ident)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="thrive-picture" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}">'
        f'<title id="{ident}-title">{esc(title)}</title><desc id="{ident}-desc">{esc(desc)}</desc>'
        f"{body}</svg>"
    )


# Driver diagram ---------------------------------------------------------------------------


@dataclass
class TreeNode:
    text: str
    children: list[TreeNode] = field(default_factory=list)
    note: str = ""  # e.g. the PDSA cycles of a change idea
    y: float = 0.0


COLUMN_TITLES = ("Aim", "Primary drivers", "Secondary drivers", "Change ideas")
BOX_W, GAP, CHARS, MAX_LINES = 210.0, 44.0, 28, 4
LINE_H, PAD = 16, 10
BOX_H = MAX_LINES * LINE_H + 2 * PAD  # 84
PITCH = BOX_H + 14.0
TOP = 36.0


def _place(node: TreeNode, next_row: list[int]) -> None:
    if not node.children:
        node.y = TOP + next_row[0] * PITCH
        next_row[0] += 1
        return
    for child in node.children:
        _place(child, next_row)
    node.y = (node.children[0].y + node.children[-1].y) / 2


def _box(x: float, node: TreeNode, depth: int) -> str:
    dark = depth == 0
    fill, stroke, ink = (BLUE, DARK_BLUE, "#ffffff") if dark else ("#ffffff", BLUE, INK)
    lines = wrap(node.text, CHARS, MAX_LINES - (1 if node.note else 0))
    out = [
        f'<rect x="{x:.1f}" y="{node.y:.1f}" width="{BOX_W:.0f}" height="{BOX_H:.0f}" rx="4" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>',
        text_lines(x + PAD, node.y + PAD + 12, lines, fill=ink, bold=dark),
    ]
    if node.note:
        note_y = node.y + BOX_H - PAD - 2
        out.append(text_lines(x + PAD, note_y, wrap(node.note, CHARS + 4, 1), size=11, fill=GREY))
    return "".join(out)


def driver_diagram(*, ident: str, aim: str, primaries: list[TreeNode]) -> str:
    """Columns aim -> primary -> secondary -> change ideas, joined by elbow lines."""
    next_row = [0]
    for primary in primaries:
        _place(primary, next_row)
    rows = max(next_row[0], 1)
    root = TreeNode(aim, primaries)
    root.y = (primaries[0].y + primaries[-1].y) / 2 if primaries else TOP
    width = 4 * BOX_W + 3 * GAP + 2
    height = TOP + rows * PITCH
    parts = [
        text_lines(1 + i * (BOX_W + GAP), 20, [title], size=14, bold=True)
        for i, title in enumerate(COLUMN_TITLES)
    ]

    def draw(node: TreeNode, depth: int) -> None:
        x = 1 + depth * (BOX_W + GAP)
        parts.append(_box(x, node, depth))
        for child in node.children:
            x1, y1 = x + BOX_W, node.y + BOX_H / 2
            x2, y2 = x + BOX_W + GAP, child.y + BOX_H / 2
            mid = x1 + GAP / 2
            parts.append(
                f'<path d="M{x1:.1f} {y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}" fill="none" '
                f'stroke="{LINE}" stroke-width="1.5"/>'
            )
            draw(child, depth + 1)

    draw(root, 0)
    counts = [len(primaries), sum(len(p.children) for p in primaries)]
    counts.append(sum(len(s.children) for p in primaries for s in p.children))
    desc = (
        f"Driver diagram. Aim: {aim}. {counts[0]} primary drivers, {counts[1]} secondary "
        f"drivers, {counts[2]} change ideas. The list after the picture gives every label."
    )
    return document(
        ident=ident,
        title="Driver diagram",
        desc=desc,
        width=width,
        height=height,
        body="".join(parts),
    )


# PDSA ramp --------------------------------------------------------------------------------


@dataclass
class RampStep:
    number: int
    title: str
    stage: str  # label, e.g. "Study"
    outcome: str = ""  # label, e.g. "Adapt"
    current: bool = False


def pdsa_ramp(*, ident: str, steps: list[RampStep], heading: str) -> str:
    """The ramp of cycles testing one change idea: each cycle a step up from the last."""
    step_w, step_h, rise = 200.0, 90.0, 44.0
    n = max(len(steps), 1)
    width = n * (step_w + 16) + 20
    # The heading wraps to the picture's width (a bold 14px character is about 8px wide) and
    # pushes the steps down, so a long change idea is never clipped at the edge.
    heading_lines = wrap(heading, max(20, int(width // 8)), 4)
    extra = (len(heading_lines) - 1) * 18
    height = 40 + extra + (n - 1) * rise + step_h + 20
    parts = [text_lines(0, 18, heading_lines, size=14, bold=True, line_height=18)]
    for i, step in enumerate(steps):
        x = 10 + i * (step_w + 16)
        y = height - 20 - step_h - i * rise
        stroke_w = 4 if step.current else 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step_w:.0f}" height="{step_h:.0f}" rx="4" '
            f'fill="#ffffff" stroke="{BLUE}" stroke-width="{stroke_w}"/>'
        )
        status = f"{step.stage}" + (f": {step.outcome}" if step.outcome else "")
        if step.current:
            status += " (this cycle)"
        parts.append(text_lines(x + 8, y + 20, [f"Cycle {step.number}"], bold=True))
        parts.append(text_lines(x + 8, y + 38, wrap(step.title, 27, 2)))
        parts.append(text_lines(x + 8, y + 78, wrap(status, 30, 1), size=12, fill=GREY))
        if i:
            px = x - 16
            parts.append(
                f'<path d="M{px:.1f} {y + step_h / 2 + rise:.1f} L{x:.1f} {y + step_h / 2:.1f}" '
                f'stroke="{LINE}" stroke-width="2" fill="none"/>'
            )
    desc = "; ".join(
        f"cycle {s.number}, {s.title}, {s.stage}" + (f", {s.outcome}" if s.outcome else "")
        for s in steps
    )
    return document(
        ident=ident,
        title=heading,
        desc=f"Ramp of PDSA cycles: {desc}.",
        width=width,
        height=height,
        body="".join(parts),
    )


# Charts -----------------------------------------------------------------------------------


def _heading_width(title: str) -> float:
    """Room for a one-line bold 14px heading (about 8px a character), so it is never clipped."""
    return len(title) * 8.0 + 10


def _count(value: int, noun: tuple[str, str]) -> str:
    return f"{value} {noun[0] if value == 1 else noun[1]}"


def paired_bars(
    *,
    ident: str,
    title: str,
    rows: list[tuple[str, int, int]],
    labels: tuple[tuple[str, str], tuple[str, str]],
) -> str:
    """Horizontal bars, two per row (e.g. facilitators and barriers per principle), each with
    its count and name written beside it so colour is never the only cue."""
    label_w, bar_max, row_h = 250.0, 260.0, 44.0
    top = 30.0
    biggest = max([max(a, b) for _, a, b in rows] + [1])
    height = top + len(rows) * row_h + 10
    width = max(label_w + bar_max + 140, _heading_width(title))
    parts = [text_lines(0, 18, [title], size=14, bold=True)]
    for i, (name, first, second) in enumerate(rows):
        y = top + i * row_h
        parts.append(text_lines(label_w - 8, y + 20, wrap(name, 34, 1), anchor="end"))
        for j, (value, label, colour) in enumerate(
            ((first, labels[0], GREEN), (second, labels[1], DARK_BLUE))
        ):
            bar_y = y + 4 + j * 18
            w = bar_max * value / biggest
            parts.append(
                f'<rect x="{label_w:.1f}" y="{bar_y:.1f}" width="{w:.1f}" height="14" '
                f'fill="{colour}"/>'
            )
            parts.append(text_lines(label_w + w + 6, bar_y + 12, [_count(value, label)], size=12))
    desc = "; ".join(f"{n}: {_count(a, labels[0])}, {_count(b, labels[1])}" for n, a, b in rows)
    return document(
        ident=ident,
        title=title,
        desc=desc + ".",
        width=width,
        height=height,
        body="".join(parts),
    )


def line_chart(
    *, ident: str, title: str, points: list[tuple[str, float]], y_max: float, y_label: str
) -> str:
    """Values over time as a line with labelled points, on a 0..y_max axis."""
    left, right, top, bottom = 56.0, 30.0, 34.0, 56.0
    plot_w = max(200.0, 120.0 * max(len(points) - 1, 1) + 72)
    plot_h = 220.0
    width, height = max(left + plot_w + right, _heading_width(title)), top + plot_h + bottom
    parts = [text_lines(0, 18, [title], size=14, bold=True)]

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * (v / y_max if y_max else 0)

    for tick in range(0, 5):
        value = y_max * tick / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{PALE}"/>'
        )
        parts.append(text_lines(left - 6, y + 4, [f"{value:g}"], size=11, anchor="end"))
    parts.append(
        f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top:.1f}" y2="{top + plot_h:.1f}" '
        f'stroke="{GREY}"/>'
    )
    parts.append(text_lines(left, height - 8, [y_label], size=11, fill=GREY))

    inset = 36.0  # keeps the first and last labels clear of the axis and the edge

    def x_of(i: int) -> float:
        if len(points) == 1:
            return left + plot_w / 2
        return left + inset + (plot_w - 2 * inset) * i / (len(points) - 1)

    coords = [(x_of(i), y_of(v)) for i, (_, v) in enumerate(points)]
    if len(coords) > 1:
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords))
        parts.append(f'<path d="{d}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{DARK_BLUE}"/>')
        parts.append(text_lines(x, y - 10, [f"{value:g}"], size=12, bold=True, anchor="middle"))
        parts.append(text_lines(x, top + plot_h + 18, [label], size=11, anchor="middle"))
    desc = "; ".join(f"{label}: {value:g}" for label, value in points) or "No values yet"
    return document(
        ident=ident,
        title=title,
        desc=desc + ".",
        width=width,
        height=height,
        body="".join(parts),
    )


def score_bars(*, ident: str, title: str, rows: list[tuple[str, float, float, str]]) -> str:
    """One bar per row against its maximum (name, score, maximum, level), labelled in text."""
    label_w, bar_max, row_h, top = 390.0, 240.0, 28.0, 30.0
    height = top + len(rows) * row_h + 10
    width = max(label_w + bar_max + 150, _heading_width(title))
    scale = max([m for _, _, m, _ in rows] + [1])
    parts = [text_lines(0, 18, [title], size=14, bold=True)]
    for i, (name, score, maximum, level) in enumerate(rows):
        y = top + i * row_h
        full = bar_max * maximum / scale
        w = bar_max * score / scale
        parts.append(text_lines(label_w - 8, y + 15, wrap(name, 60, 1), size=12, anchor="end"))
        parts.append(
            f'<rect x="{label_w:.1f}" y="{y + 3:.1f}" width="{full:.1f}" height="16" '
            f'fill="#ffffff" stroke="{LINE}"/>'
        )
        parts.append(
            f'<rect x="{label_w:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="16" fill="{BLUE}"/>'
        )
        parts.append(
            text_lines(
                label_w + full + 6, y + 15, [f"{score:g} of {maximum:g} (level {level})"], size=12
            )
        )
    desc = "; ".join(f"{n}: {s:g} of {m:g}, level {lv}" for n, s, m, lv in rows)
    return document(
        ident=ident,
        title=title,
        desc=desc + ".",
        width=width,
        height=height,
        body="".join(parts),
    )
