"""One description of every toolkit tool and its parts; the views, URLs, templates and the
toolkit index are generic over it.

A tool is a `Tool`: its model, forms and services, how its page is drawn (`context`, templates),
and its `Part`s (the causes of a fishbone, the tasks of a PDSA cycle...). Every tool gets the
same pages (list, new, detail, edit, delete, print, history) and every part the same actions
(add, edit, remove, move up or down) with the same permission checks, in `toolkit.views`. What
differs between tools lives in their services (the rules), their forms and their picture.

The services behind a spec take keyword arguments named the same way for every tool:

    create(project=, user=, **cleaned) -> item       update(item=, user=, **cleaned)
    delete(item=, user=)
    part.add(item=, user=, **cleaned) -> part        part.update(item=, part=, user=, **cleaned)
    part.delete(item=, part=, user=)                 part.move(item=, part=, user=, direction=)

A service written with other names (`cycle=`, `task=`) is adapted with `renamed`.

Adding a tool: its model (a `ToolkitItem`), its forms and services, a detail template, and a
`Tool` in its family's `TOOLS` list (`toolkit/<family>/tools.py`). Its URLs, list, history and
print pages, its place on the toolkit page and on checklist steps follow from the spec.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from django.forms import BaseForm

    from toolkit.models import ToolkitItem

# (request, item, bound forms by part slug) -> what the item's templates need besides the item
ContextBuilder = Callable[[Any, Any, dict[str, "BaseForm"]], dict[str, Any]]


def renamed(service: Callable[..., Any], **names: str | None) -> Callable[..., Any]:
    """`service` called with the spec's argument names: `renamed(pdsa_task_delete, part="task",
    item=None)` turns `part=` into `task=` and drops `item=`."""

    def call(**kwargs: Any) -> Any:
        given = {}
        for name, value in kwargs.items():
            target = names.get(name, name)
            if target is not None:
                given[target] = value
        return service(**given)

    call.__name__ = getattr(service, "__name__", "service")
    call.__doc__ = service.__doc__
    return call


@dataclass(frozen=True)
class Part:
    slug: str  # URL segment, e.g. "causes": ".../<item>/causes/add/"
    kwarg: str  # URL kwarg naming one part, e.g. "cause_id"
    noun: str  # "cause", in messages and page titles
    model: type[Model]
    item_lookup: str  # path from the part to its item, e.g. "category__fishbone"
    form: Callable[..., BaseForm]  # form(data, item=) to add one
    add: Callable[..., Any]
    delete: Callable[..., Any]
    update: Callable[..., Any] | None = None  # None: a part is removed and added, not edited
    edit_form: Callable[..., BaseForm] | None = None  # form(data, item=, instance=); or `form`
    move: Callable[..., Any] | None = None  # None: the parts keep their own order
    describe: Callable[[Any], str] = str
    name_of: Callable[[Any], str] | None = None  # one part's noun, if it varies ("Primary driver")
    url_name: str = ""  # URL names "<url_name>-add"...; "" is "<tool slug>-<part slug>"
    fragment: str = ""  # the detail template's partial an htmx change returns; "" is the tool's
    anchor: str = ""  # where a change returns to on the item's page; "" is the part's slug

    def noun_for(self, part: Any) -> str:
        return self.name_of(part) if self.name_of else self.noun

    def get_edit_form(self) -> Callable[..., BaseForm]:
        return self.edit_form or self.form


@dataclass(frozen=True)
class Tool:
    slug: str  # URL segment under `.../toolkit/` and the key of TOOLS, e.g. "five-whys"
    name: str  # one item: "PDSA cycle"
    plural: str  # "PDSA cycles": the list page and the toolkit page
    description: str  # what the tool is for, on the toolkit page and the list
    start_name: str  # "a PDSA cycle": "Start a PDSA cycle for this step"
    step_words: tuple[str, ...]  # what checklist steps call it ("pdsa plan"), lower case
    model: type[ToolkitItem]
    form: Callable[..., BaseForm]  # form(data, project=, instance=, initial=)
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    context: ContextBuilder  # the detail page's (and print page's) own context
    detail_template: str
    print_template: str
    create_form: Callable[..., BaseForm] | None = None
    form_template: str = "toolkit/item_form.html"
    create_initial: Callable[[Any, Any], dict[str, Any]] | None = None  # (request, project)
    parts: tuple[Part, ...] = ()
    select: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()
    fragment: str = ""  # the detail template's partial an htmx request gets; "": the page
    figure: Callable[[dict[str, Any], str], dict[str, Any]] | None = None  # snapshot -> picture
    list_tags: Callable[[Any], list[tuple[str, str]]] | None = None  # item -> [(text, colour)]

    @property
    def kwarg(self) -> str:
        return self.model.url_kwarg

    def url(self, role: str) -> str:
        return f"toolkit:{self.slug}-{role}"

    # URL names for templates, which cannot call `url()`.
    url_list = property(lambda self: self.url("list"))
    url_create = property(lambda self: self.url("create"))

    def part(self, slug: str) -> Part:
        return next(p for p in self.parts if p.slug == slug)

    def part_url_name(self, part: Part) -> str:
        return part.url_name or f"{self.slug}-{part.slug}"

    def queryset(self, **lookup: Any) -> QuerySet:
        """Items matching `lookup` (`project=...`), with what their pages read."""
        return (
            self.model._default_manager.filter(**lookup)
            .select_related("project__site", "step", "created_by", *self.select)
            .prefetch_related(*self.prefetch)
        )


# The families of tools, in the toolkit page's order: each is a package with a `tools` module
# whose TOOLS lists its specs.
FAMILIES = ("analysis", "improvement", "engagement", "learning")


@functools.cache
def tools() -> dict[str, Tool]:
    """Every tool by slug, in the toolkit page's order. (A function, not a constant: the specs
    import their families' forms and services, and those import this module.)"""
    families = [importlib.import_module(f"toolkit.{family}.tools") for family in FAMILIES]
    return {tool.slug: tool for family in families for tool in family.TOOLS}


def tool_of(item: Any) -> Tool:
    return tools()[type(item).url_slug]


def tool_for_word(word: str) -> Tool | None:
    """The tool a step's suggestion names ("process map", "PDSA plan"), if it is one."""
    wanted = " ".join(word.lower().split())
    for tool in tools().values():
        if wanted in tool.step_words or wanted in (tool.name.lower(), tool.plural.lower()):
            return tool
    return None
