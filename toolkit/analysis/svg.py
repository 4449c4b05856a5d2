"""Pictures of the analysis tools as accessible SVG, drawn from an item's snapshot.

Pure code (no Django): a snapshot dict in, SVG markup out. Every piece of text is escaped here,
so the result is safe to emit with `|safe`. The drawings use real <text> (readable by screen
readers, searchable, printable); each SVG has role="img", a <title> and a <desc>, and the page
beside it carries a full text alternative.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

FONT = "Frutiger W01, Arial, sans-serif"
INK = "#212b32"  # NHS black: 15:1 on white
GREY = "#4c6272"  # NHS dark grey: 6.9:1 on white
BLUE = "#005eb8"
LINE = "#768692"
PALE = "#f0f4f5"
RED = "#d5281b"
LINE_HEIGHT = 16
CHAR_WIDTH = 7.0  # average width of a 13px sans-serif character, for wrapping and box sizes


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut between words with an ellipsis (a single word
    longer than `width` is the only thing ever cut inside)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: max(0, width - 1)]
    if " " in cut and text[len(cut)] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def wrap(text: str, width: int = 28, max_lines: int = 6) -> list[str]:
    """Words to lines of at most `width` characters; long lists end with an ellipsis after the
    last whole word that fits."""
    lines = textwrap.wrap(" ".join(str(text).split()), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], shorten(rest, width)]
    return lines


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = _num(value) if isinstance(value, float) else str(value)
        parts.append(f" {name}={quoteattr(text)}")
    return "".join(parts)


@dataclass
class Canvas:
    """An SVG document assembled element by element."""

    width: float
    height: float
    ident: str
    title: str
    description: str
    parts: list[str] = field(default_factory=list)

    def add(self, tag: str, **attrs: Any) -> None:
        self.parts.append(f"<{tag}{_attrs(attrs)}/>")

    def text(
        self,
        x: float,
        y: float,
        lines: list[str] | str,
        *,
        size: int = 13,
        anchor: str = "start",
        weight: str | None = None,
        fill: str = INK,
        line_height: int = LINE_HEIGHT,
        italic: bool = False,
    ) -> None:
        """Text whose lines become <tspan>s; `y` is the baseline of the first line."""
        if isinstance(lines, str):
            lines = [lines]
        spans = "".join(
            f'<tspan x="{_num(x)}" dy="{0 if i == 0 else line_height}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        attrs = _attrs(
            {
                "x": float(x),
                "y": float(y),
                "font_size": size,
                "text_anchor": anchor,
                "font_weight": weight,
                "font_style": "italic" if italic else None,
                "fill": fill,
            }
        )
        self.parts.append(f"<text{attrs}>{spans}</text>")

    def render(self) -> str:
        ident = escape(self.ident)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="thrive-figure" role="img" '
            f'viewBox="0 0 {_num(self.width)} {_num(self.height)}" '
            f'width="{_num(self.width)}" height="{_num(self.height)}" '
            f'aria-labelledby="{ident}-title {ident}-desc" font-family={quoteattr(FONT)}>'
            f'<title id="{ident}-title">{escape(self.title)}</title>'
            f'<desc id="{ident}-desc">{escape(self.description)}</desc>'
            "<defs>"
            f'<marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker>'
            "</defs>"
        )
        return head + "".join(self.parts) + "</svg>"


def _box_height(lines: int, padding: int = 12) -> int:
    return lines * LINE_HEIGHT + padding * 2 - 4


# --- Fishbone --------------------------------------------------------------------------------


def fishbone(snapshot: dict[str, Any], *, ident: str = "fishbone") -> str:
    """Categories alternate above and below the spine; the problem is the head on the right."""
    categories = snapshot.get("categories", [])
    top = categories[0::2]
    bottom = categories[1::2]
    columns = max(1, math.ceil(len(categories) / 2))
    col_width = 290
    margin = 20

    def category_lines(category: dict[str, Any]) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        for cause in category["causes"]:
            rows += [("cause", line) for line in wrap(cause["text"], 28, 3)]
            for sub in cause["sub_causes"]:
                rows += [("sub", line) for line in wrap("– " + sub, 28, 3)]
        return rows

    def half_height(group: list[dict[str, Any]]) -> int:
        longest = max((len(category_lines(c)) for c in group), default=0)
        return max(110, 60 + longest * LINE_HEIGHT)

    top_h, bottom_h = half_height(top), half_height(bottom)
    spine_y = margin + top_h
    head_lines = wrap(snapshot.get("problem", ""), 26, 8)
    context = [
        f"{label}: {snapshot.get(key)}"
        for key, label in (("who", "Who"), ("when", "When"), ("where", "Where"))
        if snapshot.get(key)
    ]
    context_lines = [line for item in context for line in wrap(item, 30, 2)]
    head_w = 230
    head_h = _box_height(len(head_lines) + len(context_lines))
    spine_end = margin + columns * col_width + 20
    width = spine_end + head_w + margin
    height = max(spine_y + bottom_h + margin, spine_y + head_h / 2 + margin)
    n_causes = sum(len(c["causes"]) for c in categories)
    canvas = Canvas(
        width,
        height,
        ident,
        f"Fishbone diagram: {snapshot.get('title', '')}",
        f"Problem: {snapshot.get('problem', '')}. {len(categories)} categories, {n_causes} causes.",
    )
    canvas.add(
        "line",
        x1=float(margin),
        y1=float(spine_y),
        x2=float(spine_end),
        y2=float(spine_y),
        stroke=INK,
        stroke_width=3,
        marker_end=f"url(#{ident}-arrow)",
    )
    head_y = spine_y - head_h / 2
    canvas.add(
        "rect",
        x=float(spine_end),
        y=float(head_y),
        width=head_w,
        height=float(head_h),
        rx=6,
        fill=PALE,
        stroke=BLUE,
        stroke_width=2,
    )
    canvas.text(spine_end + 12, head_y + 24, head_lines, weight="bold")
    if context_lines:
        canvas.text(
            spine_end + 12,
            head_y + 24 + len(head_lines) * LINE_HEIGHT,
            context_lines,
            size=12,
            fill=GREY,
        )

    for index, category in enumerate(categories):
        above = index % 2 == 0
        column = index // 2
        bone_x = margin + column * col_width + col_width - 20  # where the bone meets the spine
        reach = top_h - 40 if above else bottom_h - 40
        end_y = spine_y - reach if above else spine_y + reach
        end_x = bone_x - 50
        canvas.add(
            "line",
            x1=float(end_x),
            y1=float(end_y),
            x2=float(bone_x),
            y2=float(spine_y),
            stroke=INK,
            stroke_width=2,
        )
        label_y = end_y - 10 if above else end_y + 20
        canvas.text(end_x, label_y, category["name"], weight="bold", anchor="middle", fill=BLUE)
        rows = category_lines(category)
        for row, (kind, line) in enumerate(rows):
            # Causes read from the bone's outer end towards the spine.
            y = (end_y if above else spine_y) + 22 + row * LINE_HEIGHT
            t = (y - end_y) / (spine_y - end_y) if spine_y != end_y else 0
            x_on_bone = end_x + (bone_x - end_x) * t
            indent = 14 if kind == "sub" else 0
            canvas.add(
                "line",
                x1=float(x_on_bone - 8 - indent),
                y1=float(y - 4),
                x2=float(x_on_bone),
                y2=float(y - 4),
                stroke=LINE,
                stroke_width=1,
            )
            canvas.text(
                x_on_bone - 12 - indent,
                y,
                line,
                size=12 if kind == "sub" else 13,
                anchor="end",
                fill=GREY if kind == "sub" else INK,
            )
    return canvas.render()


# --- Five Whys -------------------------------------------------------------------------------


def five_whys(snapshot: dict[str, Any], *, ident: str = "five-whys") -> str:
    """The problem, each why and its answer in a column of boxes, and the root cause last."""
    width, box_w, margin, gap = 640, 560, 40, 30
    canvas = Canvas(
        width,
        0,
        ident,
        f"Five Whys chain: {snapshot.get('title', '')}",
        f"Problem: {snapshot.get('problem', '')}. {len(snapshot.get('links', []))} whys. "
        + (
            "Root cause: " + "; ".join(snapshot.get("root_causes", []))
            if snapshot.get("root_causes")
            else "No root cause recorded yet."
        ),
    )
    y = 20.0

    def box(
        label: str, body: str, *, stroke: str, dashed: bool = False, fill: str = "#ffffff"
    ) -> None:
        nonlocal y
        lines = wrap(body, 70, 4)
        h = _box_height(len(lines) + 1)
        canvas.add(
            "rect",
            x=float(margin),
            y=y,
            width=box_w,
            height=float(h),
            rx=6,
            fill=fill,
            stroke=stroke,
            stroke_width=2,
            stroke_dasharray="6 4" if dashed else None,
        )
        canvas.text(margin + 14, y + 22, label, weight="bold", size=13, fill=BLUE)
        canvas.text(margin + 14, y + 22 + LINE_HEIGHT, lines)
        y += h

    def arrow() -> None:
        nonlocal y
        mid = margin + box_w / 2
        canvas.add(
            "line",
            x1=float(mid),
            y1=y,
            x2=float(mid),
            y2=y + gap - 4,
            stroke=INK,
            stroke_width=2,
            marker_end=f"url(#{ident}-arrow)",
        )
        y += gap

    box("Problem", snapshot.get("problem", ""), stroke=INK, fill=PALE)
    for number, link in enumerate(snapshot.get("links", []), start=1):
        arrow()
        box(shorten(f"Why {number}? {link['why']}", 90), "Because " + link["answer"], stroke=LINE)
    roots = snapshot.get("root_causes", [])
    if roots:
        arrow()
        box(
            "Root cause" + ("s" if len(roots) > 1 else ""),
            "; ".join(roots),
            stroke=INK,
            dashed=True,
            fill=PALE,
        )
    canvas.height = y + 20
    return canvas.render()


# --- Process map -----------------------------------------------------------------------------

NODE_W, NODE_H, COL_GAP, ROW_GAP, LANE_LABEL_W = 170, 84, 70, 26, 130


def process_layout(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Columns from the arrows' topological order (explicit order breaks ties and cycles),
    rows from the swimlanes; steps sharing a lane and column stack inside the lane."""
    steps = snapshot.get("steps", [])
    ids = [s["id"] for s in steps]
    position = {sid: i for i, sid in enumerate(ids)}
    arrows = [
        a for a in snapshot.get("arrows", []) if a["from"] in position and a["to"] in position
    ]
    incoming: dict[Any, set[Any]] = {sid: set() for sid in ids}
    outgoing: dict[Any, list[Any]] = {sid: [] for sid in ids}
    for a in arrows:
        if a["from"] != a["to"]:
            incoming[a["to"]].add(a["from"])
            outgoing[a["from"]].append(a["to"])
    # Kahn's algorithm; when only cycles remain, the earliest step in the explicit order goes
    # next, which makes the arrows closing the loop point backwards.
    column: dict[Any, int] = {}
    placed: set[Any] = set()
    remaining = list(ids)
    while remaining:
        ready = [sid for sid in remaining if incoming[sid] <= placed]
        chosen = ready[0] if ready else remaining[0]
        preds = [column[p] for p in incoming[chosen] if p in column]
        column[chosen] = (max(preds) + 1) if preds else 0
        placed.add(chosen)
        remaining.remove(chosen)
    lanes = [lane["name"] for lane in snapshot.get("lanes", [])]
    has_unlaned = any(not s.get("lane") or s["lane"] not in lanes for s in steps)
    rows = lanes + ([""] if has_unlaned or not lanes else [])
    cell: dict[tuple[int, int], list[Any]] = {}
    row_of: dict[Any, int] = {}
    for s in steps:
        row = lanes.index(s["lane"]) if s.get("lane") in lanes else len(rows) - 1
        row_of[s["id"]] = row
        cell.setdefault((row, column[s["id"]]), []).append(s["id"])
    stack = {sid: idx for members in cell.values() for idx, sid in enumerate(members)}
    depth = [
        max([len(m) for (r, _c), m in cell.items() if r == row] or [1]) for row in range(len(rows))
    ]
    return {"column": column, "row": row_of, "stack": stack, "rows": rows, "depth": depth}


