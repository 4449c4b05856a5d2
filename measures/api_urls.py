from django.urls import path, re_path

from . import api

app_name = "measures-api"

urlpatterns = [
    path("uploads", api.upload_create, name="uploads"),
    path("uploads/<int:upload_id>", api.upload_detail, name="upload"),
    path("uploads/<int:upload_id>/confirm", api.upload_confirm, name="upload-confirm"),
    path("uploads/<int:upload_id>/cancel", api.upload_cancel, name="upload-cancel"),
    path(
        "sites/<str:site_code>/measures/<str:measure_code>/values",
        api.values_create,
        name="values",
    ),
    path("sites/<str:site_code>/measures/<str:measure_code>/series", api.series, name="series"),
    path("openapi.json", api.openapi, name="openapi"),
    # Last: every other address under /api/v1/ answers as the API does, in JSON.
    re_path(r"^(?P<rest>[\s\S]*)$", api.not_found, name="not-found"),
]
