"""The improvement tools' own actions (their item and part pages come from toolkit/urls.py)."""

from django.urls import path

from . import views

P = "sites/<str:site_code>/projects/<int:project_id>/toolkit/"
CY = f"{P}pdsa/<int:cycle_id>/"
SP = f"{P}sustainability/<int:plan_id>/"
ASSESS = f"{SP}assessments/<int:assessment_id>/"

urlpatterns = [
    path(f"{CY}stage/", views.pdsa_move, name="pdsa-move"),
    path(f"{CY}decide/", views.pdsa_decide, name="pdsa-decide"),
    path(
        f"{SP}assessments/new/",
        views.sustainability_assessment_add,
        name="sustainability-assessment-add",
    ),
    path(
        f"{ASSESS}edit/",
        views.sustainability_assessment_edit,
        name="sustainability-assessment-edit",
    ),
    path(
        f"{ASSESS}delete/",
        views.sustainability_assessment_delete,
        name="sustainability-assessment-delete",
    ),
    path(
        "programme/sustainability-model/",
        views.sustainability_model,
        name="sustainability-model",
    ),
    path(
        "programme/sustainability-model/<int:sm_factor_id>/",
        views.sustainability_factor_edit,
        name="sustainability-factor-edit",
    ),
]