def process_map(snapshot: dict[str, Any], *, ident: str = "process-map") -> str:
    steps = snapshot.get("steps", [])
    layout = process_layout(snapshot)
    rows, depth = layout["rows"], layout["depth"]
    has_lanes = any(rows)
    left = (LANE_LABEL_W if has_lanes else 0) + 20
    n_cols = max(layout["column"].values(), default=0) + 1
    row_h = [d * (NODE_H + ROW_GAP) + ROW_GAP + 20 for d in depth]
    row_top = [20 + sum(row_h[:i]) for i in range(len(rows))]
    width = left + n_cols * (NODE_W + COL_GAP) + 20
    height = 20 + sum(row_h) + 40
    bottlenecks = [s["label"] for s in steps if s.get("bottleneck")]
    canvas = Canvas(
        width,
        height,
        ident,
        f"Process map: {snapshot.get('title', '')}",
        f"{len(steps)} steps, {len(snapshot.get('arrows', []))} arrows"
        + (f", in {len([r for r in rows if r])} swimlanes" if has_lanes else "")
        + (". Bottlenecks: " + "; ".join(bottlenecks) if bottlenecks else "."),
    )
    for i, name in enumerate(rows):
        if not has_lanes:
            break
        canvas.add(
            "rect",
            x=10.0,
            y=float(row_top[i]),
            width=float(width - 20),
            height=float(row_h[i]),
            fill=PALE if i % 2 == 0 else "#ffffff",
            stroke=LINE,
            stroke_width=1,
        )
        canvas.text(20, row_top[i] + 24, wrap(name or "No lane", 16, 3), weight="bold")

    box: dict[Any, tuple[float, float]] = {}
    for s in steps:
        col, row = layout["column"][s["id"]], layout["row"][s["id"]]
        x = left + col * (NODE_W + COL_GAP)
        y = row_top[row] + ROW_GAP + layout["stack"][s["id"]] * (NODE_H + ROW_GAP)
        box[s["id"]] = (x, y)

    # Arrows first, so steps sit on top of them.
    lane_bottom = 20 + sum(row_h)
    back_index = 0
    for a in snapshot.get("arrows", []):
        if a["from"] not in box or a["to"] not in box:
            continue
        (x1, y1), (x2, y2) = box[a["from"]], box[a["to"]]
        forward = layout["column"][a["to"]] > layout["column"][a["from"]]
        if forward:
            sx, sy, tx, ty = x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2
            mid = sx + COL_GAP / 2
            d = f"M{_num(sx)},{_num(sy)} H{_num(mid)} V{_num(ty)} H{_num(tx)}"
            lx, ly = mid, (sy + ty) / 2 - 4 if sy != ty else sy - 6
        else:
            # A loop back (or a step in the same column): route beneath the lanes.
            back_index += 1
            below = lane_bottom + 8 * back_index
            sx, sy = x1 + NODE_W / 2 + 10, y1 + NODE_H
            tx, ty = x2 + NODE_W / 2 - 10, y2 + NODE_H
            d = f"M{_num(sx)},{_num(sy)} V{_num(below)} H{_num(tx)} V{_num(ty)}"
            lx, ly = (sx + tx) / 2, below - 4
        canvas.add(
            "path",
            d=d,
            fill="none",
            stroke=INK,
            stroke_width=1.5,
            marker_end=f"url(#{ident}-arrow)",
        )
        if a.get("label"):
            text = wrap(a["label"], 14, 2)
            canvas.add(
                "rect",
                x=float(lx - 4 - 3.5 * max(len(t) for t in text)),
                y=float(ly - 12),
                width=float(8 + 7 * max(len(t) for t in text)),
                height=float(LINE_HEIGHT * len(text)),
                fill="#ffffff",
            )
            canvas.text(lx, ly, text, size=12, anchor="middle")

    for s in steps:
        x, y = box[s["id"]]
        kind = s.get("kind", "activity")
        stroke = RED if s.get("bottleneck") else INK
        stroke_width = 4 if s.get("bottleneck") else 1.5
        if kind == "decision":
            points = f"{_num(x + NODE_W / 2)},{_num(y)} {_num(x + NODE_W)},{_num(y + NODE_H / 2)} {_num(x + NODE_W / 2)},{_num(y + NODE_H)} {_num(x)},{_num(y + NODE_H / 2)}"
            canvas.add(
                "polygon", points=points, fill="#ffffff", stroke=stroke, stroke_width=stroke_width
            )
            label_w = 16
        else:
            canvas.add(
                "rect",
                x=float(x),
                y=float(y),
                width=NODE_W,
                height=NODE_H,
                rx=NODE_H / 2 if kind in ("start", "end") else 4,
                fill="#ffffff",
                stroke=stroke,
                stroke_width=stroke_width,
                stroke_dasharray="6 4" if kind == "wait" else None,
            )
            label_w = 22
        caption = {"start": "Start", "end": "End", "decision": "Decision", "wait": "Wait"}.get(kind)
        extra = [t for t in (s.get("duration"), "Bottleneck" if s.get("bottleneck") else "") if t]
        lines = wrap(s["label"], label_w, 3 if kind != "decision" else 2)
        total = len(lines) + (1 if caption else 0) + (1 if extra else 0)
        ty = y + NODE_H / 2 - (total - 1) * 14 / 2 + 4
        cx = x + NODE_W / 2
        if caption:
            canvas.text(cx, ty, caption.upper(), size=10, anchor="middle", fill=GREY, weight="bold")
            ty += 14
        canvas.text(cx, ty, lines, size=12, anchor="middle", line_height=14)
        ty += 14 * len(lines)
        if extra:
            canvas.text(
                cx,
                ty,
                " · ".join(extra),
                size=11,
                anchor="middle",
                fill=RED if s.get("bottleneck") else GREY,
                weight="bold" if s.get("bottleneck") else None,
            )
    return canvas.render()


