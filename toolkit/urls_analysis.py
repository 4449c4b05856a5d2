"""URLs of the analysis tools: `.../toolkit/<tool>/...`, the same set of pages for each tool."""

from __future__ import annotations

from django.urls import URLPattern, path

from .analysis import views
from .analysis.tools import TOOLS

PROJECT = "sites/<str:site_code>/projects/<int:project_id>/toolkit/"


def _tool_patterns() -> list[URLPattern]:
    patterns = []
    for tool in TOOLS.values():
        base = f"{PROJECT}{tool.slug}/"
        item = f"{base}<int:{tool.kwarg}>/"
        kw = {"tool": tool.slug}
        patterns += [
            path(base, views.item_list, kw, name=f"{tool.slug}-list"),
            path(f"{base}new/", views.item_create, kw, name=f"{tool.slug}-create"),
            path(item, views.item_detail, kw, name=f"{tool.slug}-detail"),
            path(f"{item}edit/", views.item_edit, kw, name=f"{tool.slug}-edit"),
            path(f"{item}delete/", views.item_delete, kw, name=f"{tool.slug}-delete"),
            path(f"{item}print/", views.item_print, kw, name=f"{tool.slug}-print"),
            path(f"{item}history/", views.item_history, kw, name=f"{tool.slug}-history"),
        ]
        for part in tool.parts:
            one = f"{item}{part.slug}/<int:{part.kwarg}>/"
            pkw = {**kw, "part": part.slug}
            name = f"{tool.slug}-{part.slug}"
            patterns += [
                path(f"{item}{part.slug}/add/", views.part_add, pkw, name=f"{name}-add"),
                path(f"{one}edit/", views.part_edit, pkw, name=f"{name}-edit"),
                path(f"{one}delete/", views.part_delete, pkw, name=f"{name}-delete"),
            ]
            if part.siblings is not None:
                patterns.append(path(f"{one}move/", views.part_move, pkw, name=f"{name}-move"))
    return patterns


urlpatterns = [
    path(PROJECT, views.toolkit_index, name="index"),
    *_tool_patterns(),
    path(
        f"{PROJECT}fishbone/<int:fishbone_id>/causes/<int:cause_id>/five-whys/",
        views.cause_five_whys,
        name="fishbone-cause-five-whys",
    ),
    path(
        f"{PROJECT}priority-matrix/<int:priority_matrix_id>/options/<int:option_id>/scores/",
        views.option_scores,
        name="priority-matrix-option-scores",
    ),
]
