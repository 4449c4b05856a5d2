from django.urls import path

from . import views
from .charts import views as chart_views

app_name = "measures"

urlpatterns = [
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/<int:measure_id>/edit/", views.measure_edit, name="measure-edit"),
    path("sites/<str:site_code>/data/", views.site_data, name="site-data"),
    path("sites/<str:site_code>/data/upload/", views.upload_create, name="upload-create"),
    path("sites/<str:site_code>/data/export.<str:fmt>", views.site_data_export, name="site-export"),
    path(
        "sites/<str:site_code>/data/uploads/<int:upload_id>/",
        views.upload_detail,
        name="upload-detail",
    ),
    path(
        "sites/<str:site_code>/data/uploads/<int:upload_id>/mapping/",
        views.upload_mapping,
        name="upload-mapping",
    ),
    path(
        "sites/<str:site_code>/data/uploads/<int:upload_id>/confirm/",
        views.upload_confirm,
        name="upload-confirm",
    ),
    path(
        "sites/<str:site_code>/data/uploads/<int:upload_id>/cancel/",
        views.upload_cancel,
        name="upload-cancel",
    ),
    path("sites/<str:site_code>/data/enter/", views.entry_index, name="entry-index"),
    path(
        "sites/<str:site_code>/data/enter/<str:measure_code>/",
        views.entry_weeks,
        name="entry-weeks",
    ),
    path(
        "sites/<str:site_code>/data/uploads/<int:upload_id>/undo/",
        views.upload_undo,
        name="upload-undo",
    ),
    path("sites/<str:site_code>/data/dictionary/", views.definition_list, name="definition-list"),
    path(
        "sites/<str:site_code>/data/dictionary/<str:measure_code>/",
        views.definition_edit,
        name="definition-edit",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/",
        chart_views.chart_page,
        name="chart",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/equity/",
        chart_views.chart_equity,
        name="chart-equity",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/equity/data/",
        chart_views.chart_equity_download,
        name="chart-equity-download",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/chart-data/",
        chart_views.chart_download,
        name="chart-download",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/notes/",
        chart_views.note_create,
        name="chart-note-create",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/settings/",
        chart_views.chart_settings,
        name="chart-settings",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/settings/adjustments/",
        chart_views.adjustment_create,
        name="chart-adjustment-create",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/settings/adjustments/"
        "<int:adjustment_id>/remove/",
        chart_views.adjustment_remove,
        name="chart-adjustment-remove",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/settings/share/",
        chart_views.share_set,
        name="chart-share",
    ),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/compare/",
        chart_views.chart_compare,
        name="chart-compare",
    ),
    path(
        "programme/measures/<str:measure_code>/",
        chart_views.programme_chart_compare,
        name="programme-chart-compare",
    ),
    path(
        "programme/measures/<str:measure_code>/equity/",
        chart_views.programme_equity_compare,
        name="programme-equity-compare",
    ),
]
