"""Reads for the PDSA dashboard panels, the digest and the learning library.

Every read takes all its sites at once, so the number of queries never grows with the number
of sites (dashboards) or of results (the library's pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from projects.models import Site
from projects.permissions import Capability, can, site_ids_for
from projects.selectors import programmes_for
from toolkit.models import PdsaCycle, Reflection, ReflectionFactor, Story

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from projects.http import AnyUser

Stage = PdsaCycle.Stage
Outcome = PdsaCycle.Outcome
RECENT_DAYS = 90
RECENT_PER_SITE = 5

# PDSA cycles on the dashboards ------------------------------------------------------------


@dataclass(frozen=True)
class CycleLine:
    """A cycle as a dashboard shows it. On shared views only the title, stage and dates are
    filled in: no owner, change idea, measures or links."""

    title: str
    number: int
    stage: str
    stage_label: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    due: bool
    outcome: str = ""
    outcome_label: str = ""
    ended: dt.date | None = None
    owner: str = ""
    change_idea: str = ""
    measures: list[str] = field(default_factory=list)
    project_title: str = ""
    url: str = ""
    edit_url: str = ""

    @property
    def label(self) -> str:
        return f"Cycle {self.number}: {self.title}"


def is_due(cycle: PdsaCycle, today: dt.date) -> bool:
    """Past its planned end and still in Do: time to study what happened."""
    return cycle.stage == Stage.DO and cycle.planned_end is not None and cycle.planned_end < today


def _line(cycle: PdsaCycle, today: dt.date, shared: bool) -> CycleLine:
    common = {
        "title": cycle.title,
        "number": cycle.number,
        "stage": cycle.stage,
        "stage_label": cycle.get_stage_display(),
        "planned_start": cycle.planned_start,
        "planned_end": cycle.planned_end,
        "due": is_due(cycle, today),
        "outcome": cycle.outcome,
        "outcome_label": cycle.get_outcome_display() if cycle.outcome else "",
        "ended": cycle.date_end,
    }
    if shared:
        return CycleLine(**common)
    kwargs = {
        "site_code": cycle.project.site.code,
        "project_id": cycle.project_id,
        "cycle_id": cycle.pk,
    }
    return CycleLine(
        **common,
        owner=cycle.owner,
        change_idea=cycle.change_idea.text if cycle.change_idea else "",
        measures=[m.name for m in cycle.measures.all()],
        project_title=cycle.project.title,
        url=reverse("toolkit:pdsa-detail", kwargs=kwargs),
        edit_url=reverse("toolkit:pdsa-edit", kwargs=kwargs),
    )


def _shown(count: int, shared: bool, threshold: int) -> str:
    if shared and 0 < count < threshold:
        return f"fewer than {threshold}"
    return str(count)


def cycle_panels(
    *, sites: Sequence[Site], today: dt.date, shared: bool = False, threshold: int = 5
) -> dict[int, dict[str, Any]]:
    """Per site id: cycles in flight (not yet at Act, those due for study first), recently
    finished cycles and counts by outcome. Three queries for any number of sites."""
    site_ids = [site.pk for site in sites]
    since = today - dt.timedelta(days=RECENT_DAYS)
    since_moment = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    recent = Q(actual_end__gte=since) | Q(actual_end__isnull=True, updated_at__gte=since_moment)
    cycles = (
        PdsaCycle.objects.filter(project__site_id__in=site_ids)
        .filter(~Q(stage=Stage.ACT) | (~Q(outcome="") & recent))
        .select_related("project__site", "change_idea")
        .prefetch_related("measures")
        .order_by("planned_end", "number", "pk")
    )
    counts = (
        PdsaCycle.objects.filter(project__site_id__in=site_ids)
        .values_list("project__site_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    data: dict[int, dict[str, Any]] = {
        site_id: {"in_flight": [], "recent": [], "counts": dict.fromkeys(Outcome.values, 0)}
        for site_id in site_ids
    }
    for site_id, outcome, n in counts:
        tally = data[site_id]["counts"]
        key = outcome or "in_progress"
        tally[key] = tally.get(key, 0) + n
    for cycle in cycles:
        entry = data[cycle.project.site_id]
        line = _line(cycle, today, shared)
        if cycle.stage != Stage.ACT:
            entry["in_flight"].append(line)
        elif cycle.outcome:
            entry["recent"].append(line)
    labels = [
        (Outcome.ADOPT, "Adopted"),
        (Outcome.ADAPT, "Adapted"),
        (Outcome.ABANDON, "Abandoned (failed fast)"),
        ("in_progress", "In progress"),
    ]
    for entry in data.values():
        entry["in_flight"].sort(key=lambda line: not line.due)  # stable: due first, by date
        entry["due"] = [line for line in entry["in_flight"] if line.due]
        entry["recent"] = sorted(
            entry["recent"], key=lambda line: line.ended or dt.date.min, reverse=True
        )[:RECENT_PER_SITE]
        entry["outcomes"] = [
            (key, label, _shown(entry["counts"].get(key, 0), shared, threshold))
            for key, label in labels
        ]
        entry["shared"] = shared
    return data


def cycles_due_for(*, user: User, sites: Sequence[Site], today: dt.date) -> list[PdsaCycle]:
    """Cycles due to be studied that this person should hear about: those of sites they
    manage (project managers) and those they own (named as owner, or created by them)."""
    managed = [site.pk for site in sites if can(user, Capability.EDIT, site)]
    mine = Q(project__site_id__in=managed) | Q(created_by=user)
    name = (user.get_full_name() or "").strip()
    if name:
        mine |= Q(owner__iexact=name)
    return list(
        PdsaCycle.objects.filter(
            project__site_id__in=[site.pk for site in sites],
            stage=Stage.DO,
            planned_end__lt=today,
        )
        .filter(mine)
        .select_related("project__site")
        .order_by("planned_end", "pk")
    )


# The learning library ---------------------------------------------------------------------

KINDS = ("cycle", "reflection", "story")
PAGE_SIZE = 10


@dataclass(frozen=True)
class LibraryScope:
    """What a person may read in the library: everything of the sites they can view, and what
    the other sites of their programmes shared with the community of practice."""

    own_site_ids: list[int]
    programme_ids: list[int]

    def visible(self, queryset: QuerySet, shared_field: str) -> QuerySet:
        return queryset.filter(
            Q(project__site_id__in=self.own_site_ids)
            | Q(**{shared_field: True}, project__site__programme_id__in=self.programme_ids)
        )


def library_scope(*, user: AnyUser) -> LibraryScope:
    return LibraryScope(
        own_site_ids=site_ids_for(user),
        programme_ids=list(programmes_for(user=user).values_list("pk", flat=True)),
    )


def library_sites(*, scope: LibraryScope) -> QuerySet[Site]:
    return Site.objects.filter(programme_id__in=scope.programme_ids).order_by("name")


def _words(q: str | None) -> list[str]:
    return [word for word in (q or "").split() if word][:8]


def _text_filter(words: Iterable[str], fields: Sequence[str], extra: Any = None) -> Q:
    """Every word must appear in one of the fields (case-insensitive, on any database)."""
    query = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        if extra is not None:
            any_field |= extra(word)
        query &= any_field
    return query


def _common(queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
    if filters.get("grouping"):
        queryset = queryset.filter(project__thrive_focus=filters["grouping"])
    if filters.get("step"):
        queryset = queryset.filter(step=filters["step"])
    if filters.get("site"):
        queryset = queryset.filter(project__site=filters["site"])
    return queryset


def _cycles(scope: LibraryScope, filters: dict[str, Any]) -> QuerySet | None:
    if filters.get("principle"):
        return None  # cycles are not tagged by principle
    queryset = scope.visible(PdsaCycle.objects.exclude(outcome=""), "shared_with_community")
    if filters.get("outcome"):
        queryset = queryset.filter(outcome=filters["outcome"])
    fields = ("title", "objective", "change_description", "data_show", "learning", "next_steps")
    return _common(queryset, filters).filter(_text_filter(_words(filters.get("q")), fields))


def _reflections(scope: LibraryScope, filters: dict[str, Any]) -> QuerySet | None:
    if filters.get("outcome"):
        return None
    queryset = scope.visible(Reflection.objects.all(), "share_with_community")
    if filters.get("principle"):
        queryset = queryset.filter(
            Exists(
                ReflectionFactor.objects.filter(
                    reflection=OuterRef("pk"), principle=filters["principle"]
                )
            )
        )

    def factor_text(word: str) -> Exists:
        return Exists(
            ReflectionFactor.objects.filter(reflection=OuterRef("pk"), text__icontains=word)
        )

    fields = ("title", "what_worked", "what_did_not", "what_adapted", "lessons")
    words = _words(filters.get("q"))
    return _common(queryset, filters).filter(_text_filter(words, fields, factor_text))


def _stories(scope: LibraryScope, filters: dict[str, Any]) -> QuerySet | None:
    if filters.get("outcome"):
        return None
    queryset = scope.visible(Story.objects.all(), "shared_with_community")
    if filters.get("principle"):
        queryset = queryset.filter(
            Exists(
                Story.principles.through.objects.filter(
                    story=OuterRef("pk"), principle=filters["principle"]
                )
            )
        )
    fields = ("title", "summary", "what_happened")
    return _common(queryset, filters).filter(_text_filter(_words(filters.get("q")), fields))


@dataclass(frozen=True)
class LibraryEntry:
    kind: str  # cycle, reflection or story
    item: Any
    can_open: bool  # the reader may open the item's own page (a site they can view)

    @property
    def kind_label(self) -> str:
        return {"cycle": "PDSA cycle", "reflection": "Reflection", "story": "Story"}[self.kind]

    @property
    def failed_fast(self) -> bool:
        return self.kind == "cycle" and self.item.outcome == Outcome.ABANDON

    @property
    def shared(self) -> bool:
        if self.kind == "reflection":
            return self.item.share_with_community
        return self.item.shared_with_community

    @property
    def principles(self) -> list[str]:
        """Names of the THRIVE principles the item is tagged with, in order, once each."""
        if self.kind == "reflection":
            found = {f.principle.pk: f.principle for f in self.item.factors.all()}
            return [p.name for p in sorted(found.values(), key=lambda p: (p.order, p.name))]
        if self.kind == "story":
            return [p.name for p in self.item.principles.all()]
        return []


def library_page(
    *,
    scope: LibraryScope,
    filters: dict[str, Any],
    page_number: Any = 1,
    page_size: int | None = None,
) -> tuple[Page, list[LibraryEntry]]:
    """One page of the library, newest first. A page costs the same queries however many
    results it holds: count, the page's keys, then each kind's items with their tags."""
    builders = {"cycle": _cycles, "reflection": _reflections, "story": _stories}
    parts = []
    for kind in KINDS:
        if filters.get("kind") not in (None, kind):
            continue
        queryset = builders[kind](scope, filters)
        if queryset is None:
            continue
        parts.append(
            queryset.annotate(
                entry_kind=Value(kind, output_field=CharField()),
                entry_id=F("pk"),
                entry_changed=F("updated_at"),
            )
            .values_list("entry_kind", "entry_id", "entry_changed")
            .order_by()
        )
    if not parts:
        keys = PdsaCycle.objects.none().values_list("pk")
    else:
        keys = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        keys = keys.order_by("-entry_changed", "entry_kind", "-entry_id")
    page = Paginator(keys, page_size or PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    wanted = {kind: [pk for k, pk, _ in rows if k == kind] for kind in KINDS}
    loaded: dict[str, dict[int, Any]] = {
        "cycle": PdsaCycle.objects.select_related("project__site", "step")
        .prefetch_related("measures")
        .in_bulk(wanted["cycle"]),
        "reflection": Reflection.objects.select_related("project__site", "step")
        .prefetch_related(
            Prefetch("factors", queryset=ReflectionFactor.objects.select_related("principle"))
        )
        .in_bulk(wanted["reflection"]),
        "story": Story.objects.select_related("project__site", "step")
        .prefetch_related("principles")
        .in_bulk(wanted["story"]),
    }
    own = set(scope.own_site_ids)
    entries = [
        LibraryEntry(kind=k, item=item, can_open=item.project.site_id in own)
        for k, pk, _ in rows
        if (item := loaded[k].get(pk)) is not None
    ]
    return page, entries
