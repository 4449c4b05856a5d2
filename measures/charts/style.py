"""One visual language for every chart: the web figure, its PNG/SVG downloads, the small
multiples and the PDF meeting pack all take their colours and marker shapes from here.

Making Data Count's meanings (NHS England, "Making Data Count: getting started", 2019; the
colours of NHSRplotthedots ``ptd_spc_colours``): improvement blue, concern orange, common cause
grey, special cause that is neither purple, target red. They are drawn in the NHS identity
colours of the same names, as the Making Data Count icons in ``static/img/mdc`` are, because
those reach 3:1 against white (WCAG 1.4.11) where the Excel tools' light blue and grey do not;
orange does not either, so an orange marker always has a dark outline.

Never colour alone (analytics.md, "What users see"): each kind of point also has its own shape
(improvement a triangle, concern a diamond, neither a square, common cause a small circle), and
an improvement's triangle points the way the values went, as the H and L of the icons do.

Pure: no Django, no plotly. Shapes are named as plotly names its marker symbols; the pack draws
the same names with reportlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ANNOTATION_COLOURS",
    "FONT_FAMILY",
    "NHS_BLACK",
    "NHS_BLUE",
    "NHS_DARK_GREY",
    "NHS_MID_GREY",
    "NHS_ORANGE",
    "NHS_PALE_GREY",
    "NHS_PURPLE",
    "NHS_RED",
    "NHS_WARM_YELLOW",
    "NHS_WHITE",
    "PDSA_BAND",
    "POINT_STYLES",
    "TARGET",
    "PointStyle",
    "point_style",
]

# NHS identity colours (https://www.england.nhs.uk/nhsidentity/identity-guidelines/colours/).
NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_ORANGE = "#ED8B00"
NHS_PURPLE = "#330072"
NHS_RED = "#DA291C"
NHS_BLACK = "#212B32"
NHS_PALE_GREY = "#E8EDEE"
NHS_WARM_YELLOW = "#FFB81C"
NHS_WHITE = "#FFFFFF"

FONT_FAMILY = "Frutiger W01, Arial, sans-serif"

# Lines: the value line and common cause points grey, the centre black, limits grey dashed, the
# target red dashed (Making Data Count's red target line; purple is kept for "neither").
TARGET: dict[str, str] = {"color": NHS_RED, "dash": "dash"}
# PDSA cycles: a pale yellow band, a colour no signal uses.
PDSA_BAND: dict[str, Any] = {"color": NHS_WARM_YELLOW, "opacity": 0.22}
# Outline of the lettered marker of each kind of annotation.
ANNOTATION_COLOURS = {
    "pdsa": NHS_BLACK,
    "rebase": NHS_DARK_GREY,
    "note": NHS_DARK_GREY,
    "exclusion": NHS_DARK_GREY,
}


@dataclass(frozen=True, slots=True)
class PointStyle:
    """How one kind of point is drawn, and what its key says."""

    key: str  # e.g. "special_cause_improvement_low": the icon names of measures.charts.words
    name: str  # legend and key words
    color: str
    outline: str
    symbol: str  # plotly marker symbol: circle, triangle-up, triangle-down, diamond, square
    size: float  # relative to a common cause point


POINT_STYLES: dict[str, PointStyle] = {
    s.key: s
    for s in (
        PointStyle("common_cause", "Common cause", NHS_MID_GREY, NHS_MID_GREY, "circle", 1.0),
        PointStyle(
            "special_cause_improvement_high",
            "Special cause: improvement",
            NHS_BLUE,
            NHS_WHITE,
            "triangle-up",
            2.0,
        ),
        PointStyle(
            "special_cause_improvement_low",
            "Special cause: improvement",
            NHS_BLUE,
            NHS_WHITE,
            "triangle-down",
            2.0,
        ),
        PointStyle(
            "special_cause_concern_high",
            "Special cause: concern",
            NHS_ORANGE,
            NHS_BLACK,
            "diamond",
            2.0,
        ),
        PointStyle(
            "special_cause_concern_low",
            "Special cause: concern",
            NHS_ORANGE,
            NHS_BLACK,
            "diamond",
            2.0,
        ),
        PointStyle(
            "special_cause_neither_high",
            "Special cause: neither improvement nor concern",
            NHS_PURPLE,
            NHS_WHITE,
            "square",
            1.7,
        ),
        PointStyle(
            "special_cause_neither_low",
            "Special cause: neither improvement nor concern",
            NHS_PURPLE,
            NHS_WHITE,
            "square",
            1.7,
        ),
        PointStyle(
            "excluded", "Left out of the calculations", NHS_MID_GREY, NHS_MID_GREY, "x-open", 1.6
        ),
        # Hollow: a period not over when its figures came, left out of the rules.
        PointStyle("provisional", "Provisional", NHS_DARK_GREY, NHS_DARK_GREY, "circle-open", 1.6),
    )
}

_KIND = {
    "special_cause_improvement": "special_cause_improvement",
    "special_cause_concern": "special_cause_concern",
    "special_cause_neutral": "special_cause_neither",
}


def point_style(variation: str | None, direction: int = 1) -> PointStyle:
    """The style of a point from its ``variation`` (as ``measures.spc`` names it) and the
    direction of the signal that labels it (+1 higher or rising, -1 lower or falling)."""
    kind = _KIND.get(variation or "")
    if kind is None:
        return POINT_STYLES["common_cause"]
    return POINT_STYLES[f"{kind}_{'high' if direction > 0 else 'low'}"]


def legend() -> list[dict[str, str]]:
    """The shapes of a chart and what they mean, for a key drawn in HTML (small multiples)."""
    shown = (
        "special_cause_improvement_high",
        "special_cause_improvement_low",
        "special_cause_concern_high",
        "special_cause_neither_high",
        "common_cause",
    )
    items = []
    for key in shown:
        s = POINT_STYLES[key]
        name = s.name
        if key.startswith("special_cause_improvement"):
            name += ", higher values" if key.endswith("high") else ", lower values"
        items.append({"name": name, "symbol": s.symbol, "color": s.color, "outline": s.outline})
    items.append({"name": "Target", "symbol": "line", "color": TARGET["color"], "outline": ""})
    items.append(
        {"name": "PDSA cycle", "symbol": "band", "color": PDSA_BAND["color"], "outline": ""}
    )
    return items