# --- SWOT ------------------------------------------------------------------------------------

QUADRANTS = [
    ("S", "Strengths", "internal, helpful"),
    ("W", "Weaknesses", "internal, harmful"),
    ("O", "Opportunities", "external, helpful"),
    ("T", "Threats", "external, harmful"),
]
PRIORITY_NAMES = {1: "High", 2: "Medium", 3: "Low"}


def swot(snapshot: dict[str, Any], *, ident: str = "swot") -> str:
    cell_w, head = 330, 30
    items = snapshot.get("items", {})
    wrapped = {
        q: [
            wrap(f"[{PRIORITY_NAMES.get(i['priority'], '')}] {i['text']}", 42, 3)
            for i in sorted(items.get(q, []), key=lambda i: i["priority"])
        ]
        for q, _n, _h in QUADRANTS
    }

    def cell_h(quadrants: tuple[str, str]) -> int:
        longest = max(sum(len(w) for w in wrapped[q]) + len(wrapped[q]) * 0.4 for q in quadrants)
        return int(max(120, 50 + longest * LINE_HEIGHT + 10))

    row_h = [cell_h(("S", "W")), cell_h(("O", "T"))]
    left, top = 100, head + 10
    width, height = left + 2 * cell_w + 20, top + sum(row_h) + 20
    counts = ", ".join(f"{len(items.get(q, []))} {name.lower()}" for q, name, _h in QUADRANTS)
    canvas = Canvas(width, height, ident, f"SWOT analysis: {snapshot.get('title', '')}", counts)
    canvas.text(left + cell_w / 2, 24, "Helpful", weight="bold", anchor="middle")
    canvas.text(left + cell_w * 1.5, 24, "Harmful", weight="bold", anchor="middle")
    canvas.text(12, top + row_h[0] / 2, ["Internal"], weight="bold")
    canvas.text(12, top + row_h[0] + row_h[1] / 2, ["External"], weight="bold")
    for index, (q, name, _hint) in enumerate(QUADRANTS):
        col, row = index % 2, index // 2
        x = left + col * cell_w
        y = top + (row_h[0] if row else 0)
        canvas.add(
            "rect",
            x=float(x),
            y=float(y),
            width=cell_w,
            height=float(row_h[row]),
            fill=PALE if (col + row) % 2 == 0 else "#ffffff",
            stroke=INK,
            stroke_width=1.5,
        )
        canvas.text(x + 12, y + 24, f"{name} ({len(items.get(q, []))})", weight="bold", fill=BLUE)
        ty = y + 48
        for lines in wrapped[q]:
            canvas.text(x + 12, ty, lines, size=12)
            ty += LINE_HEIGHT * len(lines) + 6
    return canvas.render()


