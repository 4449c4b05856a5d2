"""Reads for measures: the data dictionary, freshness, series and uploads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet

from projects.models import Site
from projects.permissions import Capability, site_ids_for

from .ingest.groups import GROUPINGS
from .models import FigureSeries, Frequency, GroupedSeries, LocalDefinition, Measure, Upload

if TYPE_CHECKING:
    from projects.http import AnyUser

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
    weekly = FigureSeries.objects.filter(site=site, frequency=Frequency.WEEKLY)
    last_week = weekly.aggregate(last=Max("last"))["last"]
    this_week = monday(today)
    recent = [this_week - dt.timedelta(weeks=n) for n in range(RECENT_WEEKS, 0, -1)]
    wanted = {week.isoformat(): week for week in recent}
    present = {
        wanted[period]
        for periods in weekly.filter(last__gte=recent[0]).values_list("periods", flat=True)
        for period in periods
        if period in wanted
    }
    return Freshness(
        last_upload_at=last_upload,
        last_week=last_week,
        missing_weeks=[w for w in recent if w not in present],
        recent_weeks=recent,
    )


def series(
    *, site: Site, measure: Measure, frequency: str = Frequency.WEEKLY
) -> list[tuple[dt.date, float]]:
    row = FigureSeries.objects.filter(site=site, measure=measure, frequency=frequency).first()
    return [] if row is None else [(period, value) for period, value, _ in row.points()]


@dataclass(frozen=True)
class GroupPoint:
    period: dt.date
    value: float | None  # None when suppressed
    fewer_than: int | None = None  # set when the figure is hidden as "fewer than N"


def grouped_series(
    *, site: Site, measure: Measure, by: str, threshold: int | None = None
) -> dict[str, list[GroupPoint]]:
    """Weekly figures per group of `by`, in the grouping's order (groups with no figure are
    left out). With `threshold`, a group-week describing fewer than `threshold` referrals
    (and more than none) is hidden: a count below it, or a median of fewer children."""
    grouping = GROUPINGS[by]
    out: dict[str, list[GroupPoint]] = {}
    for series in GroupedSeries.objects.filter(
        site=site, measure=measure, by=by, frequency=Frequency.WEEKLY
    ):
        out[series.group] = [
            GroupPoint(period, None, threshold)
            if threshold is not None and 0 < n < threshold
            else GroupPoint(period, value)
            for period, value, n in series.points()
        ]
    order = {g: i for i, g in enumerate(grouping.groups)}
    return dict(sorted(out.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def site_latest_values(*, site: Site) -> list[dict[str, Any]]:
    """Per measure with weekly figures at the site: how many weeks, the first and last week
    and the latest value."""
    latest: dict[int, dict[str, Any]] = {
        row.measure_id: {
            "weeks": len(row.periods),
            "first": row.first,
            "last": row.last,
            "value": row.values[-1],
        }
        for row in FigureSeries.objects.filter(site=site, frequency=Frequency.WEEKLY).defer(
            "uploads"
        )
    }
    return [{"measure": m, **latest[m.pk]} for m in measure_list() if m.pk in latest]


def site_uploads(*, site: Site, limit: int = 20) -> list[Upload]:
    """Uploads sent for the site or that touched it, newest first."""
    ids = set(Upload.objects.filter(site=site).values_list("pk", flat=True)[:limit])
    ids |= set(Upload.objects.filter(sites=site).values_list("pk", flat=True)[:limit])
    return list(Upload.objects.filter(pk__in=ids).select_related("uploaded_by", "site")[:limit])


@dataclass(frozen=True)
class UploadReport:
    """An upload's report as one reader may see it: the rows of the sites they may view.

    A file can hold several sites' figures (a programme lead's upload); its report lists
    values, changes and problems that are those sites' data, so each part is shown only to
    readers of its site, with a count of what was left out.
    """

    whole_file: bool  # the reader may see every site the file names
    problems: list[dict[str, Any]]
    per_site: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    withheld_problems: int
    withheld_values: int
    withheld_changes: int
    withheld_sites: int  # sites named in the file that the reader may not see
    # What confirming would change (an upload waiting for confirmation), or None.
    preview: dict[str, Any] | None = None

    @property
    def values_shown(self) -> int:
        return sum(int(row.get("values", 0)) for row in self.per_site)

    @property
    def withheld(self) -> bool:
        return bool(self.withheld_problems or self.withheld_values or self.withheld_changes)


def _file_sites(upload: Upload) -> set[str] | None:
    """The sites the file names; None when unknown (a report written before it was kept)."""
    report = upload.report or {}
    if "file_sites" in report:
        return set(report["file_sites"])
    if upload.status == Upload.Status.DONE:
        named = {row["site"] for row in report.get("read", {}).get("per_site", [])}
        named |= {c["site"] for c in report.get("changes", [])}
        return named | ({upload.site.code} if upload.site else set())
    return None


def upload_report(*, upload: Upload, user: AnyUser) -> UploadReport:
    """The parts of `upload`'s report that `user` may read (see UploadReport)."""
    report = upload.report or {}
    readable = set(
        Site.objects.filter(pk__in=site_ids_for(user, Capability.VIEW)).values_list(
            "code", flat=True
        )
    )
    named = _file_sites(upload)
    if named is None:  # unknown: only a reader of every site may see the rows
        named = set(Site.objects.values_list("code", flat=True))
    whole = named <= readable or (
        upload.uploaded_by_id is not None and upload.uploaded_by_id == user.pk
    )

    def shown(site: object, *, row: object = None) -> bool:
        if whole or (site is not None and site in readable):
            return True
        return site is None and row is None  # about the file, not any site's rows

    problems = [p for p in upload.problems if shown(p.get("site"), row=p.get("row"))]
    per_site_all = report.get("read", {}).get("per_site", [])
    per_site = [row for row in per_site_all if shown(row["site"], row=True)]
    changes_all = report.get("changes", [])
    changes = [c for c in changes_all if shown(c["site"], row=True)]
    preview = report.get("preview")
    if preview is not None and not whole:
        per_measure = [r for r in preview["per_measure"] if shown(r["site"], row=True)]
        preview = {
            **preview,
            "changed": sum(int(r["changed"]) for r in per_measure),
            "per_measure": per_measure,
            "largest": [r for r in preview["largest"] if shown(r["site"], row=True)],
            "earlier_uploads": [
                {**u, "sites": [c for c in u["sites"] if shown(c, row=True)]}
                for u in preview["earlier_uploads"]
                if any(shown(c, row=True) for c in u["sites"])
            ],
            "new": None,
            "unchanged": None,
        }
    return UploadReport(
        whole_file=whole,
        problems=problems,
        per_site=per_site,
        changes=changes,
        withheld_problems=len(upload.problems) - len(problems),
        withheld_values=sum(int(r["values"]) for r in per_site_all)
        - sum(int(r["values"]) for r in per_site),
        withheld_changes=len(changes_all) - len(changes),
        withheld_sites=0 if whole else len(named - readable),
        preview=preview,
    )


