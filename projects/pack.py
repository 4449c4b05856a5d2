"""The meeting pack: a PDF of the site dashboard for the next stakeholder meeting.

Built with reportlab from the panels' `pack` sections, so it needs no browser or system library.
Charts are drawn from the same numbers as the chart pages (centre, limits as drawn, points,
annotations), in the same shapes and colours (the chart's app says which, point by point), with
lettered markers for what is marked on them, a key, and their plain-words summaries.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import panels
from .models import Site

if TYPE_CHECKING:
    from projects.http import AnyUser

NHS_BLUE = colors.HexColor("#005EB8")
DARK_GREY = colors.HexColor("#425563")
BLACK = colors.HexColor("#212B32")
CHART_WIDTH = 170 * mm
CHART_HEIGHT = 64 * mm
LANE = 11  # points per lane of annotation markers
MARKER_FONT = 7


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], textColor=NHS_BLUE, fontSize=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], textColor=NHS_BLUE),
        "h3": ParagraphStyle("h3", parent=base["Heading3"]),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=10, leading=13),
        "lead": ParagraphStyle(
            "lead", parent=base["BodyText"], fontSize=10, leading=13, fontName="Helvetica-Bold"
        ),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
    }


def _marker_shape(symbol: str, cx: float, cy: float, r: float, fill: Any, outline: Any) -> Any:
    """A point drawn as the chart page draws it (plotly's symbol names)."""
    if symbol == "triangle-up":
        return Polygon(
            [cx, cy + r, cx - r, cy - r * 0.8, cx + r, cy - r * 0.8],
            fillColor=fill,
            strokeColor=outline,
            strokeWidth=0.4,
        )
    if symbol == "triangle-down":
        return Polygon(
            [cx, cy - r, cx - r, cy + r * 0.8, cx + r, cy + r * 0.8],
            fillColor=fill,
            strokeColor=outline,
            strokeWidth=0.4,
        )
    if symbol == "diamond":
        return Polygon(
            [cx, cy + r, cx + r, cy, cx, cy - r, cx - r, cy],
            fillColor=fill,
            strokeColor=outline,
            strokeWidth=0.4,
        )
    if symbol == "square":
        side = r * 1.6
        return Rect(
            cx - side / 2,
            cy - side / 2,
            side,
            side,
            fillColor=fill,
            strokeColor=outline,
            strokeWidth=0.4,
        )
    if symbol == "x-open":
        group = Group()
        group.add(Line(cx - r, cy - r, cx + r, cy + r, strokeColor=fill, strokeWidth=0.8))
        group.add(Line(cx - r, cy + r, cx + r, cy - r, strokeColor=fill, strokeWidth=0.8))
        return group
    if symbol == "circle-open":
        return Circle(cx, cy, r, fillColor=colors.white, strokeColor=fill, strokeWidth=0.8)
    return Circle(cx, cy, r, fillColor=fill, strokeColor=outline, strokeWidth=0.2)


def _lanes(starts: list[tuple[float, str]]) -> list[int]:
    """The lane of each lettered marker (x, text): the first where it clears the last one."""
    ends: list[float] = []
    lanes = []
    for x, text in starts:
        width = stringWidth(text, "Helvetica", MARKER_FONT) + 6
        lane = next((i for i, end in enumerate(ends) if end <= x), len(ends))
        if lane == len(ends):
            ends.append(x + width)
        else:
            ends[lane] = x + width
        lanes.append(lane)
    return lanes


def chart_drawing(chart: panels.PackChart) -> Drawing:  # noqa: C901 - one picture, drawn in order
    """A run or control chart: values, centre, limits, target, points in the shapes and colours
    of the chart page, and lettered markers in lanes for PDSA cycles, rebases and notes."""
    n = len(chart.values)
    numbers = [
        v
        for series in (chart.values, chart.centre, chart.lower, chart.upper)
        for v in series
        if v is not None
    ]
    if n < 2 or not numbers:
        drawing = Drawing(CHART_WIDTH, 20 * mm)
        drawing.add(String(0, 10 * mm, "Not enough data to draw a chart.", fontSize=9))
        return drawing
    if chart.target is not None:
        numbers.append(chart.target)
    left, right, bottom = 40.0, CHART_WIDTH - 12, 22.0
    first, last = chart.dates[0], chart.dates[-1]
    span = max((last - first).days, 1)
    pad_days = max(span * 0.015, 3.5)
    d0 = first.toordinal() - pad_days
    d1 = last.toordinal() + pad_days

    def x(d: dt.date) -> float:
        return left + (right - left) * (min(max(d.toordinal(), d0), d1) - d0) / (d1 - d0)

    marks = [(a, f"{a.marker}{'>' if a.end and a.end > last else ''}") for a in chart.annotations]
    lanes = _lanes([(x(a.start), text) for a, text in marks])
    n_lanes = max(lanes, default=-1) + 1
    height = CHART_HEIGHT + n_lanes * LANE
    top = height - 6 - n_lanes * LANE
    drawing = Drawing(CHART_WIDTH, height)

    low, high = min(numbers), max(numbers)
    if high == low:
        high, low = high + 1, low - 1
    pad = (high - low) * 0.06
    low, high = (max(low - pad, 0.0) if low >= 0 else low - pad), high + pad

    def y(v: float) -> float:
        return bottom + (top - bottom) * (v - low) / (high - low)

    for a, (_, text), lane in zip(chart.annotations, marks, lanes, strict=True):
        x0 = x(a.start)
        if a.kind == "pdsa":
            end = a.end or a.start + dt.timedelta(days=7)
            band = Rect(
                x0,
                bottom,
                max(x(end) - x0, 1),
                top - bottom,
                strokeColor=None,
                fillColor=colors.HexColor(chart.band_color),
                fillOpacity=0.25,
            )
            drawing.add(band)
        else:
            dash = [3, 2] if a.kind == "rebase" else [1, 2]
            drawing.add(
                Line(
                    x0,
                    bottom,
                    x0,
                    top,
                    strokeColor=DARK_GREY,
                    strokeDashArray=dash,
                    strokeWidth=0.6,
                )
            )
        width = stringWidth(text, "Helvetica", MARKER_FONT) + 4
        y0 = top + 2 + lane * LANE
        drawing.add(
            Rect(
                x0, y0, width, LANE - 2, fillColor=colors.white, strokeColor=BLACK, strokeWidth=0.4
            )
        )
        drawing.add(
            String(
                x0 + 2, y0 + 2.2, text, fontName="Helvetica", fontSize=MARKER_FONT, fillColor=BLACK
            )
        )

    drawing.add(Line(left, bottom, right, bottom, strokeColor=DARK_GREY, strokeWidth=0.5))
    drawing.add(Line(left, bottom, left, top, strokeColor=DARK_GREY, strokeWidth=0.5))
    for tick in (low + pad if low > 0 else low, (low + high) / 2, high - pad):
        drawing.add(String(left - 3, y(tick) - 3, f"{tick:,.1f}", fontSize=7, textAnchor="end"))
    for i in sorted({0, n // 2, n - 1}):
        day = chart.dates[i]
        drawing.add(String(x(day), bottom - 10, f"{day:%d %b %Y}", fontSize=7, textAnchor="middle"))

    def polyline(series: list[float | None], **style: Any) -> None:
        segment: list[float] = []
        for i, value in enumerate([*series, None]):
            if value is None:
                if len(segment) >= 4:
                    drawing.add(PolyLine(segment, **style))
                segment = []
            else:
                segment += [x(chart.dates[i]), y(value)]

    polyline(chart.upper, strokeColor=DARK_GREY, strokeDashArray=[4, 2], strokeWidth=0.7)
    polyline(chart.lower, strokeColor=DARK_GREY, strokeDashArray=[4, 2], strokeWidth=0.7)
    polyline(chart.centre, strokeColor=BLACK, strokeWidth=0.9)
    if chart.target is not None:
        drawing.add(
            Line(
                left,
                y(chart.target),
                right,
                y(chart.target),
                strokeColor=colors.HexColor(chart.target_color),
                strokeDashArray=[4, 2],
                strokeWidth=1,
            )
        )
    line = colors.HexColor(chart.line_color)
    polyline(chart.values, strokeColor=line, strokeWidth=1.1)
    for i, value in enumerate(chart.values):
        if value is None:
            continue
        m = chart.markers[i] if i < len(chart.markers) else None
        if m is None:
            drawing.add(Circle(x(chart.dates[i]), y(value), 1.4, fillColor=line, strokeColor=line))
            continue
        drawing.add(
            _marker_shape(
                m.symbol,
                x(chart.dates[i]),
                y(value),
                1.4 * m.size + 0.4,
                colors.HexColor(m.color),
                colors.HexColor(m.outline),
            )
        )
    return drawing


def _key_drawing(chart: panels.PackChart) -> Drawing | None:
    """The shapes on the chart and what they mean, in one row."""
    seen: dict[str, panels.PackMarker] = {}
    for m in chart.markers:
        if m.symbol != "circle":
            seen.setdefault(m.name, m)
    items: list[tuple[str, Any]] = [(m.name, m) for m in seen.values()]
    if chart.target is not None:
        items.append(("Target", None))
    if not items:
        return None
    drawing = Drawing(CHART_WIDTH, 12)
    cursor = 4.0
    for name, m in items:
        if m is None:
            drawing.add(
                Line(
                    cursor - 4,
                    6,
                    cursor + 4,
                    6,
                    strokeDashArray=[3, 1.5],
                    strokeColor=colors.HexColor(chart.target_color),
                )
            )
        else:
            drawing.add(
                _marker_shape(
                    m.symbol, cursor, 6, 3.2, colors.HexColor(m.color), colors.HexColor(m.outline)
                )
            )
        drawing.add(
            String(cursor + 7, 3.5, name, fontName="Helvetica", fontSize=7, fillColor=BLACK)
        )
        cursor += 14 + stringWidth(name, "Helvetica", 7)
    return drawing


def _section_flowables(section: panels.PackSection, styles: dict[str, ParagraphStyle]) -> list:
    flow: list = [Paragraph(escape(section.heading), styles["h2"])]
    for text in section.paragraphs:
        flow.append(Paragraph(escape(text), styles["body"]))
    if section.bullets:
        flow.append(
            ListFlowable(
                [ListItem(Paragraph(escape(b), styles["body"])) for b in section.bullets],
                bulletType="bullet",
                leftIndent=12,
            )
        )
    if section.table:
        header, rows = section.table
        data = [[Paragraph(f"<b>{escape(h)}</b>", styles["small"]) for h in header]]
        data += [[Paragraph(escape(str(c)), styles["small"]) for c in row] for row in rows]
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, DARK_GREY),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDEE")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        flow.append(table)
    for chart in section.charts:
        parts: list = [Paragraph(escape(chart.title), styles["h3"])]
        parts += [Paragraph(escape(s), styles["lead"]) for s in chart.headline]
        parts.append(chart_drawing(chart))
        key = _key_drawing(chart)
        if key is not None:
            parts.append(key)
        parts += [
            Paragraph(f"<b>{escape(a.marker)}</b> {escape(a.line)}", styles["small"])
            for a in chart.annotations
        ]
        parts += [Paragraph(escape(s), styles["small"]) for s in chart.summary]
        flow.append(KeepTogether(parts))
        flow.append(Spacer(1, 4 * mm))
    flow.append(Spacer(1, 4 * mm))
    return flow


def meeting_pack_sections(*, site: Site, today: dt.date, user: AnyUser) -> list[panels.PackSection]:
    context = panels.PanelContext(
        sites=[site],
        today=today,
        user=user,
        small_count_threshold=site.programme.small_count_threshold,
    )
    sections: list[panels.PackSection] = []
    for panel, data in panels.build_panels(context):
        if panel.pack is not None:
            sections += panel.pack(data.get(site.pk), site)
    return sections


def meeting_pack_pdf(*, site: Site, today: dt.date, user: AnyUser) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Meeting pack: {site.name}",
        author="THRIVE Tracker",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    story: list = [
        Paragraph(escape(f"Meeting pack: {site.name}"), styles["title"]),
        Paragraph(escape(f"Prepared {today:%d %B %Y} from THRIVE Tracker."), styles["body"]),
        Spacer(1, 6 * mm),
    ]
    sections = meeting_pack_sections(site=site, today=today, user=user)
    if not sections:
        story.append(Paragraph("Nothing has been recorded for this site yet.", styles["body"]))
    for section in sections:
        story += _section_flowables(section, styles)
    document.build(story)
    return buffer.getvalue()
