"""The toolkit's part in measures' charts: PDSA cycles as annotations, adopted cycles as the
reason for a rebase (providers registered from ToolkitConfig.ready(); measures never imports
the toolkit), and the rebuild of the charts a cycle names, asked for by the services that
change cycles (toolkit.improvement.services) and by the admin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from measures.annotations import (
    CycleChoice,
    register_annotation_provider,
    register_cycle_provider,
)
from measures.charts.figures import Annotation


def pdsa_annotations(site: Any, measure: Any) -> list[tuple[Annotation, str]]:
    from .improvement.selectors import pdsa_cycles_for_chart

    out = []
    for row in pdsa_cycles_for_chart(site=site, measure=measure):
        end = row["date_end"]
        if end is not None and end < row["date_start"]:
            end = None
        annotation = Annotation(
            row["date_start"],
            row["name"],
            "pdsa",
            end,
            label=f"PDSA {row['number']}",
            outcome=row["outcome_code"],
            ref=row["id"],
        )
        out.append((annotation, row["url"]))
    return out


def adopted_cycles(site: Any, measure: Any) -> list[CycleChoice]:
    from .models import PdsaCycle

    cycles = PdsaCycle.objects.filter(
        project__site=site, measures=measure, outcome=PdsaCycle.Outcome.ADOPT
    ).order_by("pk")
    return [
        CycleChoice(id=c.pk, title=f"PDSA {c.number}: {c.title}", date_start=c.date_start)
        for c in cycles.distinct()
    ]


def cycle_charts_rebuild(cycle: Any, measure_ids: Iterable[int] | None = None) -> None:
    """Ask for the charts of the cycle's site that show it, or showed it, to be rebuilt: those
    of `measure_ids` (its measures now when not given; a service that changes the measures
    passes those before and after). Called by the PDSA services and the admin, after the
    change and in its transaction; the rebuild itself runs once that commits, so a deleted
    cycle is gone from the rebuilt chart."""
    from measures.charts.services import chart_rebuild_request
    from projects.models import Project

    if measure_ids is None:
        measure_ids = cycle_measure_ids(cycle)
    site_id = Project.objects.filter(pk=cycle.project_id).values_list("site_id", flat=True).first()
    if site_id is None:
        return
    for measure_id in sorted(set(measure_ids)):
        chart_rebuild_request(site_id=site_id, measure_id=measure_id)


def project_cycles_charts_rebuild(project: Any) -> None:
    """Before a project is deleted: the charts its cycles annotate are rebuilt once it is."""
    from .models import PdsaCycle

    for cycle in PdsaCycle.objects.filter(project=project):
        cycle_charts_rebuild(cycle)


def cycle_measure_ids(cycle: Any) -> set[int]:
    """The measures a saved cycle names, as stored."""
    if cycle.pk is None:
        return set()
    return set(cycle.measures.values_list("pk", flat=True))


def register() -> None:
    from projects.services import register_before_project_delete

    register_annotation_provider(pdsa_annotations)
    register_cycle_provider(adopted_cycles)
    register_before_project_delete(project_cycles_charts_rebuild)
