"""Other apps add what happened at a site to a measure's chart, without measures importing them.

    register_annotation_provider(fn)   # fn(site, measure) -> list[Annotation | (Annotation, url)]
    register_cycle_provider(fn)        # fn(site, measure) -> list[CycleChoice]: adopted PDSA
                                       # cycles a rebase may cite

The toolkit registers both from its AppConfig.ready() (toolkit/chart_annotations.py): measures
must not import the toolkit, which depends on measures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .charts.figures import Annotation

AnnotationProvider = Callable[[Any, Any], list[Any]]


@dataclass(frozen=True)
class CycleChoice:
    id: int
    title: str
    date_start: dt.date | None = None


_annotation_providers: list[AnnotationProvider] = []
_cycle_providers: list[Callable[[Any, Any], list[CycleChoice]]] = []


def register_annotation_provider(fn: AnnotationProvider) -> AnnotationProvider:
    if fn not in _annotation_providers:
        _annotation_providers.append(fn)
    return fn


def register_cycle_provider(
    fn: Callable[[Any, Any], list[CycleChoice]],
) -> Callable[[Any, Any], list[CycleChoice]]:
    if fn not in _cycle_providers:
        _cycle_providers.append(fn)
    return fn


def provided_annotations(*, site: Any, measure: Any) -> list[tuple[Annotation, str]]:
    """Every registered provider's annotations for the chart, each with a link ('' if none)."""
    out: list[tuple[Annotation, str]] = []
    for fn in _annotation_providers:
        for item in fn(site, measure):
            if isinstance(item, Annotation):
                out.append((item, ""))
            else:
                annotation, url = item
                out.append((annotation, url or ""))
    return out


def cycle_choices(*, site: Any, measure: Any) -> list[CycleChoice]:
    """The adopted PDSA cycles of the site naming the measure, from every provider."""
    return [c for fn in _cycle_providers for c in fn(site, measure)]
