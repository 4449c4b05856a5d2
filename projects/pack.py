"""The meeting pack: a PDF of the site dashboard for the next stakeholder meeting.

Built with reportlab from the panels' `pack` sections, so it needs no browser or system library.
Charts are drawn from the same numbers as the chart pages (centre, limits, flagged points,
annotations), with their plain-words summaries beside them.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
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

NHS_BLUE = colors.HexColor("#005EB8")
DARK_GREY = colors.HexColor("#425563")
ORANGE = colors.HexColor("#ED8B00")
CHART_WIDTH = 170 * mm
CHART_HEIGHT = 60 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], textColor=NHS_BLUE, fontSize=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], textColor=NHS_BLUE),
        "h3": ParagraphStyle("h3", parent=base["Heading3"]),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=10, leading=13),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
    }


def chart_drawing(chart: panels.PackChart) -> Drawing:
    """A run or control chart: values, centre, limits, flagged points and annotations."""
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    left, right, bottom, top = 40, CHART_WIDTH - 10, 22, CHART_HEIGHT - 10
    numbers = [
        v
        for series in (chart.values, chart.centre, chart.lower, chart.upper)
        for v in series
        if v is not None
    ]
    n = len(chart.values)
    if n < 2 or not numbers:
        drawing.add(String(left, CHART_HEIGHT / 2, "Not enough data to draw a chart.", fontSize=9))
        return drawing
    low, high = min(numbers), max(numbers)
    if high == low:
        high, low = high + 1, low - 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad

    def x(i: int) -> float:
        return left + (right - left) * i / (n - 1)

    def y(v: float) -> float:
        return bottom + (top - bottom) * (v - low) / (high - low)

    drawing.add(Line(left, bottom, right, bottom, strokeColor=DARK_GREY, strokeWidth=0.5))
    drawing.add(Line(left, bottom, left, top, strokeColor=DARK_GREY, strokeWidth=0.5))
    for value in (low + pad, (low + high) / 2, high - pad):
        drawing.add(String(left - 3, y(value) - 3, f"{value:,.1f}", fontSize=7, textAnchor="end"))
    for i in sorted({0, n // 2, n - 1}):
        drawing.add(
            String(x(i), bottom - 10, f"{chart.dates[i]:%d %b %Y}", fontSize=7, textAnchor="middle")
        )

    def polyline(series: list[float | None], **style: Any) -> None:
        segment: list[float] = []
        for i, value in enumerate([*series, None]):
            if value is None:
                if len(segment) >= 4:
                    drawing.add(PolyLine(segment, **style))
                segment = []
            else:
                segment += [x(i), y(value)]

    for date, label in chart.annotations:
        if chart.dates[0] <= date <= chart.dates[-1]:
            i = min(range(n), key=lambda k: abs((chart.dates[k] - date).days))
            drawing.add(
                Line(x(i), bottom, x(i), top, strokeColor=DARK_GREY, strokeDashArray=[1, 2])
            )
            drawing.add(String(x(i) + 2, top - 8, label[:40], fontSize=6, fillColor=DARK_GREY))
    polyline(chart.upper, strokeColor=DARK_GREY, strokeDashArray=[4, 2], strokeWidth=0.7)
    polyline(chart.lower, strokeColor=DARK_GREY, strokeDashArray=[4, 2], strokeWidth=0.7)
    polyline(chart.centre, strokeColor=DARK_GREY, strokeWidth=0.9)
    polyline(chart.values, strokeColor=NHS_BLUE, strokeWidth=1.2)
    for i, value in enumerate(chart.values):
        if value is None:
            continue
        if i < len(chart.flagged) and chart.flagged[i]:
            # Flagged points are triangles, not just another colour.
            cx, cy = x(i), y(value)
            drawing.add(
                Polygon(
                    [cx, cy + 4, cx - 3.5, cy - 2.5, cx + 3.5, cy - 2.5],
                    fillColor=ORANGE,
                    strokeColor=colors.black,
                    strokeWidth=0.3,
                )
            )
        else:
            drawing.add(Circle(x(i), y(value), 1.4, fillColor=NHS_BLUE, strokeColor=NHS_BLUE))
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
        parts = [Paragraph(escape(chart.title), styles["h3"]), chart_drawing(chart)]
        parts += [Paragraph(escape(s), styles["small"]) for s in chart.summary]
        flow.append(KeepTogether(parts))
        flow.append(Spacer(1, 4 * mm))
    flow.append(Spacer(1, 4 * mm))
    return flow


def meeting_pack_sections(*, site: Site, today: dt.date, user: Any) -> list[panels.PackSection]:
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


def meeting_pack_pdf(*, site: Site, today: dt.date, user: Any) -> bytes:
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
