"""The toolkit's URLs: every tool's pages and part actions, drawn from its spec (toolkit.tools),
under `sites/<code>/projects/<id>/toolkit/<tool>/`; then each family's own actions (its `urls`).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views
from .analysis.urls import urlpatterns as analysis_urls
from .improvement.urls import urlpatterns as improvement_urls
from .learning.urls import urlpatterns as learning_urls
from .tools import Tool, tools

app_name = "toolkit"
PROJECT = "sites/<str:site_code>/projects/<int:project_id>/"
TOOLKIT = f"{PROJECT}toolkit/"


def tool_patterns(tool: Tool) -> list[URLPattern]:
    base = f"{TOOLKIT}{tool.slug}/"
    item = f"{base}<int:{tool.kwarg}>/"
    kw = {"tool": tool.slug}
    patterns = [
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
        name = tool.part_url_name(part)
        patterns += [
            path(f"{item}{part.slug}/add/", views.part_add, pkw, name=f"{name}-add"),
            path(f"{one}delete/", views.part_delete, pkw, name=f"{name}-delete"),
        ]
        if part.update is not None:
            patterns.append(path(f"{one}edit/", views.part_edit, pkw, name=f"{name}-edit"))
        if part.move is not None:
            patterns.append(path(f"{one}move/", views.part_move, pkw, name=f"{name}-move"))
    return patterns


MOVED = ("driver-diagram", "pdsa", "reflection", "sustainability", "story")  # see views.moved

urlpatterns = [
    path(TOOLKIT, views.toolkit_index, name="index"),
    *(pattern for tool in tools().values() for pattern in tool_patterns(tool)),
    *analysis_urls,
    *improvement_urls,
    *learning_urls,
    *(
        path(f"{PROJECT}{slug}/{rest}", views.moved, {"slug": slug}, name=f"moved-{slug}{name}")
        for slug in MOVED
        for rest, name in (("<path:rest>", ""), ("", "-list"))
    ),
]
