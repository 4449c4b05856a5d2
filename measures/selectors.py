"""Reads for measures: the data dictionary, freshness, series and uploads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from projects.models import Site

from .models import DataPoint, Frequency, LocalDefinition, Measure, Upload

RECENT_WEEKS = 12


def measure_list() -> QuerySet[Measure]:
    return Measure.objects.select_related("numerator", "denominator").order_by("order", "name")


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def local_definitions(
    *, measure: Measure, sites: Iterable[Site]
) -> dict[int, LocalDefinition | None]:
    """Each site's definition of `measure` (None where the site has not agreed one)."""
    site_ids = [s.pk for s in sites]
    found = {
        d.site_id: d for d in LocalDefinition.objects.filter(measure=measure, site_id__in=site_ids)
    }
    return {site_id: found.get(site_id) for site_id in site_ids}


def site_definitions(*, site: Site) -> list[tuple[Measure, LocalDefinition | None]]:
    """Every standard measure with the site's definition of it, in programme order."""
    found = {d.measure_id: d for d in LocalDefinition.objects.filter(site=site)}
    return [(m, found.get(m.pk)) for m in measure_list()]


def definitions_differ(*, measure: Measure, sites: Iterable[Site]) -> bool:
    """True when the sites do not share one definition of `measure`: the texts differ (ignoring
    case and spacing) or a site has none. One site alone has nothing to differ from."""
    definitions = local_definitions(measure=measure, sites=sites)
    if len(definitions) < 2:
        return False
    if any(d is None for d in definitions.values()):
        return True
    return len({_normalised(d.definition) for d in definitions.values() if d}) > 1


def measures_with_differing_definitions(*, sites: Iterable[Site]) -> set[int]:
    """Ids of the measures whose definitions differ between `sites` (one query in all)."""
    sites = list(sites)
    if len(sites) < 2:
        return set()
    texts: dict[int, dict[int, str]] = {}
    for d in LocalDefinition.objects.filter(site__in=sites):
        texts.setdefault(d.measure_id, {})[d.site_id] = _normalised(d.definition)
    differ = set()
    for measure_id in Measure.objects.values_list("pk", flat=True):
        by_site = texts.get(measure_id, {})
        if len(by_site) < len(sites) or len(set(by_site.values())) > 1:
            differ.add(measure_id)
    return differ


@dataclass(frozen=True)
class Freshness:
    last_upload_at: dt.datetime | None
    last_week: dt.date | None
    missing_weeks: list[dt.date]  # Mondays of recent complete weeks with no figures at all
    recent_weeks: list[dt.date]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def site_freshness(*, site: Site, today: dt.date) -> Freshness:
    """When the site's data last arrived, its latest week, and which of the last 12 complete
    weeks have no figures (the current week is not over, so it is not counted as missing)."""
    last_upload = (
        Upload.objects.filter(sites=site, status=Upload.Status.DONE, undone_at__isnull=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    weekly = DataPoint.objects.filter(site=site, frequency=Frequency.WEEKLY)
    last_week = weekly.aggregate(last=Max("period"))["last"]
    this_week = monday(today)
    recent = [this_week - dt.timedelta(weeks=n) for n in range(RECENT_WEEKS, 0, -1)]
    present = set(
        weekly.filter(period__gte=recent[0], period__lte=recent[-1])
        .values_list("period", flat=True)
        .distinct()
    )
    return Freshness(
        last_upload_at=last_upload,
        last_week=last_week,
        missing_weeks=[w for w in recent if w not in present],
        recent_weeks=recent,
    )


def series(
    *, site: Site, measure: Measure, frequency: str = Frequency.WEEKLY
) -> list[tuple[dt.date, float]]:
    return list(
        DataPoint.objects.filter(site=site, measure=measure, frequency=frequency)
        .order_by("period")
        .values_list("period", "value")
    )


def site_latest_values(*, site: Site) -> list[dict[str, Any]]:
    """Per measure with weekly figures at the site: how many weeks, the first and last week
    and the latest value."""
    latest: dict[int, dict[str, Any]] = {}
    for measure_id, period, value in (
        DataPoint.objects.filter(site=site, frequency=Frequency.WEEKLY)
        .order_by("measure_id", "period")
        .values_list("measure_id", "period", "value")
    ):
        entry = latest.setdefault(measure_id, {"weeks": 0, "first": period})
        entry.update(weeks=entry["weeks"] + 1, last=period, value=value)
    return [{"measure": m, **latest[m.pk]} for m in measure_list() if m.pk in latest]


def site_uploads(*, site: Site, limit: int = 20) -> list[Upload]:
    """Uploads sent for the site or that touched it, newest first."""
    ids = set(Upload.objects.filter(site=site).values_list("pk", flat=True)[:limit])
    ids |= set(Upload.objects.filter(sites=site).values_list("pk", flat=True)[:limit])
    return list(Upload.objects.filter(pk__in=ids).select_related("uploaded_by", "site")[:limit])


SITE_EXPORT_HEADER = ["site", "period", "frequency", "measure", "measure_name", "value", "upload"]


def site_export_rows(*, site: Site) -> Iterator[list[Any]]:
    """Every stored figure of the site, oldest first, for download."""
    points = (
        DataPoint.objects.filter(site=site)
        .select_related("measure")
        .order_by("frequency", "period", "measure__order", "measure__code")
    )
    for point in points.iterator(chunk_size=5000):
        yield [
            site.code,
            point.period,
            point.frequency,
            point.measure.code,
            point.measure.name,
            point.value,
            point.upload_id,
        ]
