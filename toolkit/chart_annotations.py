"""The toolkit's part in measures' charts: PDSA cycles as annotations, adopted cycles as the
reason for a rebase, and a rebuild of the charts a cycle names whenever it changes.
Registered from ToolkitConfig.ready(); measures never imports the toolkit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

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
            row["date_start"], row["name"], "pdsa", end,
            label=f"PDSA {row['number']}", outcome=row["outcome_code"], ref=row["id"],
        )  # fmt: skip
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


def _rebuild(site_id: int, measure_ids: Any) -> None:
    from measures.charts.services import chart_rebuild_request

    for measure_id in sorted(set(measure_ids)):
        chart_rebuild_request(site_id=site_id, measure_id=measure_id)


def _cycle_site_id(cycle: Any) -> int | None:
    from projects.models import Project

    return Project.objects.filter(pk=cycle.project_id).values_list("site_id", flat=True).first()


def _on_cycle_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    site_id = _cycle_site_id(instance)
    if site_id is None or instance.pk is None:
        return
    ids = list(instance.measures.values_list("pk", flat=True))
    if ids:
        _rebuild(site_id, ids)


def _on_cycle_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._chart_rebuild = (
        _cycle_site_id(instance),
        list(instance.measures.values_list("pk", flat=True)),
    )


def _on_cycle_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    site_id, ids = getattr(instance, "_chart_rebuild", (None, []))
    if site_id is not None and ids:
        # After the delete commits, so the rebuilt chart no longer shows the cycle.
        transaction.on_commit(lambda: _rebuild(site_id, ids))


def _on_measures_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    from .models import PdsaCycle

    if action == "pre_clear":
        if not reverse:
            instance._chart_cleared = list(instance.measures.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # measure.<related>.add(cycle...): rare; rebuild each cycle's site
        for cycle in PdsaCycle.objects.filter(pk__in=pk_set or ()):
            site_id = _cycle_site_id(cycle)
            if site_id is not None:
                _rebuild(site_id, [instance.pk])
        return
    site_id = _cycle_site_id(instance)
    ids = getattr(instance, "_chart_cleared", []) if action == "post_clear" else pk_set or ()
    if site_id is not None and ids:
        _rebuild(site_id, ids)


def register() -> None:
    from .models import PdsaCycle

    register_annotation_provider(pdsa_annotations)
    register_cycle_provider(adopted_cycles)
    uid = "toolkit.chart_annotations"
    post_save.connect(_on_cycle_saved, sender=PdsaCycle, dispatch_uid=f"{uid}.save")
    pre_delete.connect(_on_cycle_deleting, sender=PdsaCycle, dispatch_uid=f"{uid}.pre_delete")
    post_delete.connect(_on_cycle_deleted, sender=PdsaCycle, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        _on_measures_changed, sender=PdsaCycle.measures.through, dispatch_uid=f"{uid}.m2m"
    )
