"""ChartState.glance: what dashboards read of a chart, apart from its whole summary (issue 16).
Charts built before it get their glance from their summary and the site's figures."""

from django.db import migrations, models

# As measures.charts.services.GLANCE_KEYS and GLANCE_WEEKS when this migration was written.
GLANCE_KEYS = (
    "variation_icon",
    "assurance_icon",
    "last_value",
    "last_date",
    "latest_signal",
    "latest_signal_periods",
)
GLANCE_WEEKS = 16


def fill_glances(apps, schema_editor):
    ChartState = apps.get_model("measures", "ChartState")
    DataPoint = apps.get_model("measures", "DataPoint")
    Measure = apps.get_model("measures", "Measure")
    sent: dict[tuple[int, str], dict[int, set]] = {}
    for state in ChartState.objects.exclude(summary={}).only(
        "site_id", "measure_id", "frequency", "summary"
    ):
        measure = Measure.objects.get(pk=state.measure_id)
        inputs = [measure.pk, measure.numerator_id, measure.denominator_id]
        key = (state.site_id, state.frequency)
        if key not in sent:
            sent[key] = {}
            for measure_id, period in DataPoint.objects.filter(
                site_id=state.site_id, frequency=state.frequency
            ).values_list("measure_id", "period"):
                sent[key].setdefault(measure_id, set()).add(period.isoformat())
        periods = sorted(set().union(*(sent[key].get(i, set()) for i in inputs)))
        state.glance = {
            **{k: state.summary.get(k) for k in GLANCE_KEYS},
            "recent_periods": periods[-GLANCE_WEEKS:],
        }
        state.save(update_fields=["glance"])


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0008_hand_entry_and_confirmation"),
    ]

    operations = [
        migrations.AddField(
            model_name="chartstate",
            name="glance",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(fill_glances, migrations.RunPython.noop),
    ]