# --- Priority setting matrix -----------------------------------------------------------------

QUICK_WINS = "Quick wins"


def quadrant_name(impact: int | None, effort: int | None) -> str:
    """Scores of 4 or 5 are high; 1 to 3 are low. Quick wins: high impact for low effort."""
    if impact is None or effort is None:
        return "Not scored"
    high_impact, high_effort = impact >= 4, effort >= 4
    if high_impact and not high_effort:
        return QUICK_WINS
    if high_impact:
        return "Major projects"
    if not high_effort:
        return "Fill-ins"
    return "Thankless tasks"


def weighted_ranking(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Options with their weighted totals, best first; unscored criteria count as zero."""
    criteria = snapshot.get("criteria", [])
    best = sum(c["weight"] * 5 for c in criteria)
    ranked = []
    for option in snapshot.get("options", []):
        total = sum(c["weight"] * option["scores"].get(c["name"], 0) for c in criteria)
        missing = [c["name"] for c in criteria if c["name"] not in option["scores"]]
        ranked.append(
            {
                "name": option["name"],
                "total": total,
                "percent": round(100 * total / best) if best else 0,
                "scores": [option["scores"].get(c["name"]) for c in criteria],
                "missing": missing,
            }
        )
    ranked.sort(key=lambda r: -r["total"])
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    return ranked


def impact_effort(snapshot: dict[str, Any], *, ident: str = "priority-matrix") -> str:
    """A 2x2 grid: effort across (low to high), impact up; options as numbered points."""
    options = list(snapshot.get("options", []))
    scored = [(n, o) for n, o in enumerate(options, start=1) if o.get("impact") and o.get("effort")]
    plot, left, top = 400, 70, 20
    legend_x = left + plot + 30
    legend_lines = [
        wrap(
            f"{n}. {o['name']} (impact {o['impact']}, effort {o['effort']}): {quadrant_name(o['impact'], o['effort'])}",
            40,
            3,
        )
        for n, o in scored
    ]
    legend_h = sum(len(lines) * LINE_HEIGHT + 6 for lines in legend_lines)
    width = legend_x + 300
    height = max(top + plot + 60, top + 30 + legend_h)
    quick = [o["name"] for _n, o in scored if quadrant_name(o["impact"], o["effort"]) == QUICK_WINS]
    canvas = Canvas(
        width,
        height,
        ident,
        f"Impact and effort matrix: {snapshot.get('title', '')}",
        f"{len(scored)} options scored. Quick wins: "
        + ("; ".join(quick) if quick else "none")
        + ".",
    )

    def px(effort: float) -> float:
        return left + (effort - 0.5) / 5 * plot

    def py(impact: float) -> float:
        return top + plot - (impact - 0.5) / 5 * plot

    # The split falls between 3 and 4 (see quadrant_name).
    split_x, split_y = px(3.5), py(3.5)
    regions = [
        (left, top, split_x - left, split_y - top, QUICK_WINS, "high impact, low effort", PALE),
        (
            split_x,
            top,
            left + plot - split_x,
            split_y - top,
            "Major projects",
            "high impact, high effort",
            "#ffffff",
        ),
        (
            left,
            split_y,
            split_x - left,
            top + plot - split_y,
            "Fill-ins",
            "low impact, low effort",
            "#ffffff",
        ),
        (
            split_x,
            split_y,
            left + plot - split_x,
            top + plot - split_y,
            "Thankless tasks",
            "low impact, high effort",
            PALE,
        ),
    ]
    for x, y, w, h, name, hint, fill in regions:
        canvas.add(
            "rect",
            x=float(x),
            y=float(y),
            width=float(w),
            height=float(h),
            fill=fill,
            stroke=INK,
            stroke_width=1,
        )
        canvas.text(x + 8, y + 20, name, weight="bold", fill=BLUE if name == QUICK_WINS else INK)
        canvas.text(x + 8, y + 36, hint, size=11, fill=GREY)
    for value in range(1, 6):
        canvas.text(px(value), top + plot + 18, str(value), size=12, anchor="middle", fill=GREY)
        canvas.text(left - 10, py(value) + 4, str(value), size=12, anchor="end", fill=GREY)
    canvas.text(
        left + plot / 2, top + plot + 42, "Effort (1 low to 5 high)", anchor="middle", weight="bold"
    )
    canvas.parts.append(
        f'<text x="18" y="{_num(top + plot / 2)}" font-size="13" font-weight="bold" fill="{INK}" '
        f'text-anchor="middle" transform="rotate(-90 18 {_num(top + plot / 2)})">'
        "Impact (1 low to 5 high)</text>"
    )
    seen: dict[tuple[int, int], int] = {}
    for n, o in scored:
        key = (o["impact"], o["effort"])
        k = seen.get(key, 0)
        seen[key] = k + 1
        # Options with the same scores fan out around their point instead of hiding each other.
        angle = k * 2.4
        cx = px(o["effort"]) + (14 * math.cos(angle) if k else 0)
        cy = py(o["impact"]) + (14 * math.sin(angle) if k else 0)
        canvas.add(
            "circle",
            cx=float(cx),
            cy=float(cy),
            r=11,
            fill=BLUE,
            stroke="#ffffff",
            stroke_width=1.5,
        )
        canvas.text(cx, cy + 4, str(n), size=11, anchor="middle", fill="#ffffff", weight="bold")
    ty = top + 14
    canvas.text(legend_x, ty, "Options", weight="bold")
    ty += 22
    for lines in legend_lines:
        canvas.text(legend_x, ty, lines, size=12)
        ty += len(lines) * LINE_HEIGHT + 6
    return canvas.render()


def weighted_chart(snapshot: dict[str, Any], *, ident: str = "priority-matrix") -> str:
    """Weighted totals as horizontal bars, best first."""
    ranked = weighted_ranking(snapshot)
    label_w, bar_w, bar_h, top = 230, 320, 26, 40
    width = label_w + bar_w + 110
    height = top + max(1, len(ranked)) * (bar_h + 12) + 20
    best = sum(c["weight"] * 5 for c in snapshot.get("criteria", [])) or 1
    canvas = Canvas(
        width,
        height,
        ident,
        f"Weighted ranking: {snapshot.get('title', '')}",
        "Options ranked by weighted score: "
        + "; ".join(f"{r['rank']}. {r['name']} ({r['total']})" for r in ranked),
    )
    canvas.text(10, 22, f"Weighted score (highest possible {best})", weight="bold")
    for i, row in enumerate(ranked):
        y = top + i * (bar_h + 12)
        canvas.text(
            label_w - 10, y + 18, wrap(f"{row['rank']}. {row['name']}", 30, 1), anchor="end"
        )
        w = bar_w * row["total"] / best
        canvas.add(
            "rect", x=float(label_w), y=float(y), width=float(max(w, 1)), height=bar_h, fill=BLUE
        )
        canvas.text(label_w + w + 8, y + 18, str(row["total"]), weight="bold")
    return canvas.render()


def priority_matrix(snapshot: dict[str, Any], *, ident: str = "priority-matrix") -> str:
    if snapshot.get("method") == "weighted":
        return weighted_chart(snapshot, ident=ident)
    return impact_effort(snapshot, ident=ident)


DRAWERS = {
    "fishbone": fishbone,
    "five-whys": five_whys,
    "process-map": process_map,
    "swot": swot,
    "priority-matrix": priority_matrix,
}


def draw(slug: str, snapshot: dict[str, Any], *, ident: str | None = None) -> str:
    return DRAWERS[slug](snapshot, ident=ident or slug)


# --- Text alternatives -----------------------------------------------------------------------


def outline(slug: str, snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the picture shows, as data for the nested lists beside it."""
    if slug == "process-map":
        layout = process_layout(snapshot)
        labels = {s["id"]: s["label"] for s in snapshot.get("steps", [])}
        steps = sorted(snapshot.get("steps", []), key=lambda s: layout["column"].get(s["id"], 0))
        return {
            "steps": [
                {
                    **s,
                    "next": [
                        {"label": a.get("label", ""), "to": labels[a["to"]]}
                        for a in snapshot.get("arrows", [])
                        if a["from"] == s["id"] and a["to"] in labels
                    ],
                }
                for s in steps
            ]
        }
    if slug == "swot":
        items = snapshot.get("items", {})
        return {
            "quadrants": [
                {
                    "name": name,
                    "hint": hint,
                    "items": [
                        {**i, "priority_name": PRIORITY_NAMES.get(i["priority"], "")}
                        for i in sorted(items.get(code, []), key=lambda i: i["priority"])
                    ],
                }
                for code, name, hint in QUADRANTS
            ],
            "strategies": snapshot.get("strategies", []),
        }
    if slug == "priority-matrix":
        options = [
            {**o, "quadrant": quadrant_name(o.get("impact"), o.get("effort"))}
            for o in snapshot.get("options", [])
        ]
        return {
            "options": options,
            "quick_wins": [o["name"] for o in options if o["quadrant"] == QUICK_WINS],
            "ranking": weighted_ranking(snapshot),
        }
    return {}
