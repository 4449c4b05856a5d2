"""Pages for driver diagrams, PDSA cycles, reflections and sustainability plans.

Every page is under a project (`/sites/<code>/projects/<id>/<tool>/...`); objects are always
fetched within `request.site`. Parts (nodes, tasks, barriers and facilitators, assessments) are
added, removed and reordered by plain forms that htmx enhances: an htmx request gets the
fragment back instead of a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from projects.http import HttpRequest, ProgrammeRequest, SiteRequest
from projects.models import Project
from projects.permissions import Capability, programme_view, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project
from toolkit.history import item_versions
from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    PdsaTask,
    Reflection,
    ReflectionFactor,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityPlan,
)
from toolkit.step_work import step_initial

from . import forms, pictures, selectors, services

# Helpers -----------------------------------------------------------------------------------


def _item(model: type[Model], request: HttpRequest, project_id: int, pk: int) -> Any:
    return get_object_or_404(
        model._default_manager.select_related("project__site"),
        pk=pk,
        project_id=project_id,
        project__site=request.site,
    )


def _base(request: SiteRequest, project: Project, **extra: Any) -> dict[str, Any]:
    return {"site": project.site, "project": project, "can_edit": can_edit(request), **extra}


@dataclass(frozen=True)
class Tool:
    slug: str
    name: str
    plural: str
    model: type[Model]
    form: type[forms.ProjectItemForm]
    pk: str
    item_arg: str
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    intro: str
    form_template: str = "toolkit/improvement_form.html"

    def url(self, role: str) -> str:
        return f"toolkit:{self.slug}-{role}"

    # URL names for templates, which cannot call `url()`.
    url_list = property(lambda self: self.url("list"))
    url_create = property(lambda self: self.url("create"))
    url_edit = property(lambda self: self.url("edit"))
    url_delete = property(lambda self: self.url("delete"))
    url_history = property(lambda self: self.url("history"))
    url_print = property(lambda self: self.url("print"))


DRIVER = Tool(
    "driver-diagram", "Driver diagram", "Driver diagrams", DriverDiagram, forms.DriverDiagramForm,
    "diagram_id", "diagram", services.driver_diagram_create, services.driver_diagram_update,
    services.driver_diagram_delete,
    "A SMART aim (what, how much, by when) tied to an outcome measure, the primary and "
    "secondary drivers that lead to it, and the change ideas to test.",
)  # fmt: skip
PDSA = Tool(
    "pdsa", "PDSA cycle", "PDSA cycles", PdsaCycle, forms.PdsaCycleForm, "cycle_id", "cycle",
    services.pdsa_create, services.pdsa_update, services.pdsa_delete,
    "Small tests of change. Each cycle moves Plan, Do, Study, Act; adapting starts the next "
    "cycle of its ramp.", "toolkit/pdsacycle_form.html",
)  # fmt: skip
REFLECTION = Tool(
    "reflection", "Reflection", "Reflections on implementing THRIVE", Reflection,
    forms.ReflectionForm, "reflection_id", "reflection", services.reflection_create,
    services.reflection_update, services.reflection_delete,
    "What worked and what did not, barriers and facilitators by THRIVE principle, and lessons "
    "for other sites.",
)  # fmt: skip
SUSTAINABILITY = Tool(
    "sustainability", "Sustainability plan", "Sustainability plans", SustainabilityPlan,
    forms.SustainabilityPlanForm, "plan_id", "plan", services.sustainability_plan_create,
    services.sustainability_plan_update, services.sustainability_plan_delete,
    "Score the NHS Sustainability Model's ten factors from time to time, and act on the weak "
    "ones.",
)  # fmt: skip


# The pages every tool shares (the toolkit index is toolkit.analysis.views.toolkit_index,
# drawn from toolkit.registry) ------------------------------------------------------


@site_view(Capability.VIEW)
@require_GET
def item_list(request: SiteRequest, project_id: int, *, tool: Tool) -> HttpResponse:
    project = site_project(request, project_id)
    items = (
        tool.model._default_manager.filter(project=project)
        .select_related("step")
        .order_by("-updated_at")
    )
    return render(
        request, "toolkit/improvement_list.html", _base(request, project, tool=tool, items=items)
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_create(request: SiteRequest, project_id: int, *, tool: Tool) -> HttpResponse:
    project = site_project(request, project_id)
    initial = _create_initial(request, project, tool)
    form = tool.form(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = tool.create(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{tool.name} '{item.title}' created.")
            return redirect(item)
    return render(request, tool.form_template, _base(request, project, tool=tool, form=form))


def _create_initial(request: HttpRequest, project: Project, tool: Tool) -> dict[str, Any]:
    """Started from a step's page (`?step=<id>`): attached to the step. A cycle started from a
    change idea (`?change_idea=<id>`) is the next of its ramp."""
    initial: dict[str, Any] = step_initial(request, project)
    if tool is not PDSA or not request.GET.get("change_idea", "").isdigit():
        return initial
    idea = selectors.change_ideas(project=project).filter(pk=request.GET["change_idea"]).first()
    if idea is None:
        return initial
    last = idea.pdsa_cycles.order_by("-number").first()
    return {
        **initial,
        "change_idea": idea.pk,
        "number": (last.number + 1) if last else 1,
        "title": idea.text,
    }


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_edit(request: SiteRequest, project_id: int, *, tool: Tool, **ids: int) -> HttpResponse:
    item = _item(tool.model, request, project_id, ids[tool.pk])
    form = tool.form(request.POST or None, instance=item, project=item.project)
    if request.method == "POST" and form.is_valid():
        try:
            tool.update(**{tool.item_arg: item}, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            item.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"{tool.name} saved.")
            return redirect(item)
    return render(
        request, tool.form_template, _base(request, item.project, tool=tool, form=form, item=item)
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def item_delete(request: SiteRequest, project_id: int, *, tool: Tool, **ids: int) -> HttpResponse:
    item = _item(tool.model, request, project_id, ids[tool.pk])
    if request.method == "POST":
        tool.delete(**{tool.item_arg: item}, user=request.user)
        messages.success(request, f"{tool.name} '{item.title}' deleted.")
        return redirect(tool.url("list"), site_code=item.project.site.code, project_id=project_id)
    return render(
        request,
        "toolkit/improvement_delete.html",
        _base(request, item.project, tool=tool, item=item),
    )


@site_view(Capability.VIEW)
@require_GET
def item_history(request: SiteRequest, project_id: int, *, tool: Tool, **ids: int) -> HttpResponse:
    item = _item(tool.model, request, project_id, ids[tool.pk])
    return render(
        request,
        "toolkit/improvement_history.html",
        _base(request, item.project, tool=tool, item=item, versions=item_versions(item=item)),
    )


# Driver diagrams ---------------------------------------------------------------------------


def _diagram_context(
    request: SiteRequest, diagram: DriverDiagram, node_forms: dict[str, BaseForm] | None = None
) -> dict[str, Any]:
    tree = selectors.driver_tree(diagram=diagram)
    node_forms = node_forms or {}
    if can_edit(request):
        for kind in DriverNode.Kind.values:
            node_forms.setdefault(kind, forms.DriverNodeForm(diagram=diagram, kind=kind))
    return _base(
        request,
        diagram.project,
        tool=DRIVER,
        item=diagram,
        diagram=diagram,
        tree=tree,
        picture=pictures.driver_diagram(diagram=diagram, tree=tree),
        node_forms=[
            (kind, DriverNode.Kind(kind).label, node_forms[kind])
            for kind in DriverNode.Kind.values
            if kind in node_forms
        ],
    )


def _diagram_response(
    request: SiteRequest, diagram: DriverDiagram, node_forms: dict[str, BaseForm] | None = None
) -> HttpResponse:
    template = "toolkit/driverdiagram_detail.html"
    if request.htmx:
        template += "#diagram-body"
    return render(request, template, _diagram_context(request, diagram, node_forms))


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def driver_diagram_detail(request: SiteRequest, project_id: int, diagram_id: int) -> HttpResponse:
    diagram = _item(DriverDiagram, request, project_id, diagram_id)
    return _diagram_response(request, diagram)


@site_view(Capability.VIEW)
@require_GET
def driver_diagram_print(request: SiteRequest, project_id: int, diagram_id: int) -> HttpResponse:
    diagram = _item(DriverDiagram, request, project_id, diagram_id)
    tree = selectors.driver_tree(diagram=diagram)
    context = _base(request, diagram.project, tool=DRIVER, item=diagram, diagram=diagram, tree=tree)
    context["picture"] = pictures.driver_diagram(diagram=diagram, tree=tree)
    return render(request, "toolkit/driverdiagram_print.html", context)


@site_view(Capability.EDIT)
@require_POST
def driver_node_add(request: SiteRequest, project_id: int, diagram_id: int) -> HttpResponse:
    diagram = _item(DriverDiagram, request, project_id, diagram_id)
    kind = request.POST.get("kind", "")
    if kind not in DriverNode.Kind.values:
        return HttpResponseBadRequest("Unknown kind of node.")
    form = forms.DriverNodeForm(request.POST, diagram=diagram, kind=kind)
    if form.is_valid():
        try:
            services.driver_node_add(
                diagram=diagram, user=request.user, kind=kind, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(diagram.get_absolute_url() + "#diagram-body")
            return _diagram_response(request, diagram)
    return _diagram_response(request, diagram, {kind: form})


def _node(request: HttpRequest, project_id: int, diagram_id: int, node_id: int) -> DriverNode:
    diagram = _item(DriverDiagram, request, project_id, diagram_id)
    return get_object_or_404(
        DriverNode.objects.select_related("diagram"), pk=node_id, diagram=diagram
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def driver_node_edit(
    request: SiteRequest, project_id: int, diagram_id: int, node_id: int
) -> HttpResponse:
    node = _node(request, project_id, diagram_id, node_id)
    initial = {"text": node.text, "measures": list(node.measures.all())}
    form = forms.DriverNodeEditForm(request.POST or None, initial=initial)
    if node.kind != DriverNode.Kind.PRIMARY:
        del form.fields["measures"]
    if request.method == "POST" and form.is_valid():
        try:
            services.driver_node_update(
                node=node, user=request.user, text=form.cleaned_data["text"],
                measures=form.cleaned_data.get("measures", ()),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{node.get_kind_display()} saved.")
            return redirect(node.diagram.get_absolute_url() + "#diagram-body")
    return render(
        request,
        "toolkit/drivernode_form.html",
        _base(request, node.diagram.project, tool=DRIVER, item=node.diagram, node=node, form=form),
    )


@site_view(Capability.EDIT)
@require_POST
def driver_node_delete(
    request: SiteRequest, project_id: int, diagram_id: int, node_id: int
) -> HttpResponse:
    node = _node(request, project_id, diagram_id, node_id)
    diagram = node.diagram
    services.driver_node_delete(node=node, user=request.user)
    if not request.htmx:
        messages.success(request, f"Removed '{node.text}'.")
        return redirect(diagram.get_absolute_url() + "#diagram-body")
    return _diagram_response(request, diagram)


def _moved(
    request: HttpRequest,
    move: Callable[..., bool],
    *,
    fragment_url: str,
    respond: Callable[[], HttpResponse],
    **part: Any,
) -> HttpResponse:
    """Move a part up or down: the list fragment for htmx, back to the page without JS."""
    try:
        move(user=request.user, direction=request.POST.get("direction", ""), **part)
    except ValidationError:
        return HttpResponseBadRequest("Move up or down.")
    if not request.htmx:
        return redirect(fragment_url)
    return respond()


@site_view(Capability.EDIT)
@require_POST
def driver_node_move(
    request: SiteRequest, project_id: int, diagram_id: int, node_id: int
) -> HttpResponse:
    node = _node(request, project_id, diagram_id, node_id)
    return _moved(
        request,
        services.driver_node_move,
        node=node,
        fragment_url=node.diagram.get_absolute_url() + "#diagram-body",
        respond=lambda: _diagram_response(request, node.diagram),
    )


# PDSA cycles -------------------------------------------------------------------------------


def _cycle_context(
    request: SiteRequest,
    cycle: PdsaCycle,
    *,
    task_form: BaseForm | None = None,
    decide_form: BaseForm | None = None,
    move_errors: list[str] | None = None,
) -> dict[str, Any]:
    ramp = selectors.pdsa_ramp(cycle=cycle)
    return _base(
        request,
        cycle.project,
        tool=PDSA,
        item=cycle,
        cycle=cycle,
        ramp=ramp,
        picture=pictures.pdsa_ramp(cycle=cycle, ramp=ramp),
        tasks=list(cycle.tasks.all()),
        measures=list(cycle.measures.all()),
        stages=services.STAGE_ORDER,
        stage_index=services.STAGE_ORDER.index(PdsaCycle.Stage(cycle.stage)),
        allowed_moves=services.pdsa_allowed_moves(cycle=cycle),
        successors=list(cycle.successors.all()),
        task_form=task_form or (forms.PdsaTaskForm() if can_edit(request) else None),
        decide_form=decide_form
        or forms.PdsaDecideForm(
            initial={
                "outcome": cycle.outcome,
                "next_steps": cycle.next_steps,
                "shared_with_community": cycle.shared_with_community,
            }
        ),
        move_errors=move_errors or [],
    )


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def pdsa_detail(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _item(PdsaCycle, request, project_id, cycle_id)
    return render(request, "toolkit/pdsacycle_detail.html", _cycle_context(request, cycle))


@site_view(Capability.VIEW)
@require_GET
def pdsa_print(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _item(PdsaCycle, request, project_id, cycle_id)
    return render(request, "toolkit/pdsacycle_print.html", _cycle_context(request, cycle))


@site_view(Capability.EDIT)
@require_POST
def pdsa_move(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _item(PdsaCycle, request, project_id, cycle_id)
    form = forms.PdsaMoveForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            cycle = services.pdsa_move(
                cycle=cycle, user=request.user, to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"The cycle is now at {cycle.get_stage_display()}.")
            return redirect(cycle.get_absolute_url() + "#stage")
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return render(
        request, "toolkit/pdsacycle_detail.html", _cycle_context(request, cycle, move_errors=errors)
    )


@site_view(Capability.EDIT)
@require_POST
def pdsa_decide(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _item(PdsaCycle, request, project_id, cycle_id)
    form = forms.PdsaDecideForm(request.POST)
    if form.is_valid():
        try:
            cycle, successor = services.pdsa_decide(
                cycle=cycle, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if successor is not None:
                messages.success(
                    request,
                    f"Adapted: cycle {successor.number} starts with this plan carried over.",
                )
                return redirect(successor)
            messages.success(request, f"Decision saved: {cycle.get_outcome_display()}.")
            return redirect(cycle.get_absolute_url() + "#stage")
    errors = (
        []
        if cycle.stage == PdsaCycle.Stage.ACT
        else [str(e) for v in form.errors.values() for e in v]
    )
    return render(
        request,
        "toolkit/pdsacycle_detail.html",
        _cycle_context(request, cycle, decide_form=form, move_errors=errors),
    )


def _tasks_response(
    request: SiteRequest, cycle: PdsaCycle, form: BaseForm | None = None
) -> HttpResponse:
    template = "toolkit/pdsacycle_detail.html"
    if request.htmx:
        template += "#tasks"
    return render(request, template, _cycle_context(request, cycle, task_form=form))


@site_view(Capability.EDIT)
@require_POST
def pdsa_task_add(request: SiteRequest, project_id: int, cycle_id: int) -> HttpResponse:
    cycle = _item(PdsaCycle, request, project_id, cycle_id)
    form = forms.PdsaTaskForm(request.POST)
    if form.is_valid():
        try:
            services.pdsa_task_add(cycle=cycle, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(cycle.get_absolute_url() + "#tasks")
            return _tasks_response(request, cycle)
    return _tasks_response(request, cycle, form)


def _task(request: HttpRequest, project_id: int, cycle_id: int, task_id: int) -> PdsaTask:
    cycle = _item(PdsaCycle, request, project_id, cycle_id)
    return get_object_or_404(PdsaTask.objects.select_related("cycle"), pk=task_id, cycle=cycle)


@site_view(Capability.EDIT)
@require_POST
def pdsa_task_delete(
    request: SiteRequest, project_id: int, cycle_id: int, task_id: int
) -> HttpResponse:
    task = _task(request, project_id, cycle_id, task_id)
    cycle = task.cycle
    services.pdsa_task_delete(task=task, user=request.user)
    if not request.htmx:
        return redirect(cycle.get_absolute_url() + "#tasks")
    return _tasks_response(request, cycle)


@site_view(Capability.EDIT)
@require_POST
def pdsa_task_move(
    request: SiteRequest, project_id: int, cycle_id: int, task_id: int
) -> HttpResponse:
    task = _task(request, project_id, cycle_id, task_id)
    return _moved(
        request,
        services.pdsa_task_move,
        task=task,
        fragment_url=task.cycle.get_absolute_url() + "#tasks",
        respond=lambda: _tasks_response(request, task.cycle),
    )


# Reflections -------------------------------------------------------------------------------


def _reflection_context(
    request: SiteRequest, reflection: Reflection, form: BaseForm | None = None
) -> dict[str, Any]:
    factors = list(reflection.factors.select_related("principle"))
    return _base(
        request,
        reflection.project,
        tool=REFLECTION,
        item=reflection,
        reflection=reflection,
        barriers=[f for f in factors if f.kind == ReflectionFactor.Kind.BARRIER],
        facilitators=[f for f in factors if f.kind == ReflectionFactor.Kind.FACILITATOR],
        factors=factors,
        counts=selectors.principle_counts(reflection=reflection),
        picture=pictures.reflection(reflection=reflection),
        factor_form=form or (forms.ReflectionFactorForm() if can_edit(request) else None),
    )


def _reflection_response(
    request: SiteRequest, reflection: Reflection, form: BaseForm | None = None
) -> HttpResponse:
    template = "toolkit/reflection_detail.html"
    if request.htmx:
        template += "#factors"
    return render(request, template, _reflection_context(request, reflection, form))


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def reflection_detail(request: SiteRequest, project_id: int, reflection_id: int) -> HttpResponse:
    reflection = _item(Reflection, request, project_id, reflection_id)
    return _reflection_response(request, reflection)


@site_view(Capability.VIEW)
@require_GET
def reflection_print(request: SiteRequest, project_id: int, reflection_id: int) -> HttpResponse:
    reflection = _item(Reflection, request, project_id, reflection_id)
    return render(
        request, "toolkit/reflection_print.html", _reflection_context(request, reflection)
    )


@site_view(Capability.EDIT)
@require_POST
def reflection_factor_add(
    request: SiteRequest, project_id: int, reflection_id: int
) -> HttpResponse:
    reflection = _item(Reflection, request, project_id, reflection_id)
    form = forms.ReflectionFactorForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_factor_add(
                reflection=reflection, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reflection.get_absolute_url() + "#factors")
            return _reflection_response(request, reflection)
    return _reflection_response(request, reflection, form)


def _factor(
    request: HttpRequest, project_id: int, reflection_id: int, factor_id: int
) -> ReflectionFactor:
    reflection = _item(Reflection, request, project_id, reflection_id)
    return get_object_or_404(
        ReflectionFactor.objects.select_related("reflection"), pk=factor_id, reflection=reflection
    )


@site_view(Capability.EDIT)
@require_POST
def reflection_factor_delete(
    request: SiteRequest, project_id: int, reflection_id: int, reflection_factor_id: int
) -> HttpResponse:
    factor = _factor(request, project_id, reflection_id, reflection_factor_id)
    reflection = factor.reflection
    services.reflection_factor_delete(factor=factor, user=request.user)
    if not request.htmx:
        return redirect(reflection.get_absolute_url() + "#factors")
    return _reflection_response(request, reflection)


@site_view(Capability.EDIT)
@require_POST
def reflection_factor_move(
    request: SiteRequest, project_id: int, reflection_id: int, reflection_factor_id: int
) -> HttpResponse:
    factor = _factor(request, project_id, reflection_id, reflection_factor_id)
    return _moved(
        request,
        services.reflection_factor_move,
        factor=factor,
        fragment_url=factor.reflection.get_absolute_url() + "#factors",
        respond=lambda: _reflection_response(request, factor.reflection),
    )


# Sustainability plans ---------------------------------------------------------------------


def _plan_context(request: SiteRequest, plan: SustainabilityPlan) -> dict[str, Any]:
    scores = selectors.assessment_scores(plan=plan)
    return _base(
        request,
        plan.project,
        tool=SUSTAINABILITY,
        item=plan,
        plan=plan,
        scores=scores,
        latest=scores[-1] if scores else None,
        max_total=selectors.max_total(),
        trend_picture=pictures.sustainability_trend(scores=scores),
        factor_picture=pictures.sustainability_factors(score=scores[-1]) if scores else "",
    )


@site_view(Capability.VIEW)
@require_GET
@vary_on_headers("HX-Request")
def sustainability_detail(request: SiteRequest, project_id: int, plan_id: int) -> HttpResponse:
    plan = _item(SustainabilityPlan, request, project_id, plan_id)
    template = "toolkit/sustainabilityplan_detail.html"
    if request.htmx:
        template += "#assessments"
    return render(request, template, _plan_context(request, plan))


@site_view(Capability.VIEW)
@require_GET
def sustainability_print(request: SiteRequest, project_id: int, plan_id: int) -> HttpResponse:
    plan = _item(SustainabilityPlan, request, project_id, plan_id)
    return render(request, "toolkit/sustainabilityplan_print.html", _plan_context(request, plan))


def _assessment_form_page(
    request: SiteRequest,
    plan: SustainabilityPlan,
    assessment: SustainabilityAssessment | None,
) -> HttpResponse:
    factors = selectors.sustainability_factors()
    form = forms.SustainabilityAssessmentForm(
        request.POST or None, factors=factors, assessment=assessment
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sustainability_assessment_save(
                plan=plan,
                user=request.user,
                assessed_on=form.cleaned_data["assessed_on"],
                notes=form.cleaned_data["notes"],
                ratings=form.ratings(),
                assessment=assessment,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assessment saved.")
            return redirect(plan.get_absolute_url() + "#assessments")
    return render(
        request,
        "toolkit/sustainabilityassessment_form.html",
        _base(
            request, plan.project, tool=SUSTAINABILITY, item=plan, plan=plan, form=form,
            assessment=assessment,
        ),
    )  # fmt: skip


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def sustainability_assessment_add(
    request: SiteRequest, project_id: int, plan_id: int
) -> HttpResponse:
    plan = _item(SustainabilityPlan, request, project_id, plan_id)
    return _assessment_form_page(request, plan, None)


def _assessment(
    request: HttpRequest, project_id: int, plan_id: int, assessment_id: int
) -> SustainabilityAssessment:
    plan = _item(SustainabilityPlan, request, project_id, plan_id)
    return get_object_or_404(
        SustainabilityAssessment.objects.select_related("plan__project__site"),
        pk=assessment_id,
        plan=plan,
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def sustainability_assessment_edit(
    request: SiteRequest, project_id: int, plan_id: int, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(request, project_id, plan_id, assessment_id)
    return _assessment_form_page(request, assessment.plan, assessment)


@site_view(Capability.EDIT)
@require_POST
def sustainability_assessment_delete(
    request: SiteRequest, project_id: int, plan_id: int, assessment_id: int
) -> HttpResponse:
    assessment = _assessment(request, project_id, plan_id, assessment_id)
    plan = assessment.plan
    services.sustainability_assessment_delete(assessment=assessment, user=request.user)
    if not request.htmx:
        messages.success(request, "Assessment removed.")
        return redirect(plan.get_absolute_url() + "#assessments")
    return render(
        request, "toolkit/sustainabilityplan_detail.html#assessments", _plan_context(request, plan)
    )


# The Sustainability Model itself (programme leads) -----------------------------------------


@programme_view
@require_GET
def sustainability_model(request: ProgrammeRequest) -> HttpResponse:
    factors = selectors.sustainability_factors()
    return render(
        request,
        "toolkit/sustainabilityfactor_list.html",
        {"factors": factors, "max_total": selectors.max_total()},
    )


@programme_view
@require_http_methods(["GET", "POST"])
def sustainability_factor_edit(request: ProgrammeRequest, sm_factor_id: int) -> HttpResponse:
    factor = get_object_or_404(
        SustainabilityFactor.objects.prefetch_related("levels"), pk=sm_factor_id
    )
    form = forms.SustainabilityFactorForm(request.POST or None, factor=factor)
    if request.method == "POST" and form.is_valid():
        try:
            services.sustainability_factor_update(
                factor=factor,
                name=form.cleaned_data["name"],
                question=form.cleaned_data["question"],
                levels=form.levels(),
            )
        except ValidationError as error:
            factor.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"'{factor.name}' saved.")
            return redirect("toolkit:sustainability-model")
    return render(
        request, "toolkit/sustainabilityfactor_form.html", {"factor": factor, "form": form}
    )
