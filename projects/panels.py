"""Dashboard panels, digest sections and alerts that the other apps contribute.

`projects` draws the site dashboard, the programme dashboard, the meeting pack and the weekly
digest, but the data comes from `phases`, `toolkit` and `measures`, which depend on `projects`
(never the other way). Each app registers what it contributes in its `AppConfig.ready()`.

Every `build` takes all the sites at once and returns data per site id, so a dashboard of 50
sites runs the same number of queries as one of 5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import Site

if TYPE_CHECKING:
    from projects.http import AnyUser


@dataclass(frozen=True)
class PackMarker:
    """How a point is drawn in the pack: the app that owns the chart says, so the pack draws
    the same shapes and colours as the chart page. `symbol` is a plotly marker name: circle,
    triangle-up, triangle-down, diamond, square, x-open or circle-open (provisional)."""

    symbol: str
    color: str  # "#RRGGBB"
    outline: str
    size: float  # relative to a plain point
    name: str  # what the key says


@dataclass(frozen=True)
class PackAnnotation:
    """Something marked on a pack chart: a lettered marker, a band (PDSA cycle) or a line."""

    marker: str
    kind: str  # "pdsa" | "rebase" | "note" | "exclusion"
    start: dt.date
    end: dt.date | None
    line: str  # the key's words


@dataclass(frozen=True)
class PackChart:
    """A chart for the PDF meeting pack, drawn by projects.pack from plain numbers.

    `markers` has one entry per point; `headline` is read before the chart and `summary` after
    it; `limits_lower`/`limits_upper` are the limits as drawn (within the measure's bounds)."""

    title: str
    dates: list[dt.date]
    values: list[float | None]
    centre: list[float | None]
    lower: list[float | None] = field(default_factory=list)
    upper: list[float | None] = field(default_factory=list)
    markers: list[PackMarker] = field(default_factory=list)
    annotations: list[PackAnnotation] = field(default_factory=list)
    target: float | None = None
    line_color: str = "#768692"
    target_color: str = "#DA291C"
    band_color: str = "#FFB81C"
    headline: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PackSection:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: tuple[list[str], list[list[str]]] | None = None
    charts: list[PackChart] = field(default_factory=list)


@dataclass(frozen=True)
class PanelContext:
    sites: Sequence[Site]
    today: dt.date
    user: AnyUser | None = None  # None on shared (anonymous) views
    shared: bool = False  # shared views hide small counts
    small_count_threshold: int = 5


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    order: int
    build: Callable[[PanelContext], dict[int, Any]]
    template: str  # site dashboard fragment; context: panel, data, site, shared, can_edit
    # What the programme dashboard's cells and section need, where that is less than `build`
    # gives a site's own dashboard (the same shape, fewer fields filled): None means `build`.
    programme_build: Callable[[PanelContext], dict[int, Any]] | None = None
    programme_template: str | None = None  # one cell of the programme dashboard table
    programme_heading: str | None = None
    # A section of the programme dashboard drawn from every site's data at once (e.g. the
    # sites x measures grid): `programme_section(sites, data by site id)` shapes what
    # `programme_section_template` draws; it must not query per site.
    programme_section: Callable[[Sequence[Site], dict[int, Any]], Any] | None = None
    programme_section_template: str | None = None
    pack: Callable[[Any, Site], list[PackSection]] | None = None  # meeting pack sections


@dataclass(frozen=True)
class DigestSection:
    """A part of the weekly e-mail digest. `build(user, sites, today)` returns lines of text;
    no lines means the section is left out."""

    key: str
    label: str  # shown on the preferences page
    order: int
    build: Callable[[Any, Sequence[Site], dt.date], list[str]]


@dataclass(frozen=True)
class Alert:
    """A message sent outside the digest (e.g. a sustainability check-in). `find(today)` returns
    (user, reference, subject, body); each reference is sent to a user once."""

    key: str
    label: str
    find: Callable[[dt.date], list[tuple[Any, str, str, str]]]


@dataclass(frozen=True)
class ProjectBody:
    """What a project's page shows under its title (the phases board, from `phases`):
    `build(project=, today=)` returns the template's `board`."""

    build: Callable[..., Any]


PROJECT_BODY: list[ProjectBody] = []
PANELS: dict[str, Panel] = {}
DIGEST_SECTIONS: dict[str, DigestSection] = {}
ALERTS: dict[str, Alert] = {}


def register_panel(panel: Panel) -> None:
    PANELS[panel.key] = panel


def register_project_body(body: ProjectBody) -> None:
    PROJECT_BODY[:] = [body]


def project_body(*, project: Any, today: dt.date) -> Any:
    return PROJECT_BODY[0].build(project=project, today=today) if PROJECT_BODY else None


def register_digest_section(section: DigestSection) -> None:
    DIGEST_SECTIONS[section.key] = section


def register_alert(alert: Alert) -> None:
    ALERTS[alert.key] = alert


def panels() -> list[Panel]:
    return sorted(PANELS.values(), key=lambda p: (p.order, p.key))


def digest_sections() -> list[DigestSection]:
    return sorted(DIGEST_SECTIONS.values(), key=lambda s: (s.order, s.key))


def build_panels(context: PanelContext) -> list[tuple[Panel, dict[int, Any]]]:
    return [(panel, panel.build(context)) for panel in panels()]
