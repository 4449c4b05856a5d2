"""URL kwargs of measures' views, built from another site's objects (see test_permission_walk)."""

import datetime as dt

from measures.models import ChartAdjustment, Measure

from .factories import UploadFactory


def _adjustment(sw) -> int:
    return ChartAdjustment.objects.create(
        site=sw.site,
        measure=Measure.objects.get(code="closures"),
        kind="exclude",
        period=dt.date(2025, 1, 6),
        reason="Data error",
    ).pk


BUILDERS = {
    "adjustment_id": _adjustment,
    "upload_id": lambda sw: UploadFactory(site=sw.site).pk,
    "measure_id": lambda sw: Measure.objects.get(code="closures").pk,
    "measure_code": lambda sw: "closures",
    "fmt": lambda sw: "csv",
}
# Measures are programme-wide, not a site's objects: the walk proves site B's pages for a
# measure refuse site A's roles, and does not expect A's own pages for it to be refused.
GLOBAL_KWARGS = {"measure_id", "measure_code", "fmt"}
