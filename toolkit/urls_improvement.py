"""URLs of the improvement tools, each under a project and named for its tool."""

from django.urls import path

from toolkit.improvement import views as v

P = "sites/<str:site_code>/projects/<int:project_id>/"


def item_paths(tool: v.Tool) -> list:
    base, pk = f"{P}{tool.slug}/", f"<int:{tool.pk}>"
    kw = {"tool": tool}
    return [
        path(base, v.item_list, kw, name=f"{tool.slug}-list"),
        path(f"{base}new/", v.item_create, kw, name=f"{tool.slug}-create"),
        path(f"{base}{pk}/edit/", v.item_edit, kw, name=f"{tool.slug}-edit"),
        path(f"{base}{pk}/delete/", v.item_delete, kw, name=f"{tool.slug}-delete"),
        path(f"{base}{pk}/history/", v.item_history, kw, name=f"{tool.slug}-history"),
    ]


DD = f"{P}driver-diagram/<int:diagram_id>/"
NODE = f"{DD}nodes/<int:node_id>/"
CY = f"{P}pdsa/<int:cycle_id>/"
TASK = f"{CY}tasks/<int:task_id>/"
RF = f"{P}reflection/<int:reflection_id>/"
FACTOR = f"{RF}factors/<int:reflection_factor_id>/"
SP = f"{P}sustainability/<int:plan_id>/"
ASSESS = f"{SP}assessments/<int:assessment_id>/"

urlpatterns = [
    *item_paths(v.DRIVER),
    path(DD, v.driver_diagram_detail, name="driver-diagram-detail"),
    path(f"{DD}print/", v.driver_diagram_print, name="driver-diagram-print"),
    path(f"{DD}nodes/add/", v.driver_node_add, name="driver-node-add"),
    path(f"{NODE}edit/", v.driver_node_edit, name="driver-node-edit"),
    path(f"{NODE}delete/", v.driver_node_delete, name="driver-node-delete"),
    path(f"{NODE}move/", v.driver_node_move, name="driver-node-move"),
    *item_paths(v.PDSA),
    path(CY, v.pdsa_detail, name="pdsa-detail"),
    path(f"{CY}print/", v.pdsa_print, name="pdsa-print"),
    path(f"{CY}stage/", v.pdsa_move, name="pdsa-move"),
    path(f"{CY}decide/", v.pdsa_decide, name="pdsa-decide"),
    path(f"{CY}tasks/add/", v.pdsa_task_add, name="pdsa-task-add"),
    path(f"{TASK}delete/", v.pdsa_task_delete, name="pdsa-task-delete"),
    path(f"{TASK}move/", v.pdsa_task_move, name="pdsa-task-move"),
    *item_paths(v.REFLECTION),
    path(RF, v.reflection_detail, name="reflection-detail"),
    path(f"{RF}print/", v.reflection_print, name="reflection-print"),
    path(f"{RF}factors/add/", v.reflection_factor_add, name="reflection-factor-add"),
    path(f"{FACTOR}delete/", v.reflection_factor_delete, name="reflection-factor-delete"),
    path(f"{FACTOR}move/", v.reflection_factor_move, name="reflection-factor-move"),
    *item_paths(v.SUSTAINABILITY),
    path(SP, v.sustainability_detail, name="sustainability-detail"),
    path(f"{SP}print/", v.sustainability_print, name="sustainability-print"),
    path(
        f"{SP}assessments/new/",
        v.sustainability_assessment_add,
        name="sustainability-assessment-add",
    ),
    path(f"{ASSESS}edit/", v.sustainability_assessment_edit, name="sustainability-assessment-edit"),
    path(
        f"{ASSESS}delete/",
        v.sustainability_assessment_delete,
        name="sustainability-assessment-delete",
    ),
    path("programme/sustainability-model/", v.sustainability_model, name="sustainability-model"),
    path(
        "programme/sustainability-model/<int:sm_factor_id>/",
        v.sustainability_factor_edit,
        name="sustainability-factor-edit",
    ),
]
