"""Reads for charts: the states the worker built, settings, adjustments, notes and shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from measures.models import (
    ChartAdjustment,
    ChartSettings,
    ChartSettingsChange,
    ChartState,
    Frequency,
    Measure,
    MeasureShare,
)
from projects.models import Site

# What dashboards need of a state; the figure and the table stay in the database.
_HEAVY = ("figure", "small_figure", "rows", "labels")
# The columns of states built before the summary named them (read until they are rebuilt).
LEGACY_COLUMNS = (
    "week",
    "value",
    "centre",
    "lower",
    "upper",
    "near_lower",
    "near_upper",
    "part",
    "excluded",
    "signals",
    "variation",
    "note",
)


def chart_columns(state: ChartState) -> list[str]:
    """The names of the columns of the state's rows (the CSV header)."""
    return list(state.summary.get("columns") or LEGACY_COLUMNS)


def chart_table(state: ChartState) -> list[dict[str, Any]]:
    """The state's rows as dicts keyed by column name ("" for a blank cell), whichever columns
    it was built with; a limit not drawn separately is drawn as computed."""
    columns = chart_columns(state)
    out = []
    for row in state.rows or []:
        cells = dict(zip(columns, row, strict=False))
        cells.setdefault("lower_drawn", cells.get("lower", ""))
        cells.setdefault("upper_drawn", cells.get("upper", ""))
        out.append(cells)
    return out


def chart_states(
    *,
    site_ids: Iterable[int],
    measure_ids: Iterable[int] | None = None,
    frequency: str = Frequency.WEEKLY,
    with_figures: bool = False,
) -> dict[tuple[int, int], ChartState]:
    """The built chart state of each (site id, measure id), in one query. Without
    `with_figures` only the summary is loaded (sentences, icons, latest signal, last value,
    signal periods): enough for a dashboard. A pair with no state yet is absent."""
    qs = ChartState.objects.filter(site_id__in=list(site_ids), frequency=frequency)
    if measure_ids is not None:
        qs = qs.filter(measure_id__in=list(measure_ids))
    if not with_figures:
        qs = qs.defer(*_HEAVY)
    return {(s.site_id, s.measure_id): s for s in qs}


def chart_state(
    *, site: Site, measure: Measure, frequency: str = Frequency.WEEKLY
) -> ChartState | None:
    return ChartState.objects.filter(site=site, measure=measure, frequency=frequency).first()


def chart_settings(*, site: Site, measure: Measure) -> ChartSettings:
    """The site's settings for the measure (an unsaved default when none are saved)."""
    found = ChartSettings.objects.filter(site=site, measure=measure).first()
    return found or ChartSettings(site=site, measure=measure)


def chart_adjustments(*, site: Site | int, measure: Measure | int) -> QuerySet[ChartAdjustment]:
    return ChartAdjustment.objects.filter(site=site, measure=measure).select_related("created_by")


def chart_history(*, site: Site, measure: Measure, limit: int = 50) -> list[ChartSettingsChange]:
    return list(
        ChartSettingsChange.objects.filter(site=site, measure=measure).select_related("user")[
            :limit
        ]
    )


def is_shared(*, site: Site, measure: Measure) -> bool:
    return MeasureShare.objects.filter(site=site, measure=measure).exists()


def shared_site_ids(*, measure: Measure, site_ids: Iterable[int]) -> set[int]:
    return set(
        MeasureShare.objects.filter(measure=measure, site_id__in=list(site_ids)).values_list(
            "site_id", flat=True
        )
    )
