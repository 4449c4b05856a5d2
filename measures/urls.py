from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/<int:measure_id>/edit/", views.measure_edit, name="measure-edit"),
    path("sites/<str:site_code>/data/", views.site_data, name="site-data"),
    path("sites/<str:site_code>/data/upload/", views.upload_create, name="upload-create"),
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
]
