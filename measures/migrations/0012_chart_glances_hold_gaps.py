"""Weekly charts keep the gaps between groups the site dashboard flags in their glance
(measures.charts.equity.gap_variations), built by the worker instead of on every page view.

Only marks the weekly charts of sites with figures per group stale, asked long ago, so that the
worker's sweep (measures.recovery) rebuilds them; until then the dashboard flags no gap.
"""

import datetime as dt

from django.db import migrations
from django.db.models import F


def mark_stale(apps, schema_editor):
    ChartState = apps.get_model("measures", "ChartState")
    GroupedDataPoint = apps.get_model("measures", "GroupedDataPoint")
    sites = GroupedDataPoint.objects.order_by().values("site_id").distinct()
    ChartState.objects.filter(frequency="weekly", site_id__in=sites).update(
        requested_version=F("requested_version") + 1,
        requested_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )


class Migration(migrations.Migration):
    dependencies = [("measures", "0011_datapoint_narrow_key")]

    operations = [migrations.RunPython(mark_stale, migrations.RunPython.noop)]
