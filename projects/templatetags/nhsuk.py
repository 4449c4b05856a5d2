"""Template tags for NHS.UK design-system components used across the apps."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("includes/_breadcrumbs.html")
def breadcrumbs(*parts: Any) -> dict[str, Any]:
    """`{% breadcrumbs "Text" href "Text" href %}`: the breadcrumb from text and address pairs,
    for pages whose view does not pass a list of crumbs."""
    if len(parts) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs of text and address")
    return {"crumbs": list(zip(parts[::2], parts[1::2], strict=True))}
