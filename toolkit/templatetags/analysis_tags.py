"""URLs of an analysis item's pages and parts, without spelling out every kwarg in templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from toolkit.analysis.tools import TOOLS

register = template.Library()


def _item_kwargs(item: Any) -> dict[str, Any]:
    tool = TOOLS[item.url_slug]
    return {
        "site_code": item.project.site.code,
        "project_id": item.project_id,
        tool.kwarg: item.pk,
    }


@register.simple_tag
def item_url(item: Any, action: str) -> str:
    """{% item_url item "edit" %} -> .../toolkit/fishbone/3/edit/"""
    return reverse(f"toolkit:{item.url_slug}-{action}", kwargs=_item_kwargs(item))


@register.simple_tag
def part_url(item: Any, part_slug: str, action: str, part: Any = None) -> str:
    """{% part_url item "causes" "move" cause %}; {% part_url item "causes" "add" %}"""
    kwargs = _item_kwargs(item)
    if part is not None:
        kwargs[TOOLS[item.url_slug].part(part_slug).kwarg] = part.pk
    return reverse(f"toolkit:{item.url_slug}-{part_slug}-{action}", kwargs=kwargs)
