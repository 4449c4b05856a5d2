"""Every stored chart is rebuilt with the charts of issue 13 (lettered markers, fitted axes,
limits within bounds, the headline and its details, rows named by column).

Only marks them stale: the next page view shows the last version as "Updating…" and enqueues
the rebuild, as after any other change (measures.charts.views._ensure_fresh).
"""

from django.db import migrations
from django.db.models import F


def mark_stale(apps, schema_editor):
    ChartState = apps.get_model("measures", "ChartState")
    ChartState.objects.update(requested_version=F("requested_version") + 1, requested_at=None)


class Migration(migrations.Migration):
    dependencies = [("measures", "0005_datapoint_natural_key")]

    operations = [migrations.RunPython(mark_stale, migrations.RunPython.noop)]
