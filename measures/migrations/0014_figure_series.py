"""Figures stored one row per series (FigureSeries) rather than one per figure; DataPoint
becomes a read-only view of the same figures as rows."""

import datetime as dt

import django.db.models.deletion
import measures.models
from django.db import migrations, models

VIEW = {
    "postgresql": (
        "CREATE VIEW measures_datapoint AS "
        "SELECT s.site_id, s.measure_id, s.frequency, p.period::date AS period, "
        "p.value::double precision AS value, p.upload_id::bigint AS upload_id "
        "FROM measures_figureseries s CROSS JOIN LATERAL ROWS FROM ("
        "json_array_elements_text(s.periods), json_array_elements_text(s.\"values\"), "
        "json_array_elements_text(s.uploads)) AS p(period, value, upload_id)"
    ),
    # SQLite 3.38+ (JSON built in): one row per element of the periods, the value and upload
    # at the same position.
    "sqlite": (
        "CREATE VIEW measures_datapoint AS "
        "SELECT s.site_id AS site_id, s.measure_id AS measure_id, s.frequency AS frequency, "
        "p.value AS period, "
        "json_extract(s.\"values\", '$[' || p.key || ']') AS value, "
        "json_extract(s.uploads, '$[' || p.key || ']') AS upload_id "
        "FROM measures_figureseries s, json_each(s.periods) AS p"
    ),
}


def series_from_points(apps, schema_editor):
    """Each (site, measure, frequency)'s figures as one series row, read in key order so
    that a series is complete when the key changes."""
    point = apps.get_model("measures", "DataPoint")
    series = apps.get_model("measures", "FigureSeries")
    batch, current, key = [], None, None
    rows = point.objects.order_by("site_id", "measure_id", "frequency", "period")
    for row in rows.values_list(
        "site_id", "measure_id", "frequency", "period", "value", "upload_id"
    ).iterator(chunk_size=10_000):
        if row[:3] != key:
            key = row[:3]
            site_id, measure_id, frequency = key
            current = series(
                site_id=site_id, measure_id=measure_id, frequency=frequency,
                periods=[], values=[], uploads=[],
            )
            batch.append(current)
            if len(batch) >= 500:
                series.objects.bulk_create(batch[:-1])
                batch = batch[-1:]
        if not current.periods:
            current.first = row[3]
        current.last = row[3]
        current.periods.append(row[3].isoformat())
        current.values.append(float(row[4]))
        current.uploads.append(row[5])
    series.objects.bulk_create(batch)


def points_from_series(apps, schema_editor):
    point = apps.get_model("measures", "DataPoint")
    series = apps.get_model("measures", "FigureSeries")
    for row in series.objects.iterator(chunk_size=500):
        point.objects.bulk_create(
            point(
                site_id=row.site_id, measure_id=row.measure_id, frequency=row.frequency,
                period=dt.date.fromisoformat(period), value=value, upload_id=upload_id,
            )
            for period, value, upload_id in zip(
                row.periods, row.values, row.uploads, strict=True
            )
        )


def series_compressed_with_lz4(apps, schema_editor):
    """As for the figures per group (0013): lz4 where PostgreSQL has it, rather than pglz."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if not row or not row[0]:
            return
        for column in ("periods", "values", "uploads"):
            cursor.execute(
                f'ALTER TABLE measures_figureseries ALTER COLUMN "{column}" SET COMPRESSION lz4'
            )


def view_create(apps, schema_editor):
    schema_editor.execute(VIEW[schema_editor.connection.vendor])


def view_drop(apps, schema_editor):
    schema_editor.execute("DROP VIEW IF EXISTS measures_datapoint")


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0013_grouped_series'),
        ('projects', '0006_audit_hand_entry_and_confirmation'),
    ]

    operations = [
        migrations.CreateModel(
            name='FigureSeries',
            fields=[
                ('pk', models.CompositePrimaryKey('site_id', 'measure_id', 'frequency', blank=True, editable=False, primary_key=True, serialize=False)),
                ('frequency', models.CharField(choices=[('weekly', 'Weekly'), ('monthly', 'Monthly')], max_length=8)),
                ('first', models.DateField(help_text='The first period with a figure.')),
                ('last', models.DateField(help_text='The last period with a figure.')),
                ('periods', measures.models.SeriesField(default=list, help_text='The Monday of each week (or 1st of each month) with a figure, ISO dates in order.')),
                ('values', measures.models.SeriesField(default=list, help_text='The figure of each period.')),
                ('uploads', measures.models.SeriesField(default=list, help_text='The upload each figure came from.')),
                ('measure', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measures.measure')),
                ('site', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.site')),
            ],
            options={
                'verbose_name_plural': 'figure series',
                'ordering': ['site', 'measure', 'frequency'],
            },
        ),
        migrations.RunPython(series_compressed_with_lz4, migrations.RunPython.noop),
        migrations.RunPython(series_from_points, points_from_series, elidable=True),
        migrations.DeleteModel(
            name='DataPoint',
        ),
        migrations.CreateModel(
            name='DataPoint',
            fields=[
                ('pk', models.CompositePrimaryKey('site_id', 'measure_id', 'period', 'frequency', blank=True, editable=False, primary_key=True, serialize=False)),
                ('frequency', models.CharField(choices=[('weekly', 'Weekly'), ('monthly', 'Monthly')], max_length=8)),
                ('period', models.DateField(help_text='Monday of the week, or the 1st of the month.')),
                ('value', models.FloatField()),
                ('measure', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.measure')),
                ('site', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.site')),
                ('upload', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='measures.upload')),
            ],
            options={
                'db_table': 'measures_datapoint',
                'ordering': ['site', 'measure', 'frequency', 'period'],
                'managed': False,
            },
        ),
        migrations.RunPython(view_create, view_drop),
        # GroupedSeries shares FigureSeries' fields (models.SeriesRow): help texts only.
        migrations.AlterField(
            model_name='groupedseries',
            name='first',
            field=models.DateField(help_text='The first period with a figure.'),
        ),
        migrations.AlterField(
            model_name='groupedseries',
            name='last',
            field=models.DateField(help_text='The last period with a figure.'),
        ),
        migrations.AlterField(
            model_name='groupedseries',
            name='periods',
            field=measures.models.SeriesField(default=list, help_text='The Monday of each week (or 1st of each month) with a figure, ISO dates in order.'),
        ),
        migrations.AlterField(
            model_name='groupedseries',
            name='values',
            field=measures.models.SeriesField(default=list, help_text='The figure of each period.'),
        ),
    ]