SITE_EXPORT_HEADER = ["site", "period", "frequency", "measure", "measure_name", "value", "upload"]


def site_export_rows(*, site: Site) -> Iterator[list[Any]]:
    """Every stored figure of the site, oldest first, for download."""
    rows: list[tuple[tuple[str, dt.date, int, str], str, float, int]] = []
    for series in FigureSeries.objects.filter(site=site).select_related("measure"):
        m = series.measure
        rows.extend(
            ((series.frequency, period, m.order, m.code), m.name, value, upload_id)
            for period, value, upload_id in series.points()
        )
    rows.sort(key=lambda row: row[0])
    for (frequency, period, _, code), name, value, upload_id in rows:
        yield [site.code, period, frequency, code, name, value, upload_id]


@dataclass(frozen=True)
class EntryRow:
    measure: Measure
    latest_week: dt.date | None
    latest_value: float | None


def entry_rows(*, site: Site, measures: QuerySet[Measure]) -> list[EntryRow]:
    """Each measure a person can type in, with the latest week the site holds for it."""
    ordered = list(measures.order_by("order", "name"))
    latest = {
        measure_id: (last, values[-1])
        for measure_id, last, values in FigureSeries.objects.filter(
            site=site, frequency=Frequency.WEEKLY, measure__in=[m.pk for m in ordered]
        ).values_list("measure_id", "last", "values")
    }
    return [
        EntryRow(measure=m, latest_week=latest[m.pk][0], latest_value=latest[m.pk][1])
        if m.pk in latest
        else EntryRow(measure=m, latest_week=None, latest_value=None)
        for m in ordered
    ]
