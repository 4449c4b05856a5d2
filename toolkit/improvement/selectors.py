"""Reads for driver diagrams, PDSA cycles, reflections and sustainability plans."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from measures.models import Measure
from phases.models import Principle
from projects.models import Project, Site
from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    Reflection,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityLevel,
    SustainabilityPlan,
)


def pdsa_cycles(*, project: Project) -> QuerySet[PdsaCycle]:
    return (
        PdsaCycle.objects.filter(project=project)
        .select_related("change_idea", "step")
        .order_by("change_idea_id", "number", "pk")
    )


def reflections(*, project: Project) -> QuerySet[Reflection]:
    return Reflection.objects.filter(project=project).select_related("step")


# Driver diagrams ---------------------------------------------------------------------------


@dataclass
class TreeEntry:
    node: DriverNode
    children: list[TreeEntry]
    cycles: list[PdsaCycle]


def driver_tree(*, diagram: DriverDiagram) -> list[TreeEntry]:
    """Primary drivers, each with its secondary drivers, each with its change ideas and their
    PDSA cycles, in their saved order."""
    nodes = list(
        diagram.nodes.prefetch_related(
            "measures",
            Prefetch("pdsa_cycles", queryset=PdsaCycle.objects.order_by("number", "pk")),
        ).order_by("order", "pk")
    )
    by_parent: dict[int | None, list[DriverNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(node: DriverNode) -> TreeEntry:
        return TreeEntry(
            node=node,
            children=[build(child) for child in by_parent.get(node.pk, [])],
            cycles=list(node.pdsa_cycles.all()),
        )

    return [build(n) for n in by_parent.get(None, []) if n.kind == DriverNode.Kind.PRIMARY]


def change_ideas(*, project: Project) -> QuerySet[DriverNode]:
    return (
        DriverNode.objects.filter(kind=DriverNode.Kind.CHANGE_IDEA, diagram__project=project)
        .select_related("diagram")
        .order_by("diagram__title", "order", "pk")
    )


# PDSA cycles -------------------------------------------------------------------------------


def pdsa_ramp(*, cycle: PdsaCycle) -> list[PdsaCycle]:
    """The cycles testing the same change idea (or, with none, the chain of predecessors and
    successors), in cycle-number order."""
    if cycle.change_idea_id:
        return list(
            PdsaCycle.objects.filter(
                change_idea_id=cycle.change_idea_id, project=cycle.project
            ).order_by("number", "pk")
        )
    chain = [cycle]
    seen = {cycle.pk}
    previous = cycle.predecessor
    while previous is not None and previous.pk not in seen:
        chain.insert(0, previous)
        seen.add(previous.pk)
        previous = previous.predecessor
    following = cycle.successors.order_by("pk").first()
    while following is not None and following.pk not in seen:
        chain.append(following)
        seen.add(following.pk)
        following = following.successors.order_by("pk").first()
    return chain


def pdsa_cycles_for_chart(*, site: Site, measure: Measure) -> list[dict[str, Any]]:
    """The site's cycles naming `measure`, for marking on its chart: start and end dates
    (actual where known, else planned), title ("PDSA 3: ...") with its parts (number, name),
    outcome label and code, and page URL. Cycles with no start date are left out."""
    cycles = (
        PdsaCycle.objects.filter(project__site=site, measures=measure)
        .select_related("project__site")
        .order_by("pk")
        .distinct()
    )
    rows = []
    for cycle in cycles:
        if cycle.date_start is None:
            continue
        rows.append(
            {
                "id": cycle.pk,
                "date_start": cycle.date_start,
                "date_end": cycle.date_end,
                "title": f"PDSA {cycle.number}: {cycle.title}",
                "number": cycle.number,
                "name": cycle.title,
                "outcome": cycle.get_outcome_display() if cycle.outcome else "",
                "outcome_code": cycle.outcome or "",
                "stage": cycle.get_stage_display(),
                "url": cycle.get_absolute_url(),
            }
        )
    return sorted(rows, key=lambda row: row["date_start"])


# Reflections -------------------------------------------------------------------------------


def principle_counts(*, reflection: Reflection) -> list[tuple[str, int, int]]:
    """(principle, facilitators, barriers) for every principle that has either."""
    counts: Counter[tuple[int, str]] = Counter(
        (f.principle_id, f.kind) for f in reflection.factors.all()
    )
    return [
        (p.name, counts[(p.pk, "facilitator")], counts[(p.pk, "barrier")])
        for p in Principle.objects.order_by("order", "name")
        if counts[(p.pk, "facilitator")] or counts[(p.pk, "barrier")]
    ]


# Sustainability ----------------------------------------------------------------------------


def sustainability_factors() -> list[SustainabilityFactor]:
    return list(SustainabilityFactor.objects.prefetch_related("levels").order_by("order", "pk"))


@dataclass
class RatingRow:
    factor: SustainabilityFactor
    level: str
    weight: Decimal
    maximum: Decimal
    action: str

    @property
    def weak(self) -> bool:
        """Level c or d: the factors the team should act on."""
        return self.level in ("c", "d")


@dataclass
class AssessmentScore:
    assessment: SustainabilityAssessment
    rows: list[RatingRow]

    @property
    def total(self) -> Decimal:
        return sum((row.weight for row in self.rows), Decimal(0))

    @property
    def weak_rows(self) -> list[RatingRow]:
        return [row for row in self.rows if row.weak]

    def domain_total(self, domain: str) -> Decimal:
        return sum((r.weight for r in self.rows if r.factor.domain == domain), Decimal(0))


def assessment_scores(*, plan: SustainabilityPlan) -> list[AssessmentScore]:
    """Each assessment, oldest first, scored with the current level weights (a correction of
    the weights re-scores past assessments too)."""
    weights = {
        (level.factor_id, level.level): level.weight for level in SustainabilityLevel.objects.all()
    }
    maxima: dict[int, Decimal] = {}
    for (factor_id, _letter), weight in weights.items():
        maxima[factor_id] = max(maxima.get(factor_id, Decimal(0)), weight)
    scores = []
    assessments = plan.assessments.prefetch_related("ratings__factor").order_by("assessed_on")
    for assessment in assessments:
        rows = [
            RatingRow(
                factor=r.factor,
                level=r.level,
                weight=weights.get((r.factor_id, r.level), Decimal(0)),
                maximum=maxima.get(r.factor_id, Decimal(0)),
                action=r.action,
            )
            for r in sorted(assessment.ratings.all(), key=lambda r: (r.factor.order, r.factor_id))
        ]
        scores.append(AssessmentScore(assessment=assessment, rows=rows))
    return scores


def max_total() -> Decimal:
    return sum((f.max_weight for f in sustainability_factors()), Decimal(0))


def toolkit_url(name: str, project: Project, **kwargs: Any) -> str:
    return reverse(
        f"toolkit:{name}",
        kwargs={"site_code": project.site.code, "project_id": project.pk, **kwargs},
    )
