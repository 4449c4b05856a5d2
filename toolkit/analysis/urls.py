"""The analysis tools' own actions (their item and part pages come from toolkit/urls.py)."""

from django.urls import path

from . import views

P = "sites/<str:site_code>/projects/<int:project_id>/toolkit/"

urlpatterns = [
    path(
        f"{P}fishbone/<int:fishbone_id>/causes/<int:cause_id>/five-whys/",
        views.cause_five_whys,
        name="fishbone-cause-five-whys",
    ),
    path(
        f"{P}priority-matrix/<int:priority_matrix_id>/options/<int:option_id>/scores/",
        views.option_scores,
        name="priority-matrix-option-scores",
    ),
]
