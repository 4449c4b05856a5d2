"""The tools listed on a project's toolkit page, in the order shown. Each tool family adds its
entries here; the index page is drawn from this list alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class ToolEntry:
    slug: str
    name: str
    description: str
    list_url_name: str  # reversed with site_code and project_id
    queryset: Callable[[Any], QuerySet]  # project -> that project's items of this tool


def _analysis_entries() -> list[ToolEntry]:
    from toolkit.analysis.tools import TOOLS

    return [
        ToolEntry(
            slug=tool.slug,
            name=tool.name,
            description=tool.description,
            list_url_name=f"toolkit:{tool.slug}-list",
            queryset=lambda project, tool=tool: tool.queryset(project).order_by("-updated_at"),
        )
        for tool in TOOLS.values()
    ]


TOOLKIT: list[ToolEntry] = [
    *_analysis_entries(),
]
