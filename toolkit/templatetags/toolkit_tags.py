"""URLs of a toolkit item's pages and parts, without spelling out every kwarg in templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from toolkit.tools import tool_of

register = template.Library()


@register.simple_tag
def item_url(item: Any, action: str) -> str:
    """{% item_url item "edit" %} -> .../toolkit/fishbone/3/edit/"""
    return reverse(tool_of(item).url(action), kwargs=item.url_kwargs())


@register.simple_tag
def part_url(item: Any, part_slug: str, action: str, part: Any = None) -> str:
    """{% part_url item "causes" "move" cause %}; {% part_url item "causes" "add" %}"""
    tool = tool_of(item)
    spec = tool.part(part_slug)
    kwargs = item.url_kwargs()
    if part is not None:
        kwargs[spec.kwarg] = part.pk
    return reverse(f"toolkit:{tool.part_url_name(spec)}-{action}", kwargs=kwargs)
